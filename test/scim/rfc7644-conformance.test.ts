import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { assertScimError, auditOf, CORE, ENT, ERROR, GROUP, LIST, scimClient } from './helpers.js';

// RFC 7644 (SCIM protocol) on /scim/v2, over real HTTP: one test per rule, named after the
// section that states it.

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const SCIM_JSON = /^application\/scim\+json/;

let n = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}`;
const q = (filter: string) => `/Users?filter=${encodeURIComponent(filter)}`;

for (const dialect of await dialects()) {
  describe(`RFC 7644 conformance on /scim/v2 (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let v2: ReturnType<typeof scimClient>;
    /** Users of the filter tests, made once: a tag in title keeps the filters to them. */
    let tag: string;
    let people: Record<'olsen' | 'omar' | 'zed', { id: string; created: string }>;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      token = (await ts.integration(['manage_accounts'], { name: 'Conformance' })).access_token;
      v2 = scimClient(ts, token, 'v2');
      tag = unique('tag');
      const make = async (userName: string, familyName: string, emails: { value: string; type: string }[], active = true) => {
        const r = await v2.post('/Users', { schemas: [CORE], userName: `${userName}-${tag}`, title: tag, name: { givenName: userName, familyName }, emails, active });
        assert.equal(r.status, 201, r.text);
        return { id: r.json.id as string, created: r.json.meta.created as string };
      };
      people = {
        olsen: await make('Olsen', 'Olsen', [{ value: `olsen-${tag}@example.com`, type: 'work' }]),
        omar: await make('Omar', 'Ali', [{ value: `omar-${tag}@example.org`, type: 'work' }, { value: `omar-${tag}@example.com`, type: 'home' }]),
        zed: await make('Zed', 'Zulu', [{ value: `zed-${tag}@example.com`, type: 'home' }], false),
      };
    });
    after(() => ts.close());

    const ids = async (filter: string) => {
      const r = await v2.get(q(`title eq "${tag}" and (${filter})`));
      assert.equal(r.status, 200, `${filter}: ${r.text}`);
      return r.json.Resources.map((u: { id: string }) => u.id).sort();
    };
    const who = (...names: (keyof typeof people)[]) => names.map((k) => people[k].id).sort();

    test('RFC 7644 §3.1: every response — single, list, error, discovery, bulk — is application/scim+json, whatever Accept says', async () => {
      const user = await v2.post('/Users', { schemas: [CORE], userName: unique('ct') });
      const responses = [
        user,
        await v2.get(`/Users/${user.json.id}`, { accept: 'application/json' }),
        await v2.get('/Users?count=1', { accept: 'application/json' }),
        await v2.get('/Users/404404404', { accept: 'application/json' }),
        await v2.get(q('userName zz "a"')),
        await http('GET', `${v2.base}/ServiceProviderConfig`, { headers: { accept: 'application/json' } }),
        await http('GET', `${v2.base}/Schemas`),
        await http('GET', `${v2.base}/ResourceTypes`),
        await http('GET', `${v2.base}/Users`),
        await v2.post('/Bulk', { schemas: [BULK_REQUEST], Operations: [] }),
        await v2.get('/Nowhere'),
      ];
      for (const r of responses) assert.match(r.headers.get('content-type') ?? '', SCIM_JSON, `${r.status} ${r.text.slice(0, 100)}`);
    });

    test('RFC 7644 §3.3: POST creates — 201, Location and ETag headers, the full resource', async () => {
      const r = await v2.post('/Users', { schemas: [CORE], userName: unique('created'), displayName: 'Created' });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.headers.get('location'), r.json.meta.location);
      assert.equal(r.headers.get('etag'), r.json.meta.version);
      assert.deepEqual(r.json.schemas.slice(0, 1), [CORE]);
    });

    test('RFC 7644 §3.4.2.2: attribute names and operators are case-insensitive (name.FamilyName, emails.Value, meta.Created, EQ, Sw)', async () => {
      assert.deepEqual(await ids('name.FamilyName EQ "olsen"'), who('olsen'));
      assert.deepEqual(await ids(`emails.Value Eq "OMAR-${tag}@EXAMPLE.ORG"`), who('omar'));
      assert.deepEqual(await ids(`USERNAME Sw "olsen"`), who('olsen'));
      assert.deepEqual(await ids(`meta.Created Ge "${people.olsen.created}"`), who('olsen', 'omar', 'zed'));
      assert.deepEqual(await ids(`urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "Zed"`), who('zed'));
    });

    test('RFC 7644 §3.4.2.2: every operator on string attributes — eq ne co sw ew gt ge lt le pr', async () => {
      assert.deepEqual(await ids('name.givenName eq "omar"'), who('omar'));
      assert.deepEqual(await ids('name.givenName ne "omar"'), who('olsen', 'zed'));
      assert.deepEqual(await ids('name.familyName co "UL"'), who('zed'));
      assert.deepEqual(await ids('name.givenName sw "O"'), who('olsen', 'omar'));
      assert.deepEqual(await ids('name.familyName ew "sen"'), who('olsen'));
      assert.deepEqual(await ids('name.givenName gt "olsen"'), who('omar', 'zed'));
      assert.deepEqual(await ids('name.givenName ge "omar"'), who('omar', 'zed'));
      assert.deepEqual(await ids('name.givenName lt "omar"'), who('olsen'));
      assert.deepEqual(await ids('name.givenName le "omar"'), who('olsen', 'omar'));
      assert.deepEqual(await ids('name.givenName pr'), who('olsen', 'omar', 'zed'));
      assert.deepEqual(await ids('nickName pr'), []);
      assert.deepEqual(await ids('active eq false'), who('zed'));
      assert.deepEqual(await ids('active ne false'), who('olsen', 'omar'));
      assert.deepEqual(await ids('active pr'), who('olsen', 'omar', 'zed'));
      assertScimError(await v2.get(q('active gt true')), 400, 'invalidFilter');
    });

    test('RFC 7644 §3.4.2.2: meta.created and meta.lastModified compare as instants, with any offset and any number of fraction digits', async () => {
      const created = Date.parse(people.omar.created);
      const at = (ms: number, offsetMinutes: number, extraDigits = '') => {
        const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
        const sign = offsetMinutes < 0 ? '-' : '+';
        const abs = Math.abs(offsetMinutes);
        return `${local}${extraDigits}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      };
      for (const offset of [0, -420, 330]) {
        assert.deepEqual(await ids(`meta.created eq "${at(created, offset)}"`), who('omar'), `eq at ${offset}`);
        assert.deepEqual(await ids(`meta.created ge "${at(created, offset, '0000')}"`).then((l: string[]) => l.includes(people.omar.id)), true);
        assert.deepEqual(await ids(`meta.created gt "${at(created, offset, '0001')}"`).then((l: string[]) => l.includes(people.omar.id)), false);
        assert.deepEqual(await ids(`meta.created lt "${at(created, offset, '0001')}"`).then((l: string[]) => l.includes(people.omar.id)), true);
        assert.deepEqual(await ids(`meta.created eq "${at(created, offset, '9')}"`), []);
      }
      assert.deepEqual(await ids('meta.lastModified gt "2015-10-10T14:38:21.8617979-07:00"'), who('olsen', 'omar', 'zed'));
      assert.deepEqual(await ids('meta.lastModified le "2015-10-10T14:38:21.8617979-07:00"'), []);
      assert.deepEqual(await ids('meta.created pr'), who('olsen', 'omar', 'zed'));
      assertScimError(await v2.get(q('meta.created gt "yesterday"')), 400, 'invalidFilter');
    });

    test('RFC 7644 §3.4.2.2: and, or, not and parentheses, with and binding tighter than or', async () => {
      assert.deepEqual(await ids('name.givenName eq "olsen" or name.givenName eq "omar" and active eq false'), who('olsen'));
      assert.deepEqual(await ids('(name.givenName eq "olsen" or name.givenName eq "omar") and active eq true'), who('olsen', 'omar'));
      assert.deepEqual(await ids('not (name.givenName sw "o")'), who('zed'));
      assert.deepEqual(await ids('NOT (name.givenName eq "olsen") AND not (active eq false)'), who('omar'));
    });

    test('RFC 7644 §3.4.2.2: value paths filter within one value of a multi-valued attribute (emails[type eq "work" and value co "@example.com"])', async () => {
      assert.deepEqual(await ids('emails[type eq "work" and value co "@example.com"]'), who('olsen'));
      assert.deepEqual(await ids('emails[type eq "home" and value ew ".com"]'), who('omar', 'zed'));
      assert.deepEqual(await ids('emails[type eq "work" or value co ".org"]'), who('olsen', 'omar'));
      assert.deepEqual(await ids('emails[not (type eq "work")]'), who('omar', 'zed'));
      assert.deepEqual(await ids('emails[Type EQ "work"] and name.givenName sw "Om"'), who('omar'));
    });

    test('RFC 7644 §3.4.2.2: an unquoted value is accepted as a string where it can be nothing else (userName sw O, active eq True)', async () => {
      assert.deepEqual(await ids('name.givenName sw O'), who('olsen', 'omar'));
      assert.deepEqual(await ids('active eq True'), who('olsen', 'omar'));
      assert.deepEqual(await ids('emails[type eq work]'), who('olsen', 'omar'));
      assert.deepEqual(await ids('name.familyName eq Zulu or name.familyName eq ALI'), who('omar', 'zed'));
    });

    test('RFC 7644 §3.4.2.2: a filter that is not valid is 400 invalidFilter, never a 500', async () => {
      const bad = ['userName', 'userName eq', 'userName zz "a"', '(userName eq "a"', 'emails[type eq "work"', 'nope eq "a"', 'userName eq "a" and', '"x"', ')', 'emails[]', 'meta.created co "2020"', 'a[b[c eq 1]]', 'userName eq "\\'];
      for (const f of bad) {
        const r = await v2.get(q(f));
        assertScimError(r, 400, 'invalidFilter');
      }
      for (const raw of ['%', '%zz', 'userName%20eq%20%22', '%22%22%22', 'userName+eq+"a"+or']) {
        const r = await v2.get(`/Users?filter=${raw}`);
        assert.ok(r.status === 200 || r.status === 400, `${raw}: ${r.status} ${r.text}`);
        if (r.status === 400) assertScimError(r, 400, 'invalidFilter');
      }
    });

    test('RFC 7644 §3.4.2.3: sortBy and sortOrder, absent values last', async () => {
      const sorted = await v2.get(`${q(`title eq "${tag}"`)}&sortBy=name.familyName&sortOrder=descending`);
      assert.deepEqual(sorted.json.Resources.map((u: { name: { familyName: string } }) => u.name.familyName), ['Zulu', 'Olsen', 'Ali']);
      const asc = await v2.get(`${q(`title eq "${tag}"`)}&sortBy=userName`);
      assert.deepEqual(asc.json.Resources.map((u: { id: string }) => u.id), [people.olsen.id, people.omar.id, people.zed.id]);
      assertScimError(await v2.get('/Users?sortBy=password'), 400);
    });

    test('RFC 7644 §3.4.2.4: startIndex and count page a list; walking pages and jumping to one give the same rows, sorted or not', async () => {
      const pageTag = unique('paging');
      for (let i = 0; i < 23; i++) {
        const r = await v2.post('/Users', { schemas: [CORE], userName: `${pageTag}-${String(i).padStart(2, '0')}`, title: pageTag, name: { familyName: `F${(i * 7) % 23}` } });
        assert.equal(r.status, 201);
      }
      for (const sort of ['', '&sortBy=name.familyName', '&sortBy=userName&sortOrder=descending']) {
        const base = `${q(`title eq "${pageTag}"`)}${sort}`;
        const all = (await v2.get(`${base}&count=100`)).json.Resources.map((u: { id: string }) => u.id);
        assert.equal(all.length, 23);
        const walked: string[] = [];
        for (let start = 1; start <= 23; start += 5) {
          const page = await v2.get(`${base}&startIndex=${start}&count=5`);
          assert.equal(page.json.startIndex, start);
          assert.equal(page.json.totalResults, 23);
          assert.equal(page.json.itemsPerPage, page.json.Resources.length);
          walked.push(...page.json.Resources.map((u: { id: string }) => u.id));
        }
        assert.deepEqual(walked, all, sort);
        for (const start of [17, 9, 22, 2]) {
          const jump = await v2.get(`${base}&startIndex=${start}&count=3`);
          assert.deepEqual(jump.json.Resources.map((u: { id: string }) => u.id), all.slice(start - 1, start + 2), `${sort} jump ${start}`);
        }
        const past = await v2.get(`${base}&startIndex=40&count=5`);
        assert.deepEqual([past.json.totalResults, past.json.itemsPerPage], [23, 0]);
      }
      const none = await v2.get(`${q(`title eq "${pageTag}"`)}&count=0`);
      assert.deepEqual([none.json.totalResults, none.json.Resources.length], [23, 0]);
    });

    test('RFC 7644 §3.4.3: POST /.search takes the query in a SearchRequest body', async () => {
      const r = await v2.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `title eq "${tag}"`, sortBy: 'userName', attributes: ['userName'], count: 2 });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.schemas, [LIST]);
      assert.equal(r.json.totalResults, 3);
      assert.deepEqual(Object.keys(r.json.Resources[0]).sort(), ['id', 'schemas', 'userName']);
    });

    test('RFC 7644 §3.5.2: Group PATCH adds and removes members in every form — path "members", members[value eq …], path-less {"members": […]}', async () => {
      const users = await Promise.all([0, 1, 2, 3].map((i) => v2.post('/Users', { schemas: [CORE], userName: unique(`gm${i}`) })));
      const [a, b, c, d] = users.map((u) => u.json.id as string);
      const g = await v2.post('/Groups', { schemas: [GROUP], displayName: unique('Patch group') });
      const members = async () => ((await v2.get(`/Groups/${g.json.id}`)).json.members ?? []).map((m: { value: string }) => m.value).sort();
      const patch = async (ops: unknown[]) => {
        const r = await v2.ops(`/Groups/${g.json.id}`, ops);
        assert.ok(r.status === 200 || r.status === 204, r.text);
      };
      await patch([{ op: 'add', path: 'members', value: [{ value: a }, { value: b }] }]);
      assert.deepEqual(await members(), [a, b].sort());
      await patch([{ op: 'Add', value: { members: [{ value: c }] } }]);
      assert.deepEqual(await members(), [a, b, c].sort());
      await patch([{ op: 'remove', path: `members[value eq "${a}"]` }]);
      assert.deepEqual(await members(), [b, c].sort());
      await patch([{ op: 'Remove', path: 'members', value: [{ value: b }] }]);
      assert.deepEqual(await members(), [c]);
      await patch([{ op: 'replace', path: 'members', value: [{ value: d }, { value: a }] }]);
      assert.deepEqual(await members(), [a, d].sort());
      await patch([{ op: 'replace', value: { displayName: 'Renamed group', members: [{ value: b }] } }]);
      assert.deepEqual(await members(), [b]);
      await patch([{ op: 'remove', path: 'members' }]);
      assert.deepEqual(await members(), []);
      assertScimError(await v2.ops(`/Groups/${g.json.id}`, [{ op: 'add', path: 'members', value: [{ value: '123456789' }] }]), 400, 'invalidValue');
    });

    test('RFC 7644 §3.5.2: User PATCH as Entra ID sends it — "Replace", "False" strings, no path, a bare manager id', async () => {
      const boss = await v2.post('/Users', { schemas: [CORE], userName: unique('entra-boss') });
      const u = await v2.post('/Users', { schemas: [CORE], userName: unique('entra') });
      const r = await v2.ops(`/Users/${u.json.id}`, [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Add', path: `${ENT}:manager`, value: boss.json.id },
        { op: 'replace', value: { 'name.givenName': 'Entra', title: 'Synced' } },
        { op: 'Add', path: 'emails[type eq "work"].value', value: 'entra@example.com' },
      ]);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.active, false);
      assert.equal(r.json[ENT].manager.value, boss.json.id);
      assert.equal(r.json.name.givenName, 'Entra');
      assert.deepEqual(r.json.emails, [{ type: 'work', value: 'entra@example.com' }]);
    });

    test('RFC 7644 §3.5.2: PATCH and filters as Okta sends them — emails[primary eq true], path-less replace with the echoed id', async () => {
      const u = await v2.post('/Users', { schemas: [CORE], userName: `${unique('okta')}@example.com`, emails: [{ value: 'old@example.com', type: 'work', primary: true }] });
      const r = await v2.ops(`/Users/${u.json.id}`, [{ op: 'replace', path: 'emails[primary eq true].value', value: 'new@example.com' }]);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.emails, [{ value: 'new@example.com', type: 'work', primary: true }]);
      const found = await v2.get(q(`emails[primary eq true and value eq "NEW@example.com"] and userName eq "${u.json.userName}"`));
      assert.equal(found.json.totalResults, 1, found.text);
      const off = await v2.ops(`/Users/${u.json.id}`, [{ op: 'replace', value: { id: u.json.id, active: false } }]);
      assert.equal(off.json.active, false, off.text);
      const g = await v2.post('/Groups', { schemas: [GROUP], displayName: unique('Okta group') });
      const renamed = await v2.ops(`/Groups/${g.json.id}`, [{ op: 'replace', value: { id: g.json.id, displayName: 'Okta renamed' } }]);
      assert.equal(renamed.json.displayName, 'Okta renamed', renamed.text);
    });

    test('RFC 7644 §3.6: DELETE answers 204 without a body, then the resource is 404', async () => {
      const u = await v2.post('/Users', { schemas: [CORE], userName: unique('gone') });
      const d = await v2.delete(`/Users/${u.json.id}`);
      assert.equal(d.status, 204);
      assert.equal(d.text, '');
      assertScimError(await v2.get(`/Users/${u.json.id}`), 404);
    });

    test('RFC 7644 §3.7: Bulk with bulkId cross-references — a group whose members, and a user whose manager, the same request creates', async () => {
      const manager = unique('bulk-boss');
      const r = await v2.post('/Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [
          { method: 'POST', path: '/Groups', bulkId: 'team', data: { schemas: [GROUP], displayName: unique('Bulk team'), members: [{ type: 'User', value: 'bulkId:boss' }, { value: 'bulkId:report' }] } },
          { method: 'POST', path: '/Users', bulkId: 'report', data: { schemas: [CORE, ENT], userName: unique('bulk-report'), [ENT]: { manager: { value: 'bulkId:boss' } } } },
          { method: 'POST', path: '/Users', bulkId: 'boss', data: { schemas: [CORE], userName: manager } },
          { method: 'PATCH', path: '/Users/bulkId:boss', data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'Boss' }] } },
        ],
      });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.schemas, [BULK_RESPONSE]);
      const [team, report, boss, patched] = r.json.Operations;
      assert.deepEqual([team.status, report.status, boss.status, patched.status], ['201', '201', '201', '200'], r.text);
      assert.deepEqual([team.bulkId, report.bulkId, boss.bulkId], ['team', 'report', 'boss']);
      const bossId = boss.location.split('/').pop();
      const reportId = report.location.split('/').pop();
      assert.equal(boss.location, `${v2.base}/Users/${bossId}`);
      assert.equal(patched.location, boss.location);
      assert.match(boss.version, /^W\//);
      const group = await v2.get(`/Groups/${team.location.split('/').pop()}`);
      assert.deepEqual(group.json.members.map((m: { value: string }) => m.value).sort(), [bossId, reportId].sort());
      const got = await v2.get(`/Users/${reportId}`);
      assert.equal(got.json[ENT].manager.value, bossId);
      assert.equal((await v2.get(`/Users/${bossId}`)).json.title, 'Boss');
    });

    test('RFC 7644 §3.7: each bulk operation is its own transaction with its own audit events; a failed one changes nothing and the others stand', async () => {
      const taken = unique('taken');
      await v2.post('/Users', { schemas: [CORE], userName: taken });
      const r = await v2.post('/Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [
          { method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [CORE], userName: `${unique('bulk-a')}@example.com` } },
          { method: 'POST', path: '/Users', bulkId: 'dup', data: { schemas: [CORE], userName: taken.toUpperCase() } },
          { method: 'POST', path: '/Users', bulkId: 'b', data: { schemas: [CORE], userName: `${unique('bulk-b')}@example.com` } },
          { method: 'PUT', path: '/Users/404404', data: { schemas: [CORE], userName: 'x' } },
          { method: 'DELETE', path: '/Users/bulkId:b' },
        ],
      });
      const statuses = r.json.Operations.map((o: { status: string }) => o.status);
      assert.deepEqual(statuses, ['201', '409', '201', '404', '204'], r.text);
      assert.deepEqual(r.json.Operations[1].response.schemas, [ERROR]);
      assert.equal(r.json.Operations[1].response.scimType, 'uniqueness');
      const aId = r.json.Operations[0].location.split('/').pop();
      const bId = r.json.Operations[2].location.split('/').pop();
      assert.deepEqual((await auditOf(ts, aId)).map((e) => e.action), ['account.provisioned']);
      assert.deepEqual((await auditOf(ts, bId)).map((e) => e.action), ['account.provisioned', 'account.deleted']);
      assertScimError(await v2.get(`/Users/${bId}`), 404);
    });

    test('RFC 7644 §3.7.3: failOnErrors stops after that many errors and answers what ran', async () => {
      const r = await v2.post('/Bulk', {
        schemas: [BULK_REQUEST],
        failOnErrors: 1,
        Operations: [
          { method: 'POST', path: '/Users', bulkId: 'bad', data: { schemas: [CORE] } },
          { method: 'POST', path: '/Users', bulkId: 'never', data: { schemas: [CORE], userName: unique('never') } },
        ],
      });
      assert.equal(r.status, 200);
      assert.equal(r.json.Operations.length, 1, r.text);
      assert.equal(r.json.Operations[0].status, '400');
      assert.equal(r.json.Operations[0].response.scimType, 'invalidValue');
      const found = await v2.get(q('userName sw "never"'));
      assert.equal(found.json.totalResults, 0);
    });

    test('RFC 7644 §3.7.1: bulkIds that no operation creates, that a failed operation was to create, or that refer in a circle are errors', async () => {
      const r = await v2.post('/Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [
          { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP], displayName: unique('Ghost'), members: [{ value: 'bulkId:ghost' }] } },
          { method: 'POST', path: '/Users', bulkId: 'fails', data: { schemas: [CORE], userName: '' } },
          { method: 'PATCH', path: '/Users/bulkId:fails', data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'x' }] } },
          { method: 'POST', path: '/Users', bulkId: 'x', data: { schemas: [CORE, ENT], userName: unique('x'), [ENT]: { manager: { value: 'bulkId:y' } } } },
          { method: 'POST', path: '/Users', bulkId: 'y', data: { schemas: [CORE, ENT], userName: unique('y'), [ENT]: { manager: { value: 'bulkId:x' } } } },
          { method: 'POST', path: '/Users', data: { schemas: [CORE], userName: unique('no-bulk-id') } },
          { method: 'GET', path: '/Users', bulkId: 'get' },
        ],
      });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.Operations.map((o: { status: string }) => o.status), ['400', '400', '409', '409', '409', '400', '400'], r.text);
      assert.match(r.json.Operations[0].response.detail, /ghost/);
      assert.match(r.json.Operations[3].response.detail, /circular/);
    });

    test('RFC 7644 §3.7.4: maxOperations and maxPayloadSize are announced, and a request beyond them is 413', async () => {
      const config = await http('GET', `${v2.base}/ServiceProviderConfig`);
      assert.deepEqual(config.json.bulk, { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 });
      const many = Array.from({ length: 1001 }, (_, i) => ({ method: 'DELETE', path: `/Users/${i + 1}` }));
      assertScimError(await v2.post('/Bulk', { schemas: [BULK_REQUEST], Operations: many }), 413);
      const big = await http('POST', `${v2.base}/Bulk`, { token, json: { schemas: [BULK_REQUEST], Operations: [{ method: 'POST', path: '/Users', bulkId: 'big', data: { schemas: [CORE], userName: 'x'.repeat(1_100_000) } }] } });
      assertScimError(big, 413);
      assertScimError(await v2.post('/Bulk', { schemas: ['urn:wrong'], Operations: [] }), 400, 'invalidSyntax');
    });

    test('RFC 7644 §3.7: a bulk operation carrying version is a conditional request (If-Match)', async () => {
      const u = await v2.post('/Users', { schemas: [CORE], userName: unique('versioned') });
      const r = await v2.post('/Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [
          { method: 'PUT', path: `/Users/${u.json.id}`, version: 'W/"stale"', data: { schemas: [CORE], userName: u.json.userName, title: 'No' } },
          { method: 'PUT', path: `/Users/${u.json.id}`, version: u.json.meta.version, data: { schemas: [CORE], userName: u.json.userName, title: 'Yes' } },
        ],
      });
      assert.deepEqual(r.json.Operations.map((o: { status: string }) => o.status), ['412', '200'], r.text);
      assert.equal((await v2.get(`/Users/${u.json.id}`)).json.title, 'Yes');
    });

    test('RFC 7644 §3.12: errors are the Error schema with status as a string and a scimType where one applies', async () => {
      const r = await v2.post('/Users', { schemas: [CORE], userName: 42 });
      assert.equal(r.status, 201, 'a number is accepted as the string it spells');
      const bad = await v2.post('/Users', { schemas: [CORE], userName: { not: 'a string' } });
      assertScimError(bad, 400, 'invalidValue');
      assertScimError(await http('POST', `${v2.base}/Users`, { token, body: '{"userName":', headers: { 'content-type': 'application/scim+json' } }), 400, 'invalidSyntax');
      assertScimError(await http('GET', `${v2.base}/Users`), 401);
    });

    test('RFC 7644 §3.14: ETags — If-None-Match answers 304, a stale If-Match 412', async () => {
      const u = await v2.post('/Users', { schemas: [CORE], userName: unique('etag') });
      assert.equal((await v2.get(`/Users/${u.json.id}`, { 'if-none-match': u.json.meta.version })).status, 304);
      assertScimError(await v2.ops(`/Users/${u.json.id}`, [{ op: 'replace', path: 'title', value: 'x' }], { 'if-match': 'W/"old"' }), 412);
    });

    test('RFC 7644 §4: ServiceProviderConfig (also at /serviceConfiguration, its SCIM 1.1 name), ResourceTypes, without a token', async () => {
      for (const path of ['/ServiceProviderConfig', '/serviceConfiguration', '/ServiceConfiguration']) {
        const r = await http('GET', `${v2.base}${path}`);
        assert.equal(r.status, 200, path);
        assert.deepEqual(r.json.schemas, ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
        assert.equal(r.json.patch.supported, true);
        assert.equal(r.json.filter.supported, true);
      }
      const types = await http('GET', `${v2.base}/ResourceTypes`);
      assert.deepEqual(types.json.Resources.map((t: { id: string; endpoint: string }) => [t.id, t.endpoint]), [['User', '/Users'], ['Group', '/Groups']]);
    });
  });

  describe(`RFC 7644 §3.7 and the mass-deactivation guard (${dialect})`, () => {
    let ts: TestServer;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0', COMMONPLACE_DEACTIVATION_GUARD_PERCENT: '1', COMMONPLACE_DEACTIVATION_GUARD_MINIMUM: '3' } });
    });
    after(() => ts.close());

    test('RFC 7644 §3.7: the mass-deactivation guard counts bulk operations, one by one', async () => {
      const v2 = scimClient(ts, (await ts.integration(['manage_accounts'], { name: 'Bulk deactivator' })).access_token, 'v2');
      const created = await v2.post('/Bulk', {
        schemas: [BULK_REQUEST],
        Operations: Array.from({ length: 5 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: { schemas: [CORE], userName: `guarded-${i}` } })),
      });
      const ids = created.json.Operations.map((o: { location: string }) => o.location.split('/').pop());
      const off = await v2.post('/Bulk', {
        schemas: [BULK_REQUEST],
        Operations: ids.map((id: string) => ({ method: 'PATCH', path: `/Users/${id}`, data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] } })),
      });
      assert.deepEqual(off.json.Operations.map((o: { status: string }) => o.status), ['200', '200', '200', '409', '409'], off.text);
      assert.match(off.json.Operations[3].response.detail, /already deactivated 3 accounts/);
      assert.deepEqual((await auditOf(ts, ids[4])).map((e) => e.action), ['account.provisioned', 'account.invited', 'account.deactivation_refused']);
      assert.equal((await v2.get(`/Users/${ids[4]}`)).json.active, true);
    });
  });
}
