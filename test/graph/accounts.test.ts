import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { insertSession } from '../../src/db/repositories/session.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

for (const dialect of await dialects()) {
  describe(`Graph account management (${dialect})`, () => {
    let ts: TestServer;
    let provisioner: string;
    let profiles: string;
    let nothing: string;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      provisioner = (await ts.integration(['provision_user_accounts', 'read_user_email'])).access_token;
      profiles = (await ts.integration(['manage_work_profile', 'read_user_email'])).access_token;
      nothing = (await ts.integration(['read_group'])).access_token;
    });
    after(() => ts.close());

    const post = (path: string, token: string | undefined, form: Record<string, string>) => http('POST', `${ts.graph}${path}`, { token, form });
    const row = (id: string) => ts.ctx.db.selectFrom('member').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const events = (id: string) => ts.ctx.db.selectFrom('audit_event').selectAll().where('target_id', '=', id).orderBy('time').orderBy('id').execute();
    let n = 0;
    const email = () => `graph.person.${++n}@example.com`;

    test('POST /community/accounts: no token 190, wrong permission 200, then {id} with the fields written', async () => {
      assert.equal((await post('/community/accounts', undefined, { name: 'A', email: email() })).json.error.code, 190);
      const denied = await post('/community/accounts', nothing, { name: 'A', email: email() });
      assert.equal(denied.json.error.code, 200);
      assert.match(denied.json.error.message, /provision_user_accounts/);
      const manager = await post('/community/accounts', provisioner, { name: 'The Manager', email: email() });
      const address = email();
      const r = await post('/community/accounts', provisioner, {
        name: 'Ada Lovelace',
        email: address,
        external_id: 'hr-ada',
        title: 'Analyst',
        organization: 'Org',
        division: 'Div',
        department: 'Maths',
        manager: manager.json.id,
        cost_center: 'CC',
        work_locale: 'en_GB',
        auth_method: 'SSO',
        frontline: '{"is_frontline":true}',
      });
      assert.equal(r.status, 200, r.text);
      assert.match(r.json.id, /^\d+$/);
      const m = await row(r.json.id);
      assert.deepEqual(
        { name: m.name, first: m.first_name, last: m.last_name, email: m.email, ext: m.external_id, title: m.title, dept: m.department, mgr: m.manager_id, locale: m.locale, auth: m.auth_method, frontline: m.is_frontline, state: m.state },
        { name: 'Ada Lovelace', first: 'Ada', last: 'Lovelace', email: address, ext: 'hr-ada', title: 'Analyst', dept: 'Maths', mgr: manager.json.id, locale: 'en_GB', auth: 'sso', frontline: 1, state: 'provisioned' },
      );
      const [event] = await events(r.json.id);
      assert.equal(event.action, 'account.provisioned');
      assert.equal(event.actor_type, 'integration');
      const alias = await http('POST', `${ts.graph}/v19.0/company/accounts`, { token: provisioner, json: { name: 'Via Company', email: email(), invited: true } });
      assert.equal(alias.status, 200, alias.text);
      assert.equal((await row(alias.json.id)).state, 'invited');
    });

    test('create: name required, email or external_id required, duplicates 409 naming the account, email-less accounts invited at once', async () => {
      assert.equal((await post('/community/accounts', provisioner, { email: email() })).json.error.code, 100);
      assert.equal((await post('/community/accounts', provisioner, { name: 'No Id' })).json.error.code, 100);
      assert.equal((await post('/community/accounts', provisioner, { name: 'Bad', email: 'not-an-email@' })).json.error.code, 100);
      const address = email();
      const first = await post('/community/accounts', provisioner, { name: 'Once', email: address });
      const again = await post('/community/accounts', provisioner, { name: 'Twice', email: address.toUpperCase() });
      assert.equal(again.status, 409);
      assert.match(again.json.error.message, new RegExp(first.json.id));
      const emailless = await post('/community/accounts', provisioner, { name: 'Shift Worker', external_id: 'shift-1', invited: 'false' });
      assert.equal((await row(emailless.json.id)).state, 'invited');
      assert.equal(await ts.ctx.db.selectFrom('mail_outbox').select('id').where('member_id', '=', emailless.json.id).executeTakeFirst(), undefined, 'no address, no mail');
      const bad = await post('/community/accounts', provisioner, { name: 'Bad Method', email: email(), auth_method: 'magic' });
      assert.equal(bad.json.error.code, 100);
    });

    test('POST /{id|email}: profile fields need manage_work_profile; a no-op writes nothing', async () => {
      const created = await post('/community/accounts', provisioner, { name: 'Profile Person', email: email() });
      const id = created.json.id;
      assert.equal((await post(`/${id}`, undefined, { title: 'X' })).json.error.code, 190);
      assert.equal((await post(`/${id}`, provisioner, { title: 'X' })).json.error.code, 200);
      const r = await post(`/${id}`, profiles, { title: 'Director', department: 'Ops', primary_phone: '+1 555', primary_address: '1 Main St', name: 'Profile P. Person', is_frontline: 'True' });
      assert.deepEqual(r.json, { success: true });
      const m = await row(id);
      assert.deepEqual([m.title, m.department, m.primary_phone, m.primary_address, m.name, m.first_name, m.last_name, m.is_frontline], ['Director', 'Ops', '+1 555', '1 Main St', 'Profile P. Person', 'Profile P.', 'Person', 1]);
      const update = (await events(id)).at(-1)!;
      assert.equal(update.action, 'account.updated');
      assert.equal(JSON.parse(update.old_value!).title, null);
      assert.equal(JSON.parse(update.new_value!).title, 'Director');
      const byEmail = await http('POST', `${ts.graph}/${encodeURIComponent(m.email!)}`, { token: profiles, json: { title: 'By Email' } });
      assert.deepEqual(byEmail.json, { success: true });
      assert.equal((await row(id)).title, 'By Email');
      const count = (await events(id)).length;
      assert.deepEqual((await post(`/${id}`, profiles, { title: 'By Email' })).json, { success: true });
      assert.equal((await events(id)).length, count, 'a no-op writes no audit event');
      const scim = await http('GET', `${ts.base}/scim/Users/${id}`, { token: (await ts.integration(['manage_accounts'])).access_token });
      assert.deepEqual(scim.json.phoneNumbers, [{ type: 'work', value: '+1 555', primary: true }]);
      const loop = await post(`/${id}`, profiles, { manager: id });
      assert.equal(loop.json.error.code, 100);
    });

    test('active=false|true deactivates and reactivates (provision_user_accounts); the lists follow', async () => {
      const created = await post('/community/accounts', provisioner, { name: 'Coming And Going', email: email(), external_id: 'cg-1' });
      const id = created.json.id;
      assert.equal((await post(`/${id}`, profiles, { active: 'false' })).json.error.code, 200);
      assert.deepEqual((await post(`/${id}`, provisioner, { active: 'False' })).json, { success: true });
      assert.equal((await row(id)).state, 'deactivated');
      const admin = (await ts.integration(['manage_accounts', 'read_group_membership'])).access_token;
      const ids = async (p: string) => (await http('GET', `${ts.graph}${p}`, { token: admin })).json.data.map((m: { id: string }) => m.id);
      assert.ok((await ids('/community/former_members')).includes(id));
      assert.ok((await ids('/company/former_members')).includes(id));
      assert.ok((await ids('/community/organization_members?inactive=1')).includes(id));
      assert.deepEqual(await ids('/community/members?external_ids=cg-1'), []);
      assert.deepEqual((await post(`/${id}`, provisioner, { active: 'true' })).json, { success: true });
      assert.equal((await row(id)).state, 'provisioned');
      assert.deepEqual(await ids('/community/members?external_ids=cg-1,unknown'), [id]);
      assert.deepEqual(await ids('/community/members?external_ids=["cg-1"]'), [id]);
      assert.ok(!(await ids('/community/former_members')).includes(id));
      assert.ok((await ids('/community/members?limit=100')).length > 1, 'without external_ids every member is listed');
    });

    test('DELETE /{id}: unclaimed accounts only (claimed → 412); POST /{id}/logout ends every session', async () => {
      const created = await post('/community/accounts', provisioner, { name: 'Short Lived', email: email() });
      assert.equal((await http('DELETE', `${ts.graph}/${created.json.id}`, { token: profiles })).json.error.code, 200);
      assert.deepEqual((await http('DELETE', `${ts.graph}/${created.json.id}`, { token: provisioner })).json, { success: true });
      assert.equal((await http('GET', `${ts.graph}/${created.json.id}`, { token: provisioner })).json.error.code, 100);
      assert.equal((await events(created.json.id)).at(-1)!.action, 'account.deleted');
      const claimed = await ts.member({ email: email(), name: 'Claimed One' });
      const refused = await http('DELETE', `${ts.graph}/${claimed.id}`, { token: provisioner });
      assert.equal(refused.status, 412);
      assert.equal(refused.json.error.code, 100);
      assert.match(refused.json.error.message, /deactivate/);

      await insertSession(ts.ctx.db, { token_hash: 'x1', member_id: claimed.id, csrf_token: 'c', created_time: Date.now(), expires_time: Date.now() + 60_000 });
      assert.equal((await post(`/${claimed.id}/logout`, undefined, {})).json.error.code, 190);
      assert.equal((await post(`/${claimed.id}/logout`, profiles, {})).json.error.code, 200);
      assert.deepEqual((await post(`/${claimed.id}/logout`, provisioner, {})).json, { success: true });
      assert.equal((await ts.ctx.db.selectFrom('session').select('token_hash').where('member_id', '=', claimed.id).execute()).length, 0);
      assert.equal((await events(claimed.id)).at(-1)!.action, 'account.logged_out');
    });
  });
}
