import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { AUTH, assertScimError, CORE, DATES, ENT, FRONTLINE, GROUP, LIST, STATUS } from './helpers.js';

const [dialect] = await dialects();

describe(`SCIM discovery (${dialect})`, () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer(dialect);
  });
  after(() => ts.close());

  test('ServiceProviderConfig (RFC) and ServiceProviderConfigs (Workplace), on /scim and /scim/v2, without a token', async () => {
    for (const path of ['/scim/ServiceProviderConfig', '/scim/ServiceProviderConfigs', '/scim/v2/ServiceProviderConfig', '/scim/v2/serviceproviderconfig/']) {
      const r = await http('GET', `${ts.base}${path}`);
      assert.equal(r.status, 200, path);
      assert.deepEqual(r.json.schemas, ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
      assert.deepEqual(
        { patch: r.json.patch.supported, bulk: r.json.bulk.supported, filter: r.json.filter.supported, sort: r.json.sort.supported, etag: r.json.etag.supported, changePassword: r.json.changePassword.supported },
        { patch: true, bulk: true, filter: true, sort: true, etag: true, changePassword: false },
      );
      assert.deepEqual(r.json.bulk, { supported: true, maxOperations: 1000, maxPayloadSize: 1024 * 1024 });
      assert.equal(r.json.filter.maxResults, 1000);
      assert.equal(r.json.authenticationSchemes[0].type, 'oauthbearertoken');
    }
  });

  test('ResourceTypes: User with its five extensions, Group', async () => {
    const r = await http('GET', `${ts.base}/scim/v2/ResourceTypes`);
    assert.deepEqual(r.json.schemas, [LIST]);
    assert.equal(r.json.totalResults, 2);
    const [user, group] = r.json.Resources;
    assert.equal(user.endpoint, '/Users');
    assert.equal(user.schema, CORE);
    assert.deepEqual(user.schemaExtensions.map((e: { schema: string }) => e.schema), [ENT, DATES, STATUS, AUTH, FRONTLINE]);
    assert.equal(group.schema, GROUP);
    assert.equal((await http('GET', `${ts.base}/scim/v2/ResourceTypes/User`)).json.id, 'User');
    assertScimError(await http('GET', `${ts.base}/scim/v2/ResourceTypes/Printer`), 404);
  });

  test('Schemas: every URN, one by URN, /Schemas/Users; mutability as the API enforces it', async () => {
    const r = await http('GET', `${ts.base}/scim/Schemas`);
    assert.deepEqual(r.json.Resources.map((s: { id: string }) => s.id), [CORE, GROUP, ENT, DATES, STATUS, AUTH, FRONTLINE]);
    const status = await http('GET', `${ts.base}/scim/v2/Schemas/${STATUS}`);
    const mutability = Object.fromEntries(status.json.attributes.map((a: { name: string; mutability: string }) => [a.name, a.mutability]));
    assert.deepEqual(mutability, { invited: 'readWrite', claimed: 'readOnly', inviteDate: 'readOnly', claimDate: 'readOnly', claimLink: 'readOnly', accessCode: 'readOnly' });
    const users = await http('GET', `${ts.base}/scim/Schemas/Users`);
    assert.equal(users.json.id, CORE);
    const manager = (await http('GET', `${ts.base}/scim/v2/Schemas/${ENT}`)).json.attributes.find((a: { name: string }) => a.name === 'manager');
    assert.deepEqual(manager.subAttributes.map((s: { name: string }) => s.name), ['managerId', 'value', '$ref', 'displayName']);
    assertScimError(await http('GET', `${ts.base}/scim/v2/Schemas/urn:nope`), 404);
  });
});
