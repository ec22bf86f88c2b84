import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { AUTH, CORE, DATES, ENT, FRONTLINE, scimClient, STATUS, V1 } from './helpers.js';
import { IMAGE_HOST_ENV, startImageHost } from '../helpers/images.js';

// Photos given by URL are fetched by the server: they come from a real image host on 127.0.0.1.
const images = await startImageHost();
after(() => images.close());

for (const dialect of await dialects()) {
  describe(`legacy SCIM 1.x at /scim/v1 (${dialect})`, () => {
    let ts: TestServer;
    let v1: ReturnType<typeof scimClient>;
    let managerId: string;
    before(async () => {
      ts = await startServer(dialect, { env: { ...IMAGE_HOST_ENV, COMMONPLACE_RATE_LIMIT: '0' } });
      const app = await ts.integration(['manage_accounts']);
      v1 = scimClient(ts, app.access_token, 'v1');
      managerId = (await v1.post('/Users', { schemas: [V1.core], userName: 'jennie@example.com', name: { formatted: 'Jennie' } })).json.id;
    });
    after(() => ts.close());

    test("POST with Workplace's Postman body: 1.0 URNs, auth_method, numeric managerId, invited → 201 in 1.x shapes", async () => {
      const r = await v1.post('/Users/', {
        schemas: [V1.core, V1.ent, V1.dates, V1.status, V1.auth],
        userName: 'joe.bloggs@example.com',
        name: { formatted: 'Joe Bloggs', familyName: 'Bloggs', givenName: 'Joe', middleName: 'Peter', honorificPrefix: 'Mr', honorificSuffix: 'III' },
        preferredLanguage: 'en_GB',
        title: 'Solutions Architect',
        locale: 'en_GB',
        active: true,
        phoneNumbers: [{ primary: false, type: 'home', value: '+44-7723-098712' }, { primary: true, type: 'work', value: '+44-7712-345634;ext=12345' }],
        photos: [{ primary: true, type: 'profile', value: images.url('joe.jpg') }],
        addresses: [{ type: 'work', formatted: 'London, W1T 1FB', streetAddress: '1 Rathbone Square', locality: 'London', region: 'Greater London', postalCode: 'W1T 1FB', country: 'United Kingdom', primary: true }],
        [V1.ent]: { employeeNumber: '12345', costCenter: '98765', division: 'Partnerships', department: 'Workplace', manager: { managerId: Number(managerId) <= Number.MAX_SAFE_INTEGER ? Number(managerId) : managerId, displayName: 'Jennie' } },
        [V1.dates]: { startDate: 1514764800, termDate: 0 },
        [V1.status]: { claimed: false, claimLink: 'https://fb.me/aczICYbN9VU4yg', invited: true, inviteDate: 1454587629 },
        [V1.auth]: { auth_method: 'password' },
      });
      assert.equal(r.status, 201, r.text);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      const u = r.json;
      assert.deepEqual(u.schemas, [V1.core, V1.ent, V1.dates, V1.status, V1.auth, 'urn:scim:schemas:extension:facebook:frontline:1.0']);
      assert.equal(u[V1.ent].manager.managerId, managerId);
      assert.equal(u[V1.ent].department, 'Workplace');
      assert.deepEqual(u[V1.auth], { auth_method: 'password' });
      assert.deepEqual(u[V1.dates], { startDate: 1514764800 });
      assert.equal(u[V1.status].invited, true);
      assert.notEqual(u[V1.status].claimLink, 'https://fb.me/aczICYbN9VU4yg');
      assert.equal(u.meta.resourceType, undefined);
      assert.equal(u.meta.location, `${ts.base}/scim/v1/Users/${u.id}`);
      for (const urn of [CORE, ENT, DATES, STATUS, AUTH, FRONTLINE]) assert.equal(u[urn], undefined);
      const g = await http('GET', `${ts.graph}/${u.id}?fields=primary_phone,primary_address,title`, { token: (await ts.integration(['manage_accounts'])).access_token });
      assert.equal(g.json.primary_phone, '+44-7712-345634;ext=12345');
      assert.equal(g.json.primary_address, 'London, W1T 1FB');
    });

    test('an email-less account (Postman "POST /USER (email-less)")', async () => {
      const r = await v1.post('/Users/', {
        schemas: [V1.core, V1.auth, V1.ent],
        externalId: '1745847',
        name: { formatted: 'Julius Caesar' },
        active: true,
        timezone: 'America/Los_Angeles',
        [V1.auth]: { auth_method: 'password' },
        [V1.ent]: { department: 'Sales' },
      });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.externalId, '1745847');
      assert.equal(r.json[V1.status].invited, true);
    });

    test('filters: userName and externalID (v1 casing), half-encoded as Postman sends them; 1.x ListResponse', async () => {
      const r = await v1.get(`/Users?filter=userName%20eq%20%22JOE.BLOGGS%40example.com%22`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.schemas, [V1.core]);
      assert.equal(r.json.totalResults, 1);
      assert.equal(r.json.itemsPerPage, 1);
      const ext = await v1.get('/Users?filter=externalID%20eq%20%221745847%22');
      assert.equal(ext.json.Resources[0].externalId, '1745847');
      const page = await v1.get('/Users?startIndex=2&count=1');
      assert.equal(page.json.startIndex, 2);
      assert.equal(page.json.itemsPerPage, 1);
      assert.equal(page.json.totalResults, 4);
    });

    test("PUT with Workplace's Postman body (the `email` typo) and SCIM 1.1 PATCH", async () => {
      const created = await v1.post('/Users', { schemas: [V1.core], userName: 'put.me@example.com', name: { formatted: 'Put Me' }, nickName: 'Nick', phoneNumbers: [{ value: '1', type: 'work' }, { value: '2', type: 'home' }] });
      const id = created.json.id;
      const put = await v1.put(`/Users/${id}`, {
        schemas: [V1.core, V1.ent, V1.status],
        userName: 'put.me@example.com',
        name: { familyName: 'Me', givenName: 'Put', formatted: 'Put Me' },
        displayName: 'pme',
        title: 'Solutions Architect',
        email: [{ primary: true, type: 'work', value: 'put.me@example.com' }, { type: 'home', value: 'home@example.com' }],
        [V1.ent]: { department: 'Workplace', manager: { managerId, displayName: 'manager@domain.com' } },
        [V1.status]: { claimed: false, invited: false },
      });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.json.title, 'Solutions Architect');
      assert.equal(put.json.emails.length, 2);
      assert.equal(put.json[V1.ent].manager.managerId, managerId);
      const patch = await v1.patch(`/Users/${id}`, {
        schemas: [V1.core],
        title: 'Principal',
        phoneNumbers: [{ value: '2', operation: 'delete' }, { value: '3', type: 'mobile' }],
        meta: { attributes: ['nickName', `${V1.ent}:department`] },
      });
      assert.equal(patch.status, 200, patch.text);
      assert.equal(patch.json.title, 'Principal');
      assert.equal(patch.json.nickName, undefined);
      assert.equal(patch.json[V1.ent].department, undefined);
      assert.deepEqual(patch.json.phoneNumbers.map((p: { value: string }) => p.value), ['1', '3']);
    });

    test('DELETE answers 200; errors carry the SCIM 1.1 Errors list and the Graph-style error object', async () => {
      const created = await v1.post('/Users', { schemas: [V1.core], userName: 'gone@example.com' });
      assert.equal((await v1.delete(`/Users/${created.json.id}`)).status, 200);
      const missing = await v1.get(`/Users/${created.json.id}`);
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.json.Errors, [{ description: `User ${created.json.id} not found`, code: '404' }]);
      assert.equal(missing.json.error.message, `User ${created.json.id} not found`);
      const dup = await v1.post('/Users', { userName: 'JENNIE@example.com' });
      assert.equal(dup.status, 409);
      assert.match(dup.json.error.message, new RegExp(managerId));
      const unauth = await http('GET', `${v1.base}/Users`);
      assert.equal(unauth.status, 401);
      assert.equal(unauth.json.Errors[0].code, '401');
    });

    test('ServiceProviderConfigs and Schemas/Users in 1.x form', async () => {
      const config = await v1.get('/ServiceProviderConfigs');
      assert.equal(config.status, 200);
      assert.deepEqual(config.json.schemas, [V1.core]);
      assert.equal(config.json.patch.supported, true);
      assert.equal(config.json.authenticationSchemes[0].name, 'OAuth Bearer Token');
      const schema = await v1.get('/Schemas/Users');
      assert.equal(schema.json.id, V1.core);
      assert.equal(schema.json.name, 'User');
      assert.ok(schema.json.attributes.some((a: { name: string; schema: string }) => a.name === 'userName' && a.schema === V1.core));
      const auth = await v1.get(`/Schemas/${V1.auth}`);
      assert.equal(auth.json.attributes[0].name, 'auth_method');
      const all = await v1.get('/Schemas');
      assert.ok(all.json.Resources.length >= 6);
    });
  });
}
