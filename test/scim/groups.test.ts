import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { assertScimError, auditOf, GROUP, LIST, newUser, scimClient, USER_URN_V1 } from './helpers.js';

for (const dialect of await dialects()) {
  describe(`SCIM Groups = people sets (${dialect})`, () => {
    let ts: TestServer;
    let scim: ReturnType<typeof scimClient>;
    let v1: ReturnType<typeof scimClient>;
    const users: string[] = [];
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      const app = await ts.integration(['manage_accounts']);
      scim = scimClient(ts, app.access_token, 'v2');
      v1 = scimClient(ts, app.access_token, 'v1');
      for (let i = 0; i < 4; i++) users.push((await scim.post('/Users', newUser())).json.id);
    });
    after(() => ts.close());

    const members = (r: { json: { members?: { value: string }[] } }) => (r.json.members ?? []).map((m) => m.value).sort();

    test('POST (Workplace sample shape: numeric value, type "user") → 201 with members; duplicate name → 409', async () => {
      const r = await scim.post('/Groups', { schemas: [GROUP], displayName: 'London Shop Floor', members: [{ type: 'user', value: Number(users[0]) > Number.MAX_SAFE_INTEGER ? users[0] : Number(users[0]) }, { value: users[1] }] });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.headers.get('location'), `${ts.base}/scim/v2/Groups/${r.json.id}`);
      assert.equal(r.json.displayName, 'London Shop Floor');
      assert.deepEqual(members(r), [users[0], users[1]].sort());
      assert.equal(r.json.members[0].type, 'User');
      assert.ok(r.json.members[0].display);
      assert.equal(r.json.meta.resourceType, 'Group');
      const dup = await scim.post('/Groups', { displayName: 'london shop floor' });
      assertScimError(dup, 409, 'uniqueness');
      assert.match(dup.json.detail, new RegExp(r.json.id));
      assertScimError(await scim.post('/Groups', { displayName: 'Ghosts', members: [{ value: '12345' }] }), 400, 'invalidValue');
      assertScimError(await scim.post('/Groups', { displayName: 'Nested', members: [{ value: r.json.id, type: 'Group' }] }), 400, 'invalidValue');
      assertScimError(await scim.post('/Groups', { members: [] }), 400, 'invalidValue');
    });

    test('GET, list with filters, excludedAttributes=members, paging', async () => {
      const a = await scim.post('/Groups', { displayName: 'Alpha', externalId: 'g-alpha', members: [{ value: users[2] }] });
      const got = await scim.get(`/Groups/${a.json.id}`);
      assert.deepEqual(got.json, a.json);
      const byName = await scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "ALPHA"')}`);
      assert.deepEqual(byName.json.schemas, [LIST]);
      assert.deepEqual(byName.json.Resources.map((g: { id: string }) => g.id), [a.json.id]);
      const byMember = await scim.get(`/Groups?filter=${encodeURIComponent(`members[value eq "${users[2]}"]`)}&excludedAttributes=members`);
      assert.deepEqual(byMember.json.Resources.map((g: { id: string }) => g.id), [a.json.id]);
      assert.equal(byMember.json.Resources[0].members, undefined);
      const entra = await scim.get(`/Groups?filter=${encodeURIComponent(`id eq "${a.json.id}" and members[value eq "${users[0]}"]`)}&excludedAttributes=members`);
      assert.equal(entra.json.totalResults, 0);
      const page = await scim.get('/Groups?startIndex=2&count=1&sortBy=displayName');
      assert.equal(page.json.itemsPerPage, 1);
      assert.ok(page.json.totalResults >= 2);
      assertScimError(await scim.get('/Groups?filter=displayName%20eq'), 400, 'invalidFilter');
      assertScimError(await scim.get('/Groups/424242'), 404);
    });

    test('PATCH: add and remove members, by value list and by filter; rename; no-path replace with the id echoed (Okta)', async () => {
      const g = (await scim.post('/Groups', { displayName: 'Patchable', members: [{ value: users[0] }] })).json;
      let r = await scim.ops(`/Groups/${g.id}`, [{ op: 'Add', path: 'members', value: [{ value: users[1] }, { value: users[2] }] }]);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(members(r), [users[0], users[1], users[2]].sort());
      r = await scim.ops(`/Groups/${g.id}`, [{ op: 'remove', path: `members[value eq "${users[1]}"]` }]);
      assert.deepEqual(members(r), [users[0], users[2]].sort());
      r = await scim.ops(`/Groups/${g.id}`, [{ op: 'remove', path: 'members', value: [{ value: users[0] }] }]);
      assert.deepEqual(members(r), [users[2]]);
      r = await scim.ops(`/Groups/${g.id}`, [{ op: 'replace', value: { id: g.id, displayName: 'Patched' } }]);
      assert.equal(r.json.displayName, 'Patched');
      r = await scim.ops(`/Groups/${g.id}`, [{ op: 'replace', path: 'members', value: [{ value: users[3] }] }]);
      assert.deepEqual(members(r), [users[3]]);
      r = await scim.ops(`/Groups/${g.id}`, [{ op: 'remove', path: 'members' }]);
      assert.equal(r.json.members, undefined);
      assertScimError(await scim.ops(`/Groups/${g.id}`, [{ op: 'add', path: 'members', value: [{ value: '999' }] }]), 400, 'invalidValue');
      assertScimError(await scim.ops(`/Groups/${g.id}`, [{ op: 'replace', path: 'colour', value: 'x' }]), 400, 'invalidPath');
      assertScimError(await scim.ops(`/Groups/${g.id}`, [{ op: 'replace', path: 'id', value: 'x' }]), 400, 'mutability');
      assertScimError(await scim.ops(`/Groups/${g.id}`, [{ op: 'remove', path: 'members[display eq "x"]' }]), 400, 'invalidFilter');
      const events = (await auditOf(ts, g.id)).map((e) => e.action);
      assert.deepEqual(events, ['people_set.created', 'people_set.members_changed', 'people_set.members_changed', 'people_set.members_changed', 'people_set.members_changed', 'people_set.updated', 'people_set.members_changed', 'people_set.members_changed']);
    });

    test('PUT replaces the member list when given and keeps what it leaves out; DELETE 204 on v2, 200 on /scim', async () => {
      const g = (await scim.post('/Groups', { displayName: 'Puttable', externalId: 'put-1', members: [{ value: users[0] }] })).json;
      let r = await scim.put(`/Groups/${g.id}`, { schemas: [GROUP], displayName: 'Put Renamed', members: [{ value: users[1] }, { value: users[2] }] });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(members(r), [users[1], users[2]].sort());
      assert.equal(r.json.externalId, 'put-1');
      r = await scim.put(`/Groups/${g.id}`, { displayName: 'Put Again' });
      assert.deepEqual(members(r), [users[1], users[2]].sort(), 'absent members are kept');
      assertScimError(await scim.put(`/Groups/${g.id}`, { displayName: 'x' }, { 'if-match': g.meta.version }), 412);
      assert.equal((await scim.delete(`/Groups/${g.id}`)).status, 204);
      assertScimError(await scim.get(`/Groups/${g.id}`), 404);
      const other = (await scim.post('/Groups', { displayName: 'Workplace delete' })).json;
      const workplace = scimClient(ts, (await ts.integration(['manage_accounts'])).access_token);
      assert.equal((await workplace.delete(`/Groups/${other.id}`)).status, 200);
    });

    test('deleting an account takes it out of its sets', async () => {
      const u = (await scim.post('/Users', newUser())).json.id;
      const g = (await scim.post('/Groups', { displayName: 'Leavers', members: [{ value: u }, { value: users[0] }] })).json;
      await scim.delete(`/Users/${u}`);
      assert.deepEqual(members(await scim.get(`/Groups/${g.id}`)), [users[0]]);
    });

    test('v1: urn:scim:schemas:core:1.0 groups, SCIM 1.1 PATCH with operation "delete" and meta.attributes', async () => {
      const r = await v1.post('/Groups', { schemas: [USER_URN_V1], displayName: 'V1 Set', members: [{ type: 'user', value: users[0] }] });
      assert.equal(r.status, 201, r.text);
      assert.deepEqual(r.json.schemas, [USER_URN_V1]);
      assert.deepEqual(r.json.members, [{ value: users[0], display: r.json.members[0].display }]);
      let p = await v1.patch(`/Groups/${r.json.id}`, { schemas: [USER_URN_V1], members: [{ value: users[1] }, { value: users[0], operation: 'delete' }] });
      assert.equal(p.status, 200, p.text);
      assert.deepEqual(members(p), [users[1]]);
      p = await v1.patch(`/Groups/${r.json.id}`, { meta: { attributes: ['members'] }, displayName: 'V1 Renamed' });
      assert.equal(p.json.members, undefined);
      assert.equal(p.json.displayName, 'V1 Renamed');
      const list = await v1.get('/Groups');
      assert.deepEqual(list.json.schemas, [USER_URN_V1]);
      assert.equal((await v1.delete(`/Groups/${r.json.id}`)).status, 200);
    });
  });
}
