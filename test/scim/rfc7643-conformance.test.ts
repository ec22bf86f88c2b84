import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { assertScimError, CORE, ENT, GROUP, scimClient } from './helpers.js';

// RFC 7643 (SCIM core schema) on /scim/v2, over real HTTP: one test per rule, named after the
// section that states it. Where Workplace's flavour (/scim/, /scim/v1/) differs, the last
// tests show it keeps its own behaviour.

let n = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}`;

for (const dialect of await dialects()) {
  describe(`RFC 7643 conformance on /scim/v2 (${dialect})`, () => {
    let ts: TestServer;
    let v2: ReturnType<typeof scimClient>;
    let workplace: ReturnType<typeof scimClient>;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      const app = await ts.integration(['manage_accounts'], { name: 'Conformance' });
      v2 = scimClient(ts, app.access_token, 'v2');
      workplace = scimClient(ts, app.access_token);
    });
    after(() => ts.close());

    test('RFC 7643 §2.1: attribute names in request bodies are case-insensitive', async () => {
      const r = await v2.post('/Users', { SCHEMAS: [CORE], USERNAME: unique('casey'), NAME: { GIVENNAME: 'Casey', familyname: 'Case' }, Title: 'Tester' });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.name.givenName, 'Casey');
      assert.equal(r.json.name.familyName, 'Case');
      assert.equal(r.json.title, 'Tester');
    });

    test('RFC 7643 §3.1: externalId is not unique — two users and two groups may share one, and a filter returns every match', async () => {
      const shared = unique('ext');
      const a = await v2.post('/Users', { schemas: [CORE], userName: unique('ext-a'), externalId: shared });
      const b = await v2.post('/Users', { schemas: [CORE], userName: unique('ext-b'), externalId: shared });
      assert.equal(a.status, 201, a.text);
      assert.equal(b.status, 201, b.text);
      const found = await v2.get(`/Users?filter=${encodeURIComponent(`externalId eq "${shared}"`)}`);
      assert.equal(found.json.totalResults, 2, found.text);
      assert.deepEqual(found.json.Resources.map((u: { id: string }) => u.id).sort(), [a.json.id, b.json.id].sort());
      const g1 = await v2.post('/Groups', { schemas: [GROUP], displayName: unique('Ext group'), externalId: shared });
      const g2 = await v2.post('/Groups', { schemas: [GROUP], displayName: unique('Ext group'), externalId: shared });
      assert.equal(g1.status, 201, g1.text);
      assert.equal(g2.status, 201, g2.text);
      const groups = await v2.get(`/Groups?filter=${encodeURIComponent(`externalId eq "${shared}"`)}`);
      assert.equal(groups.json.totalResults, 2, groups.text);
      const moved = await v2.ops(`/Users/${a.json.id}`, [{ op: 'replace', path: 'externalId', value: 'other' }]);
      assert.equal(moved.status, 200, moved.text);
      assert.equal((await v2.ops(`/Users/${a.json.id}`, [{ op: 'replace', path: 'externalId', value: shared }])).status, 200);
    });

    test('RFC 7643 §3.1: every resource carries meta with resourceType, created, lastModified, location and version', async () => {
      const r = await v2.post('/Users', { schemas: [CORE], userName: unique('meta') });
      assert.equal(r.json.meta.resourceType, 'User');
      assert.equal(r.json.meta.location, `${v2.base}/Users/${r.json.id}`);
      assert.ok(!Number.isNaN(Date.parse(r.json.meta.created)) && !Number.isNaN(Date.parse(r.json.meta.lastModified)));
      assert.match(r.json.meta.version, /^W\/".+"$/);
      const g = await v2.post('/Groups', { schemas: [GROUP], displayName: unique('Meta group') });
      assert.equal(g.json.meta.resourceType, 'Group');
      assert.equal(g.json.meta.location, `${v2.base}/Groups/${g.json.id}`);
    });

    test('RFC 7643 §4.1: userName is required — POST or PUT without it is 400 invalidValue, and the PUT changes nothing', async () => {
      assertScimError(await v2.post('/Users', { schemas: [CORE], externalId: unique('no-user-name'), name: { givenName: 'No' } }), 400, 'invalidValue');
      assertScimError(await v2.post('/Users', { schemas: [CORE], userName: '   ' }), 400, 'invalidValue');
      const created = await v2.post('/Users', { schemas: [CORE], userName: unique('put-me'), title: 'Before' });
      const put = await v2.put(`/Users/${created.json.id}`, { schemas: [CORE], title: 'After' });
      assertScimError(put, 400, 'invalidValue');
      assert.match(put.json.detail, /userName/);
      assert.equal((await v2.get(`/Users/${created.json.id}`)).json.title, 'Before');
      const ok = await v2.put(`/Users/${created.json.id}`, { schemas: [CORE], userName: created.json.userName, title: 'After' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.title, 'After');
    });

    test('RFC 7643 §4.1.1: userName is any non-empty string, unique case-insensitively; one that is not an email makes an email-less account', async () => {
      const name = unique('BJensen');
      const r = await v2.post('/Users', { schemas: [CORE], userName: name, emails: [{ value: 'not quite @ an address', type: 'work' }] });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.userName, name);
      const member = await ts.ctx.db.selectFrom('member').select(['email', 'user_name']).where('id', '=', r.json.id).executeTakeFirstOrThrow();
      assert.deepEqual(member, { email: null, user_name: name });
      const odd = await v2.post('/Users', { schemas: [CORE], userName: `${unique('at')}@localhost` });
      assert.equal(odd.status, 201, odd.text);
      const twin = await v2.post('/Users', { schemas: [CORE], userName: name.toUpperCase() });
      assertScimError(twin, 409, 'uniqueness');
      assert.match(twin.json.detail, new RegExp(r.json.id));
    });

    test('RFC 7643 §4.1.2: emails[].value is stored and returned exactly as given', async () => {
      const emails = [
        { value: `Babs.Jensen.${++n}@Example.COM`, type: 'work', primary: true },
        { value: `babs.${n}@Home.Example`, type: 'home' },
      ];
      const r = await v2.post('/Users', { schemas: [CORE], userName: unique('babs'), emails });
      assert.equal(r.status, 201, r.text);
      assert.deepEqual(r.json.emails, emails);
      assert.deepEqual((await v2.get(`/Users/${r.json.id}`)).json.emails, emails);
      const found = await v2.get(`/Users?filter=${encodeURIComponent(`emails.value eq "${emails[1].value.toLowerCase()}"`)}`);
      assert.equal(found.json.totalResults, 1, found.text);
    });

    test('RFC 7643 §4.1.2: groups is read-only and lists the groups the user belongs to', async () => {
      const u = await v2.post('/Users', { schemas: [CORE], userName: unique('grouped') });
      const g = await v2.post('/Groups', { schemas: [GROUP], displayName: unique('Readers'), members: [{ value: u.json.id }] });
      const got = await v2.get(`/Users/${u.json.id}`);
      assert.deepEqual(got.json.groups, [{ value: g.json.id, $ref: `${v2.base}/Groups/${g.json.id}`, display: g.json.displayName, type: 'direct' }]);
      assertScimError(await v2.ops(`/Users/${u.json.id}`, [{ op: 'add', path: 'groups', value: [{ value: g.json.id }] }]), 400, 'mutability');
    });

    test('RFC 7643 §4.2: group members carry value, display and $ref; a member that is not a user is 400 invalidValue naming it', async () => {
      const u = await v2.post('/Users', { schemas: [CORE], userName: unique('member'), name: { formatted: 'Mem Ber' } });
      const g = await v2.post('/Groups', { schemas: [GROUP], displayName: unique('Members'), members: [{ value: u.json.id }] });
      assert.equal(g.status, 201, g.text);
      assert.deepEqual(g.json.members, [{ value: u.json.id, $ref: `${v2.base}/Users/${u.json.id}`, display: 'Mem Ber', type: 'User' }]);
      const other = await v2.post('/Groups', { schemas: [GROUP], displayName: unique('Other') });
      for (const bad of [other.json.id, '999999', 'bulkId:nope']) {
        const r = await v2.post('/Groups', { schemas: [GROUP], displayName: unique('Bad members'), members: [{ value: u.json.id }, { value: bad }] });
        assertScimError(r, 400, 'invalidValue');
        assert.ok(r.json.detail.includes(bad), r.json.detail);
        const p = await v2.ops(`/Groups/${g.json.id}`, [{ op: 'add', path: 'members', value: [{ value: bad }] }]);
        assertScimError(p, 400, 'invalidValue');
        assert.ok(p.json.detail.includes(bad), p.json.detail);
      }
      const typed = await v2.post('/Groups', { schemas: [GROUP], displayName: unique('Typed'), members: [{ value: other.json.id, type: 'Group' }] });
      assertScimError(typed, 400, 'invalidValue');
      assert.ok(typed.json.detail.includes(other.json.id), typed.json.detail);
    });

    test('RFC 7643 §4.3: the enterprise extension manager takes value and answers value, $ref and displayName', async () => {
      const boss = await v2.post('/Users', { schemas: [CORE], userName: unique('boss'), name: { formatted: 'The Boss' } });
      const r = await v2.post('/Users', { schemas: [CORE, ENT], userName: unique('report'), [ENT]: { department: 'R&D', manager: { value: boss.json.id } } });
      assert.equal(r.status, 201, r.text);
      const manager = r.json[ENT].manager;
      assert.equal(manager.value, boss.json.id);
      assert.equal(manager.$ref, `${v2.base}/Users/${boss.json.id}`);
      assert.equal(manager.displayName, 'The Boss');
    });

    test('RFC 7643 §7: /Schemas carries the RFC attribute definitions — "User Account", "Group", "Enterprise User", with descriptions', async () => {
      const list = await http('GET', `${v2.base}/Schemas`);
      const byId = new Map(list.json.Resources.map((s: { id: string }) => [s.id, s]));
      const user = byId.get(CORE) as { name: string; description: string; attributes: { name: string; description: string; required: boolean; uniqueness: string; caseExact: boolean; subAttributes?: { name: string }[] }[] };
      assert.equal(user.name, 'User');
      assert.equal(user.description, 'User Account');
      const attr = (name: string) => user.attributes.find((a) => a.name === name)!;
      assert.match(attr('userName').description, /^Unique identifier for the User, typically used by the user to directly authenticate/);
      assert.deepEqual([attr('userName').required, attr('userName').uniqueness, attr('userName').caseExact], [true, 'server', false]);
      assert.equal(attr('externalId').uniqueness, 'none');
      assert.match(attr('emails').description, /^Email addresses for the user/);
      assert.match(attr('active').description, /administrative status/);
      assert.deepEqual(attr('name').subAttributes!.map((s) => s.name), ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix']);
      for (const a of user.attributes) assert.ok(a.description.length > 10, a.name);
      const group = byId.get(GROUP) as { name: string; description: string; attributes: { name: string; description: string }[] };
      assert.deepEqual([group.name, group.description], ['Group', 'Group']);
      assert.equal(group.attributes.find((a) => a.name === 'members')!.description, 'A list of members of the Group.');
      const ent = byId.get(ENT) as { name: string; description: string };
      assert.deepEqual([ent.name, ent.description], ['EnterpriseUser', 'Enterprise User']);
      const one = await http('GET', `${v2.base}/Schemas/${CORE}`);
      assert.equal(one.json.meta.resourceType, 'Schema');
    });

    test("Workplace's flavour keeps its rules where they differ: externalId unique, userName an email, userName optional with externalId", async () => {
      const ext = unique('wp-ext');
      const first = await workplace.post('/Users', { schemas: [CORE], userName: `${unique('wp')}@example.com`, externalId: ext });
      assert.equal(first.status, 201, first.text);
      assertScimError(await workplace.post('/Users', { schemas: [CORE], userName: `${unique('wp')}@example.com`, externalId: ext }), 409, 'uniqueness');
      assertScimError(await workplace.post('/Users', { schemas: [CORE], userName: 'half@address' }), 400, 'invalidValue');
      const emailLess = await workplace.post('/Users', { schemas: [CORE], externalId: unique('frontline'), name: { formatted: 'Front Line' } });
      assert.equal(emailLess.status, 201, emailLess.text);
      const partial = await workplace.put(`/Users/${first.json.id}`, { title: 'Kept userName' });
      assert.equal(partial.status, 200, partial.text);
      assert.equal(partial.json.userName, first.json.userName);
      const g = await workplace.post('/Groups', { schemas: [GROUP], displayName: unique('WP group'), externalId: ext });
      assert.equal(g.status, 201);
      assertScimError(await workplace.post('/Groups', { schemas: [GROUP], displayName: unique('WP group'), externalId: ext }), 409, 'uniqueness');
      const plain = await workplace.get('/Users?count=1', { accept: 'application/json' });
      assert.match(plain.headers.get('content-type') ?? '', /^application\/json/);
    });
  });
}
