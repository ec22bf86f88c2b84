import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { assertScimError, auditOf, CORE, DATES, ENT, FRONTLINE, LIST, newUser, scimClient, STATUS, AUTH, V1 } from './helpers.js';
import { IMAGE_HOST_ENV, startImageHost } from '../helpers/images.js';

// Photos given by URL are fetched by the server: they come from a real image host on 127.0.0.1.
const images = await startImageHost();
after(() => images.close());

for (const dialect of await dialects()) {
  describe(`SCIM 2.0 Users (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let appId: string;
    let scim: ReturnType<typeof scimClient>;
    let rfc: ReturnType<typeof scimClient>;
    before(async () => {
      ts = await startServer(dialect, { env: { ...IMAGE_HOST_ENV, COMMONPLACE_RATE_LIMIT: '0' } });
      const app = await ts.integration(['manage_accounts'], { name: 'Identity Sync' });
      token = app.access_token;
      appId = app.app_id;
      scim = scimClient(ts, token);
      rfc = scimClient(ts, token, 'v2');
    });
    after(() => ts.close());

    test('POST creates: 201, Location, ETag and the full resource with every extension', async () => {
      const boss = await scim.post('/Users', newUser({}, 'boss'));
      assert.equal(boss.status, 201, boss.text);
      const body = {
        schemas: [CORE, ENT, DATES, STATUS, AUTH, FRONTLINE],
        userName: 'Jane.Doe@Example.com',
        externalId: 'hr-42',
        name: { formatted: 'Jane Q. Doe', givenName: 'Jane', familyName: 'Doe', middleName: 'Quinn', honorificPrefix: 'Dr' },
        displayName: 'Jane',
        nickName: 'JD',
        title: 'Engineer',
        userType: 'Employee',
        preferredLanguage: 'en_GB',
        locale: 'en_GB',
        timezone: 'Europe/London',
        active: true,
        emails: [{ value: 'Jane.Doe@Example.com', type: 'work', primary: true }, { value: 'jane@home.example', type: 'home' }],
        phoneNumbers: [{ value: '+44 1', type: 'home' }, { value: '+44 2', type: 'work', primary: true }],
        addresses: [{ type: 'work', streetAddress: '1 Rathbone Square', locality: 'London', postalCode: 'W1T 1FB', country: 'GB', primary: true }],
        photos: [{ value: images.url('jane.jpg'), type: 'photo', primary: true }],
        [ENT]: { employeeNumber: '12345', costCenter: 'CC1', organization: 'Org', division: 'Div', department: 'R&D', manager: { managerId: boss.json.id } },
        [DATES]: { startDate: 1767225600, termDate: 0 },
        [STATUS]: { invited: false, claimed: true, claimLink: 'https://evil.example' },
        [AUTH]: { authMethod: 'SSO' },
        [FRONTLINE]: { is_frontline: true },
      };
      const r = await rfc.post('/Users/', body, { 'user-agent': 'GithubRep-SCIMAccountManagement' });
      assert.equal(r.status, 201, r.text);
      assert.match(r.headers.get('content-type') ?? '', /application\/scim\+json/);
      assert.equal(r.headers.get('location'), `${ts.base}/scim/v2/Users/${r.json.id}`);
      assert.equal(r.headers.get('etag'), r.json.meta.version);
      const u = r.json;
      assert.equal(u.userName, 'Jane.Doe@Example.com');
      assert.equal(u.externalId, 'hr-42');
      assert.deepEqual(u.name, { formatted: 'Jane Q. Doe', givenName: 'Jane', familyName: 'Doe', middleName: 'Quinn', honorificPrefix: 'Dr' });
      assert.equal(u.displayName, 'Jane');
      assert.equal(u.timezone, 'Europe/London');
      assert.equal(u.emails.length, 2);
      assert.deepEqual(u[ENT].manager.managerId, boss.json.id);
      assert.deepEqual(u[ENT].manager.value, boss.json.id);
      assert.equal(u[ENT].manager.displayName, boss.json.name.formatted);
      assert.deepEqual(u[DATES], { startDate: 1767225600 });
      assert.deepEqual(u[STATUS], { invited: false, claimed: false }, 'claimed and claimLink are read-only');
      assert.deepEqual(u[AUTH], { authMethod: 'sso' });
      assert.deepEqual(u[FRONTLINE], { is_frontline: true });
      for (const urn of [CORE, ENT, DATES, STATUS, AUTH, FRONTLINE]) assert.ok(u.schemas.includes(urn), urn);
      assert.equal(u.meta.resourceType, 'User');
      // The primaries become the Graph fields.
      const g = await http('GET', `${ts.graph}/${u.id}?fields=email,name,first_name,last_name,title,department,primary_phone,primary_address,employee_number,locale,is_frontline,picture,external_id`, { token });
      assert.equal(g.status, 200, g.text);
      assert.equal(g.json.email, 'Jane.Doe@Example.com');
      assert.equal(g.json.name, 'Jane Q. Doe');
      assert.equal(g.json.primary_phone, '+44 2');
      assert.equal(g.json.primary_address, '1 Rathbone Square, London, W1T 1FB, GB');
      assert.equal(g.json.department, 'R&D');
      assert.equal(g.json.is_frontline, true);
      assert.ok(g.json.picture.data.url.startsWith(`${ts.base}/media/`), 'the photo is fetched and served from the server');
      assert.equal(g.json.external_id, 'hr-42');
      // One audit event, by the integration, with the new values.
      const [event] = await auditOf(ts, u.id);
      assert.equal(event.action, 'account.provisioned');
      assert.equal(event.actor_type, 'integration');
      assert.equal(event.actor_id, appId);
      assert.equal(event.new_value.title, 'Engineer');
      assert.ok(!('password_hash' in event.new_value));
    });

    test('safe retries: the same userName or externalId answers 409 uniqueness naming the existing id; nothing is duplicated', async () => {
      const body = newUser({ externalId: 'retry-1' });
      const first = await scim.post('/Users', body);
      assert.equal(first.status, 201);
      const again = await scim.post('/Users', { ...body, userName: String(body.userName).toUpperCase() });
      assertScimError(again, 409, 'uniqueness');
      assert.match(again.json.detail, new RegExp(first.json.id));
      const byExternal = await scim.post('/Users', newUser({ externalId: 'retry-1' }));
      assertScimError(byExternal, 409, 'uniqueness');
      assert.match(byExternal.json.detail, new RegExp(`externalId.*${first.json.id}`));
      const list = await scim.get(`/Users?filter=${encodeURIComponent('externalId eq "retry-1"')}`);
      assert.equal(list.json.totalResults, 1);
    });

    test('GET by id, If-None-Match 304, unknown id 404', async () => {
      const created = await scim.post('/Users', newUser());
      const r = await scim.get(`/Users/${created.json.id}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, created.json);
      const cached = await scim.get(`/Users/${created.json.id}`, { 'if-none-match': r.headers.get('etag')! });
      assert.equal(cached.status, 304);
      assertScimError(await scim.get('/Users/99999999999'), 404);
      assertScimError(await scim.get('/Users/not-a-number'), 404);
    });

    test('list paging: 1-based startIndex, itemsPerPage = returned, totalResults always', async () => {
      const all = await scim.get('/Users?count=1000');
      const total = all.json.totalResults;
      assert.ok(total >= 5);
      assert.deepEqual(all.json.schemas, [LIST]);
      assert.equal(all.json.itemsPerPage, all.json.Resources.length);
      const ids: string[] = [];
      for (let start = 1; start <= total; start += 2) {
        const page = await scim.get(`/Users?startIndex=${start}&count=2`);
        assert.equal(page.json.startIndex, start);
        assert.equal(page.json.totalResults, total);
        assert.equal(page.json.itemsPerPage, page.json.Resources.length);
        ids.push(...page.json.Resources.map((u: { id: string }) => u.id));
      }
      assert.deepEqual(ids, all.json.Resources.map((u: { id: string }) => u.id));
      const past = await scim.get(`/Users?startIndex=${total + 5}&count=10`);
      assert.equal(past.json.itemsPerPage, 0);
      assert.equal(past.json.totalResults, total);
      const zero = await scim.get('/Users?count=0');
      assert.equal(zero.json.itemsPerPage, 0);
      assert.equal(zero.json.totalResults, total);
      const low = await scim.get('/Users?startIndex=-3&count=1');
      assert.equal(low.json.startIndex, 1);
      assertScimError(await scim.get('/Users?count=many'), 400, 'invalidValue');
    });

    test('sortBy and sortOrder', async () => {
      const asc = await scim.get('/Users?sortBy=userName&count=1000');
      const names = asc.json.Resources.map((u: { userName?: string }) => (u.userName ?? '').toLowerCase());
      assert.deepEqual(names, [...names].sort());
      const desc = await scim.get('/Users?sortBy=userName&sortOrder=descending&count=1000');
      assert.deepEqual(desc.json.Resources.map((u: { id: string }) => u.id), asc.json.Resources.map((u: { id: string }) => u.id).reverse());
      const byTitle = await scim.get('/Users?sortBy=title&count=1000');
      assert.equal(byTitle.status, 200);
      assertScimError(await scim.get('/Users?sortBy=nope'), 400, 'invalidValue');
    });

    test('attributes and excludedAttributes, including extension attributes', async () => {
      const created = await scim.post('/Users', newUser({ title: 'T', [ENT]: { department: 'D', costCenter: 'C' } }));
      const id = created.json.id;
      const only = await scim.get(`/Users/${id}?attributes=userName,name.givenName,${ENT}:department`);
      assert.deepEqual(Object.keys(only.json).sort(), ['id', 'name', 'schemas', 'userName', ENT].sort());
      assert.deepEqual(only.json.name, { givenName: created.json.name.givenName });
      assert.deepEqual(only.json[ENT], { department: 'D' });
      const emailsOnly = await scim.get(`/Users/${id}?attributes=emails.value`);
      assert.deepEqual(emailsOnly.json.emails, [{ value: created.json.userName }]);
      const without = await scim.get(`/Users/${id}?excludedAttributes=emails,meta,${ENT}:costCenter,title`);
      assert.equal(without.json.emails, undefined);
      assert.equal(without.json.meta, undefined);
      assert.equal(without.json.title, undefined);
      assert.deepEqual(without.json[ENT], { department: 'D' });
      assert.equal(without.json.id, id);
      const list = await scim.get(`/Users?filter=${encodeURIComponent(`id eq "${id}"`)}&attributes=userName`);
      assert.deepEqual(Object.keys(list.json.Resources[0]).sort(), ['id', 'schemas', 'userName']);
    });

    test('PUT: given attributes replace, absent ones are kept, null/""/[] clear; read-only ones are ignored', async () => {
      const created = await scim.post('/Users', newUser({ title: 'Old', nickName: 'Nick', phoneNumbers: [{ value: '1', primary: true }], [ENT]: { department: 'D1', division: 'V1' } }));
      const id = created.json.id;
      const r = await scim.put(`/Users/${id}`, { schemas: [CORE], title: 'New', nickName: null, phoneNumbers: [], [ENT]: { department: 'D2' }, id: '123', meta: { created: 'x' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.id, id);
      assert.equal(r.json.title, 'New');
      assert.equal(r.json.nickName, undefined);
      assert.equal(r.json.phoneNumbers, undefined);
      assert.equal(r.json.userName, created.json.userName, 'absent userName kept');
      assert.deepEqual(r.json.name, created.json.name, 'absent name kept');
      assert.equal(r.json[ENT].department, 'D2');
      assert.equal(r.json[ENT].division, 'V1', 'absent extension attribute kept');
      assert.equal(r.json.meta.created, created.json.meta.created);
      assert.notEqual(r.json.meta.version, created.json.meta.version);
      const [, update] = await auditOf(ts, id);
      assert.equal(update.action, 'account.updated');
      assert.equal(update.old_value.title, 'Old');
      assert.equal(update.new_value.title, 'New');
      assert.equal(update.old_value.department, 'D1');
      // The whole resource as read (Workplace's GET-merge-PUT) changes nothing and records nothing.
      const before = (await auditOf(ts, id)).length;
      const same = await scim.put(`/Users/${id}`, r.json);
      assert.equal(same.status, 200);
      assert.equal(same.json.meta.version, r.json.meta.version);
      assert.equal((await auditOf(ts, id)).length, before);
    });

    test('ETags: If-Match with a stale version is 412; with the current one it works', async () => {
      const created = await scim.post('/Users', newUser());
      const id = created.json.id;
      const etag = created.headers.get('etag')!;
      const ok = await scim.put(`/Users/${id}`, { title: 'A' }, { 'if-match': etag });
      assert.equal(ok.status, 200);
      assertScimError(await scim.put(`/Users/${id}`, { title: 'B' }, { 'if-match': etag }), 412);
      assertScimError(await scim.ops(`/Users/${id}`, [{ op: 'replace', path: 'title', value: 'C' }], { 'if-match': etag }), 412);
      assertScimError(await scim.delete(`/Users/${id}`, { 'if-match': etag }), 412);
      assert.equal((await scim.get(`/Users/${id}`)).json.title, 'A');
      assert.equal((await scim.put(`/Users/${id}`, { title: 'D' }, { 'if-match': '*' })).status, 200);
    });

    test('DELETE: never-claimed accounts go (200 on /scim, 204 on /scim/v2), claimed ones answer 412', async () => {
      const a = await scim.post('/Users', newUser());
      const d = await scim.delete(`/Users/${a.json.id}`);
      assert.equal(d.status, 200);
      assert.equal(d.text, '');
      assertScimError(await scim.get(`/Users/${a.json.id}`), 404);
      const b = await rfc.post('/Users', newUser());
      assert.equal((await rfc.delete(`/Users/${b.json.id}`)).status, 204);
      const claimed = await ts.member({ email: 'claimed.person@example.com', name: 'Claimed Person' });
      const refused = await scim.delete(`/Users/${claimed.id}`);
      assertScimError(refused, 412);
      assert.match(refused.json.detail, /deactivate/);
      assertScimError(await scim.delete(`/Users/${a.json.id}`), 404);
    });

    test('managers: managerId (Workplace) and value (RFC) both work; unknown managers and cycles are refused', async () => {
      const a = await scim.post('/Users', newUser());
      const b = await scim.post('/Users', newUser({ [ENT]: { manager: { value: a.json.id } } }));
      assert.equal(b.json[ENT].manager.value, a.json.id);
      const c = await scim.post('/Users', newUser({ [ENT]: { manager: { managerId: b.json.id } } }));
      assert.equal(c.json[ENT].manager.managerId, b.json.id);
      const unknown = await scim.post('/Users', newUser({ [ENT]: { manager: { managerId: '12345' } } }));
      assertScimError(unknown, 400, 'invalidValue');
      assert.match(unknown.json.detail, /12345/);
      const cycle = await scim.put(`/Users/${a.json.id}`, { [ENT]: { manager: { managerId: c.json.id } } });
      assertScimError(cycle, 400, 'invalidValue');
      assert.match(cycle.json.detail, /cycle/);
      assert.match(cycle.json.detail, new RegExp(`${a.json.id} → ${c.json.id} → ${b.json.id} → ${a.json.id}`));
      const self = await scim.put(`/Users/${a.json.id}`, { [ENT]: { manager: { value: a.json.id } } });
      assertScimError(self, 400, 'invalidValue');
      // Workplace's GET-merge-PUT: the read resource with a new managerId (its value still the old one).
      const read = (await scim.get(`/Users/${c.json.id}`)).json;
      read[ENT].manager.managerId = a.json.id;
      const moved = await scim.put(`/Users/${c.json.id}`, read);
      assert.equal(moved.json[ENT].manager.value, a.json.id);
      // Ids too long for a double, sent as JSON numbers as Workplace's samples do, stay exact.
      const bigNumber = await http('POST', `${scim.base}/Users`, {
        token,
        headers: { 'content-type': 'application/json' },
        body: `{"schemas":["${CORE}"],"userName":"bignum@example.com","${ENT}":{"manager":{"managerId":${a.json.id}}}}`,
      });
      assert.equal(bigNumber.status, 201, bigNumber.text);
      assert.equal(bigNumber.json[ENT].manager.managerId, a.json.id);
    });

    test('content types: scim+json, json, none, text/plain; /Users and /Users/; no User-Agent needed', async () => {
      const body = JSON.stringify(newUser());
      for (const type of ['application/scim+json', 'application/json; charset=utf-8', undefined, 'text/plain']) {
        const user = JSON.parse(body);
        user.userName = `ct.${type ?? 'none'}.${Math.random()}@example.com`.replace(/[^a-z0-9.@]/gi, '');
        const headers: Record<string, string> = { authorization: `Bearer ${token}` };
        if (type) headers['content-type'] = type;
        const r = await fetch(`${scim.base}/Users/`, { method: 'POST', headers, body: JSON.stringify(user) });
        assert.equal(r.status, 201, `${type}: ${await r.text()}`);
      }
      const plain = await scim.get('/Users?count=1', { accept: 'application/json' });
      assert.match(plain.headers.get('content-type') ?? '', /^application\/json/);
      const noAgent = await fetch(`${scim.base}/Users?count=1`, { headers: { authorization: `Bearer ${token}`, 'user-agent': '' } });
      assert.equal(noAgent.status, 200);
    });

    test('errors: bad JSON 400 invalidSyntax, wrong types 400 invalidValue, huge body 413, unknown path 404 — never 500', async () => {
      const bad = await http('POST', `${scim.base}/Users`, { token, headers: { 'content-type': 'application/scim+json' }, body: '{"userName": ' });
      assertScimError(bad, 400, 'invalidSyntax');
      assertScimError(await http('POST', `${scim.base}/Users`, { token, headers: { 'content-type': 'application/json' }, body: '[1,2]' }), 400, 'invalidSyntax');
      assertScimError(await scim.post('/Users', { userName: 42.5e300, active: 'maybe' }), 400, 'invalidValue');
      assertScimError(await scim.post('/Users', { userName: 'not an email@' }), 400, 'invalidValue');
      assertScimError(await scim.post('/Users', { name: { formatted: 'Nobody' } }), 400, 'invalidValue');
      assertScimError(await scim.post('/Users', newUser({ emails: 'x' })), 400, 'invalidValue');
      assertScimError(await scim.post('/Users', newUser({ [AUTH]: { authMethod: 'magic' } })), 400, 'invalidValue');
      assertScimError(await scim.post('/Users', newUser({ photos: [{ value: 'javascript:alert(1)' }] })), 400, 'invalidValue');
      const huge = await scim.post('/Users', newUser({ title: 'x'.repeat(2 * 1024 * 1024) }));
      assertScimError(huge, 413);
      assertScimError(await scim.get('/Nope'), 404);
      assertScimError(await scim.get('/Users/1/extra'), 404);
      assertScimError(await scim.put('/Users', {}), 404);
      for (const weird of ['/Users?filter=%', '/Users?startIndex=1e999', '/Users?attributes=%%%', '/Users/%E0%A4%A']) {
        const r = await scim.get(weird);
        assert.ok(r.status < 500, `${weird}: ${r.status} ${r.text}`);
      }
    });

    test('401 with an Error body and WWW-Authenticate; 403 without manage_accounts; discovery needs no token', async () => {
      const none = await http('GET', `${scim.base}/Users`);
      assertScimError(none, 401);
      assert.match(none.headers.get('www-authenticate') ?? '', /Bearer/);
      assertScimError(await http('GET', `${scim.base}/Users`, { token: 'garbage' }), 401);
      assertScimError(await http('POST', `${scim.base}/Users`, { headers: { 'content-type': 'application/json' }, body: '{broken' }), 401);
      const preflight = await http('OPTIONS', `${scim.base}/Users`, { headers: { origin: 'https://app.example', 'access-control-request-method': 'PATCH' } });
      assert.equal(preflight.status, 204);
      assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /PATCH/);
      const reader = await ts.integration(['read_group', 'manage_work_profile']);
      const forbidden = await http('GET', `${scim.base}/Users`, { token: reader.access_token });
      assertScimError(forbidden, 403);
      assert.match(forbidden.json.detail, /manage_accounts/);
      assertScimError(await http('POST', `${scim.base}/Users`, { token: reader.access_token, json: newUser() }), 403);
      assert.equal((await http('GET', `${scim.base}/ServiceProviderConfig`)).status, 200);
    });

    test('POST /Users/.search', async () => {
      const created = await scim.post('/Users', newUser({ externalId: 'search-me' }));
      const r = await rfc.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'externalId eq "search-me"', attributes: ['userName'], startIndex: 1, count: 10 });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.totalResults, 1);
      assert.deepEqual(r.json.Resources[0], { schemas: created.json.schemas, id: created.json.id, userName: created.json.userName });
    });

    test('v1 extension URNs and Workplace typos in a 2.0 request are understood', async () => {
      const r = await scim.post('/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0/User', V1.dates],
        userName: 'mixed@example.com',
        externalID: 'mixed-1',
        name: { formatted: 'Mixed Case' },
        email: [{ value: 'mixed@example.com', primary: true, type: 'work' }],
        [V1.dates]: { startDate: 1514764800, termDate: 0 },
        [V1.auth]: { auth_method: 'password' },
      });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.externalId, 'mixed-1');
      assert.deepEqual(r.json[DATES], { startDate: 1514764800 });
      assert.deepEqual(r.json[AUTH], { authMethod: 'password' });
    });

    test('an email-less account: externalId only; it is invited at once and gets an access code', async () => {
      const r = await scim.post('/Users', { schemas: [CORE], externalId: 'frontline-7', name: { formatted: 'Julius Caesar' } });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.userName, undefined);
      assert.equal(r.json[STATUS].invited, true);
      assert.match(r.json[STATUS].accessCode, /^[A-Z2-9]{10}$/);
      assert.match(r.json[STATUS].claimLink, new RegExp(`^${ts.base}/claim/`));
    });
  });
}

for (const dialect of await dialects()) {
  describe(`SCIM rate limits (${dialect})`, () => {
    let ts: TestServer;
    before(async () => {
      ts = await startServer(dialect, { env: { ...IMAGE_HOST_ENV, COMMONPLACE_RATE_LIMIT: '3' } });
    });
    after(() => ts.close());

    test('429 with Retry-After and an Error body once the budget is spent', async () => {
      const app = await ts.integration(['manage_accounts']);
      const scim = scimClient(ts, app.access_token);
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 5; i++) {
        last = await scim.get('/Users');
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      assertScimError(last!, 429);
      assert.ok(Number(last!.headers.get('retry-after')) > 0);
    });
  });
}
