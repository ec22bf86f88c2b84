import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { scimPatch, type ScimPatchOperation, type ScimResource } from 'scim-patch';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { AUTH, assertScimError, CORE, DATES, ENT, newUser, PATCH_OP, scimClient, STATUS } from './helpers.js';

type Json = Record<string, any>;

/** What both sides are compared on: the resource without server bookkeeping (meta, schemas, manager's derived keys). */
function comparable(resource: Json): Json {
  const out = structuredClone(resource);
  delete out.meta;
  delete out.schemas;
  const manager = out[ENT]?.manager;
  if (manager) out[ENT].manager = { value: manager.value ?? manager.managerId };
  return out;
}

for (const dialect of await dialects()) {
  describe(`SCIM 2.0 PATCH against the scim-patch oracle (${dialect})`, () => {
    let ts: TestServer;
    let scim: ReturnType<typeof scimClient>;
    let bossId: string;
    let otherBossId: string;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      const app = await ts.integration(['manage_accounts']);
      scim = scimClient(ts, app.access_token, 'v2');
      bossId = (await scim.post('/Users', newUser({}, 'boss'))).json.id;
      otherBossId = (await scim.post('/Users', newUser({}, 'otherboss'))).json.id;
    });
    after(() => ts.close());

    const rich = () =>
      newUser({
        title: 'Engineer',
        nickName: 'Nick',
        externalId: `ext-${Math.random().toString(36).slice(2)}`,
        emails: undefined,
        phoneNumbers: [{ value: '+1 555 0100', type: 'work', primary: true }, { value: '+1 555 0199', type: 'home' }],
        addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Springfield', country: 'US', primary: true }],
        [ENT]: { department: 'R&D', costCenter: 'CC-7', manager: { value: bossId } },
        [AUTH]: { authMethod: 'password' },
      });

    /** PATCHes a fresh user and compares the answer with scim-patch applied to the resource as read. */
    async function oracle(operations: ScimPatchOperation[], setup: Json = rich()): Promise<Json> {
      const created = await scim.post('/Users', setup);
      assert.equal(created.status, 201, created.text);
      const read = (await scim.get(`/Users/${created.json.id}`)).json;
      const expected = scimPatch(structuredClone(read) as ScimResource, structuredClone(operations), { mutateDocument: false, treatMissingAsAdd: true });
      const r = await scim.ops(`/Users/${created.json.id}`, operations);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(comparable(r.json), comparable(expected as Json));
      const again = await scim.get(`/Users/${created.json.id}`);
      assert.deepEqual(again.json, r.json, 'the answer is what was stored');
      for (const key of Object.keys(r.json).filter((k) => k.startsWith('urn:'))) assert.ok(r.json.schemas.includes(key), `schemas lists ${key}`);
      return r.json;
    }

    const cases: [string, ScimPatchOperation[]][] = [
      ['replace a core attribute', [{ op: 'replace', path: 'title', value: 'Staff Engineer' }]],
      ['replace a sub-attribute', [{ op: 'replace', path: 'name.givenName', value: 'Janet' }]],
      ['add an absent attribute', [{ op: 'add', path: 'userType', value: 'Contractor' }]],
      ['remove an attribute', [{ op: 'remove', path: 'nickName' }]],
      ['remove a sub-attribute', [{ op: 'remove', path: 'name.familyName' }]],
      ['replace active (deactivate)', [{ op: 'replace', path: 'active', value: false }]],
      ['replace the authmethod extension path', [{ op: 'replace', path: `${AUTH}:authMethod`, value: 'sso' }]],
      ['add an enterprise attribute', [{ op: 'add', path: `${ENT}:division`, value: 'Platform' }]],
      ['replace an enterprise attribute', [{ op: 'replace', path: `${ENT}:department`, value: 'Sales' }]],
      ['remove an enterprise attribute', [{ op: 'remove', path: `${ENT}:costCenter` }]],
      ['add into an extension the resource does not carry yet', [{ op: 'add', path: `${DATES}:startDate`, value: 1767225600 }]],
      ['replace the manager by value', [{ op: 'replace', path: `${ENT}:manager.value`, value: 'OTHER' }]],
      ['remove the manager', [{ op: 'remove', path: `${ENT}:manager` }]],
      ['add a phone number', [{ op: 'add', path: 'phoneNumbers', value: [{ value: '+1 555 0142', type: 'mobile' }] }]],
      ['remove phone numbers by filter', [{ op: 'remove', path: 'phoneNumbers[type eq "home"]' }]],
      ['replace a value inside a filtered entry', [{ op: 'replace', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0111' }]],
      ['replace an address part', [{ op: 'replace', path: 'addresses[type eq "work"].locality', value: 'Shelbyville' }]],
      ['add emails', [{ op: 'add', path: 'emails', value: [{ value: 'second@example.com', type: 'home' }] }]],
      ['replace emails wholesale', [{ op: 'replace', path: 'emails', value: [{ value: 'only@example.com', type: 'work', primary: true }] }]],
      ['remove all addresses', [{ op: 'remove', path: 'addresses' }]],
      ['replace without a path', [{ op: 'replace', value: { title: 'Lead', nickName: 'Boss', active: false } } as ScimPatchOperation]],
      ['several operations in order', [
        { op: 'replace', path: 'title', value: 'One' },
        { op: 'add', path: `${ENT}:organization`, value: 'Org' },
        { op: 'remove', path: 'nickName' },
        { op: 'replace', path: 'title', value: 'Two' },
      ]],
      ['operation names in any case (Entra sends "Replace")', [{ op: 'Replace', path: 'title', value: 'Cased' } as unknown as ScimPatchOperation]],
    ];
    for (const [name, operations] of cases) {
      test(name, async () => {
        const ops = JSON.parse(JSON.stringify(operations).replaceAll('"OTHER"', JSON.stringify(otherBossId)));
        await oracle(ops);
      });
    }

    test('deactivate and reactivate through PATCH active', async () => {
      const off = await oracle([{ op: 'replace', path: 'active', value: false }]);
      assert.equal(off.active, false);
      const on = await scim.ops(`/Users/${off.id}`, [{ op: 'replace', path: 'active', value: true }]);
      assert.equal(on.json.active, true);
    });

    test("Entra's shapes: string booleans, a bare manager id, dotted and URN keys without a path", async () => {
      const created = await scim.post('/Users', rich());
      const id = created.json.id;
      const r = await scim.ops(`/Users/${id}`, [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Replace', path: `${ENT}:manager`, value: otherBossId },
        { op: 'Add', value: { 'name.givenName': 'Barbara', [`${ENT}:department`]: 'Ops', displayName: 'Babs' } },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'barbara@example.com' },
      ]);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.active, false);
      assert.equal(r.json[ENT].manager.value, otherBossId);
      assert.equal(r.json.name.givenName, 'Barbara');
      assert.equal(r.json[ENT].department, 'Ops');
      assert.equal(r.json.displayName, 'Babs');
      assert.equal(r.json.emails[0].value, 'barbara@example.com');
      assert.equal(r.json.userName, created.json.userName, 'the login stays the userName');
    });

    test('a complex value merges into the attribute: unnamed sub-attributes stay (RFC 7644 §3.5.2.3)', async () => {
      const created = await scim.post('/Users', rich());
      const r = await scim.ops(`/Users/${created.json.id}`, [
        { op: 'replace', path: 'name', value: { givenName: 'Merged' } },
        { op: 'replace', value: { [ENT]: { department: 'Merged Dept' } } },
      ]);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.name.givenName, 'Merged');
      assert.equal(r.json.name.familyName, created.json.name.familyName);
      assert.equal(r.json[ENT].department, 'Merged Dept');
      assert.equal(r.json[ENT].costCenter, 'CC-7');
    });

    test('invited=true through PATCH invites (claim link, mail)', async () => {
      const created = await scim.post('/Users', rich());
      assert.equal(created.json[STATUS].invited, false);
      const r = await scim.ops(`/Users/${created.json.id}`, [{ op: 'replace', path: `${STATUS}:invited`, value: true }]);
      assert.equal(r.json[STATUS].invited, true);
      assert.ok(r.json[STATUS].claimLink);
      const mail = await ts.ctx.db.selectFrom('mail_outbox').selectAll().where('member_id', '=', created.json.id).execute();
      assert.equal(mail.length, 1);
    });

    test('errors: read-only paths 400 mutability, unknown paths invalidPath, no match noTarget, bad requests invalidSyntax', async () => {
      const id = (await scim.post('/Users', rich())).json.id;
      for (const path of ['id', 'meta.created', `${STATUS}:claimed`, `${STATUS}:claimLink`, `${STATUS}:accessCode`, `${ENT}:manager.displayName`]) {
        assertScimError(await scim.ops(`/Users/${id}`, [{ op: 'replace', path, value: 'x' }]), 400, 'mutability');
      }
      assertScimError(await scim.ops(`/Users/${id}`, [{ op: 'replace', path: 'favouriteColour', value: 'x' }]), 400, 'invalidPath');
      assertScimError(await scim.ops(`/Users/${id}`, [{ op: 'replace', path: 'name.nope', value: 'x' }]), 400, 'invalidPath');
      assertScimError(await scim.ops(`/Users/${id}`, [{ op: 'remove' }]), 400, 'noTarget');
      assertScimError(await scim.ops(`/Users/${id}`, [{ op: 'replace', path: 'phoneNumbers[type eq "fax"]', value: { value: '1' } }]), 400, 'noTarget');
      assertScimError(await scim.ops(`/Users/${id}`, [{ op: 'replace', path: 'phoneNumbers[type eq].value', value: '1' }]), 400, 'invalidFilter');
      assertScimError(await scim.ops(`/Users/${id}`, [{ op: 'move', path: 'title', value: 'x' }]), 400, 'invalidSyntax');
      assertScimError(await scim.ops(`/Users/${id}`, [{ op: 'replace', path: 'title' }]), 400, 'invalidSyntax');
      assertScimError(await scim.patch(`/Users/${id}`, { schemas: [PATCH_OP] }), 400, 'invalidSyntax');
      assertScimError(await scim.patch(`/Users/${id}`, { schemas: [CORE], Operations: [] }), 400, 'invalidSyntax');
      assertScimError(await scim.ops(`/Users/${id}`, [{ op: 'replace', path: 'active', value: 'perhaps' }]), 400, 'invalidValue');
      assertScimError(await scim.ops('/Users/424242', [{ op: 'replace', path: 'title', value: 'x' }]), 404);
      const unchanged = await scim.get(`/Users/${id}`);
      assert.equal(unchanged.json.title, 'Engineer');
    });

    test('a PATCH that changes nothing writes no audit event', async () => {
      const id = (await scim.post('/Users', rich())).json.id;
      const count = async () => (await ts.ctx.db.selectFrom('audit_event').select('id').where('target_id', '=', id).execute()).length;
      const before = await count();
      const r = await scim.ops(`/Users/${id}`, [{ op: 'replace', path: 'title', value: 'Engineer' }]);
      assert.equal(r.status, 200);
      assert.equal(await count(), before);
      const g = await http('GET', `${ts.base}/scim/v2/Users/${id}`, { token: undefined });
      assert.equal(g.status, 401);
    });
  });
}
