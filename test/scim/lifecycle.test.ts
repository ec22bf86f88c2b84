import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { insertSession } from '../../src/db/repositories/session.js';
import { accountClaimer, userProvisioner } from '../../src/domain/commands/account.js';
import { integrationCreator } from '../../src/domain/commands/integration.js';
import { postCreator } from '../../src/domain/commands/post.js';
import { AppError } from '../../src/errors.js';
import { dialects, PG_URL } from '../helpers/dialects.js';
import { http, ManualClock, startServer, type TestServer } from '../helpers/server.js';
import { assertScimError, auditOf, newUser, scimClient, STATUS } from './helpers.js';

const run = promisify(execFile);
const BIN = path.resolve('bin/commonplace.mjs');

for (const dialect of await dialects()) {
  describe(`account lifecycle (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let appId: string;
    let scim: ReturnType<typeof scimClient>;
    const clock = new ManualClock(Date.UTC(2026, 2, 1, 9));
    before(async () => {
      ts = await startServer(dialect, { clock, env: { COMMONPLACE_RATE_LIMIT: '0' } });
      const app = await ts.integration(['manage_accounts']);
      token = app.access_token;
      appId = app.app_id;
      scim = scimClient(ts, token);
    });
    after(() => ts.close());

    const graph = (method: string, p: string, form?: Record<string, string>) => http(method, `${ts.graph}${p}`, { token, form });
    const mailOf = (memberId: string) => ts.ctx.db.selectFrom('mail_outbox').selectAll().where('member_id', '=', memberId).execute();
    /** The (de|re)activation `workplace_security` events about a member: their `value` objects, oldest first. */
    const securityEvents = async (memberId: string) =>
      (await ts.ctx.db.selectFrom('outbox').selectAll().where('topic', '=', 'workplace_security').where('field', '=', 'admin_activity').orderBy('created_time').orderBy('id').execute())
        .map((row) => JSON.parse(row.payload))
        .filter((value) => value.target_id === memberId && /ACTIVATE/.test(value.event));

    test('provisioned → invited: a claim link and access code, and the invitation in the mail outbox', async () => {
      const created = await scim.post('/Users', newUser());
      assert.deepEqual(created.json[STATUS], { invited: false, claimed: false });
      assert.equal((await mailOf(created.json.id)).length, 0, 'provisioned people are not told');
      const r = await scim.put(`/Users/${created.json.id}`, { [STATUS]: { invited: true } });
      const status = r.json[STATUS];
      assert.equal(status.invited, true);
      assert.equal(status.inviteDate, Math.floor(clock.now() / 1000));
      assert.match(status.claimLink, new RegExp(`^${ts.base}/claim/[A-Za-z0-9_-]{20,}$`));
      assert.match(status.accessCode, /^[A-Z2-9]{10}$/);
      const [mail] = await mailOf(created.json.id);
      assert.equal(mail.to_address, created.json.userName);
      assert.ok(mail.body.includes(status.claimLink));
      assert.ok(mail.body.includes(status.accessCode));
      const invited = (await auditOf(ts, created.json.id)).find((e) => e.action === 'account.invited')!;
      assert.equal(invited.actor_id, appId);
      assert.ok(!JSON.stringify(invited).includes(status.accessCode), 'secrets stay out of the audit log');
      const stored = JSON.stringify(await ts.ctx.db.selectFrom('account_invite').selectAll().execute());
      assert.ok(!stored.includes(status.accessCode) && !stored.includes(status.claimLink.split('/').pop()), 'invitations are stored sealed and hashed');
      const g = await graph('GET', `/${created.json.id}?fields=account_invite_time,account_state`);
      assert.equal(g.json.account_state, 'INVITED');
      assert.equal(g.json.account_invite_time, new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, '+0000'));
    });

    test('invited → claimed with the link (or the access code); links expire; claimed accounts cannot be deleted', async () => {
      const a = (await scim.post('/Users', newUser({ [STATUS]: { invited: true } }))).json;
      const link: string = a[STATUS].claimLink;
      const member = await ts.write((w) => accountClaimer(w, { secret: link.split('/').pop()!, password: 'a-long-password' }));
      assert.equal(member.state, 'claimed');
      const read = (await scim.get(`/Users/${a.id}`)).json[STATUS];
      assert.deepEqual(read, { invited: true, claimed: true, inviteDate: a[STATUS].inviteDate, claimDate: Math.floor(clock.now() / 1000) });
      await assert.rejects(() => ts.write((w) => accountClaimer(w, { secret: link.split('/').pop()!, password: 'a-long-password' })), AppError);
      assertScimError(await scim.delete(`/Users/${a.id}`), 412);

      const b = (await scim.post('/Users', newUser({ [STATUS]: { invited: true } }))).json;
      const code: string = b[STATUS].accessCode;
      await assert.rejects(() => ts.write((w) => accountClaimer(w, { secret: 'WRONGCODE1', password: 'a-long-password' })), AppError);
      const byCode = await ts.write((w) => accountClaimer(w, { secret: `${code.slice(0, 5)}-${code.slice(5).toLowerCase()}`, password: 'a-long-password' }));
      assert.equal(byCode.state, 'claimed');

      const c = (await scim.post('/Users', newUser({ [STATUS]: { invited: true } }))).json;
      clock.advance(31 * 24 * 3_600_000);
      await assert.rejects(() => ts.write((w) => accountClaimer(w, { secret: c[STATUS].accessCode, password: 'a-long-password' })), /not valid/);
    });

    test('claimed → deactivated: sessions end, content stays, the person moves to former members; reactivation brings them back', async () => {
      const person = await ts.member({ email: 'leaver@example.com', name: 'Leaving Person' });
      await insertSession(ts.ctx.db, { token_hash: 'h1', member_id: person.id, csrf_token: 'c', created_time: clock.now(), expires_time: clock.now() + 3_600_000 });
      const post = await ts.write((w) => postCreator(w, { feedId: person.id, feedType: 'member', message: 'my last words' }), { kind: 'member', memberId: person.id, isAdmin: false });
      const r = await scim.ops(`/Users/${person.id}`, [{ op: 'replace', path: 'active', value: false }]);
      assert.equal(r.json.active, false);
      assert.equal((await ts.ctx.db.selectFrom('session').selectAll().where('member_id', '=', person.id).execute()).length, 0);
      assert.ok(await ts.ctx.db.selectFrom('post').select('id').where('id', '=', post.id).executeTakeFirst(), 'content is kept');
      const reader = await ts.integration(['manage_accounts', 'read_group_membership']);
      const list = async (p: string) => (await http('GET', `${ts.graph}/community/${p}`, { token: reader.access_token })).json.data.map((m: { id: string }) => m.id);
      assert.ok((await list('former_members')).includes(person.id));
      assert.ok((await list('organization_members?inactive=1')).includes(person.id));
      assert.ok(!(await list('members?limit=500')).includes(person.id));
      assert.ok(!(await list('organization_members?limit=500')).includes(person.id));
      const g = await http('GET', `${ts.graph}/${person.id}?fields=account_deactivate_time,active,account_state`, { token: reader.access_token });
      assert.equal(g.json.active, false);
      assert.equal(g.json.account_state, 'DEACTIVATED');
      const [event] = await securityEvents(person.id);
      assert.deepEqual([event.event, event.target_email, event.actor_id, event.actor_type], ['ADMIN_DEACTIVATE_ACCOUNT', 'leaver@example.com', appId, 'integration']);
      const deactivated = (await auditOf(ts, person.id)).find((e) => e.action === 'account.deactivated')!;
      assert.equal(deactivated.actor_id, appId);
      assert.deepEqual(deactivated.old_value, { state: 'claimed', active: true });
      assert.equal(deactivated.new_value.active, false);

      const back = await scim.put(`/Users/${person.id}`, { active: true });
      assert.equal(back.json.active, true);
      assert.equal((await ts.ctx.db.selectFrom('member').select('state').where('id', '=', person.id).executeTakeFirstOrThrow()).state, 'claimed');
      assert.ok((await list('members?limit=500')).includes(person.id));
      assert.deepEqual((await securityEvents(person.id)).map((e) => e.event), ['ADMIN_DEACTIVATE_ACCOUNT', 'ADMIN_REACTIVATE_ACCOUNT']);
    });

    test('deactivating a system admin who created integrations leaves those integrations working; the last admin cannot be deactivated', async () => {
      const admin = await ts.member({ email: 'creator.admin@example.com', name: 'Creator Admin', is_admin: true });
      const created = await ts.write((w) => integrationCreator(w, { name: 'Made by an admin', permissions: ['manage_accounts'], groupIds: null }), { kind: 'member', memberId: admin.id, isAdmin: true });
      const off = await scim.ops(`/Users/${admin.id}`, [{ op: 'replace', path: 'active', value: false }]);
      assert.equal(off.json.active, false);
      assert.equal((await http('GET', `${ts.graph}/me`, { token: created.access_token })).status, 200);
      assert.equal((await scimClient(ts, created.access_token).get('/Users?count=1')).status, 200);
      const bootstrap = await ts.ctx.db.selectFrom('member').select('id').where('email', '=', 'admin@example.com').executeTakeFirstOrThrow();
      const refused = await scim.ops(`/Users/${bootstrap.id}`, [{ op: 'replace', path: 'active', value: false }]);
      assertScimError(refused, 409);
      assert.match(refused.json.detail, /last active system admin/);
    });

    test('the integration setting "invite people created by this integration"', async () => {
      const inviter = await ts.write((w) => integrationCreator(w, { name: 'Inviter', permissions: ['manage_accounts', 'provision_user_accounts'], groupIds: null, autoInvite: true }));
      const viaScim = await scimClient(ts, inviter.access_token).post('/Users', newUser());
      assert.equal(viaScim.json[STATUS].invited, true);
      assert.equal((await mailOf(viaScim.json.id)).length, 1);
      const viaGraph = await http('POST', `${ts.graph}/community/accounts`, { token: inviter.access_token, form: { name: 'Graph Invitee', email: 'graph.invitee@example.com' } });
      assert.equal(viaGraph.status, 200, viaGraph.text);
      assert.equal((await mailOf(viaGraph.json.id)).length, 1);
      const plain = await scim.post('/Users', newUser());
      assert.equal(plain.json[STATUS].invited, false);
    });

    test('the mail outbox from the CLI: commonplace mail list|show', async () => {
      const created = await scim.post('/Users', newUser({ [STATUS]: { invited: true } }));
      const env: NodeJS.ProcessEnv = { ...process.env, COMMONPLACE_DATA_DIR: ts.dataDir, LOG_LEVEL: 'warn' };
      delete env.DATABASE_URL;
      if (dialect === 'postgres') {
        const url = new URL(PG_URL);
        url.searchParams.set('options', `-c search_path=${ts.ctx.schema}`);
        env.DATABASE_URL = url.toString();
      }
      const cli = async (...args: string[]) => (await run(process.execPath, [BIN, ...args], { env, timeout: 60_000 })).stdout.trim();
      const list = JSON.parse(await cli('mail', 'list', '--unsent', '--json'));
      const entry = list.data.find((m: { member_id: string }) => m.member_id === created.json.id);
      assert.equal(entry.to, created.json.userName);
      const human = await cli('mail', 'list');
      assert.ok(human.includes(entry.id));
      const shown = await cli('mail', 'show', entry.id, '--mark-sent');
      assert.ok(shown.startsWith(`To: ${created.json.userName}`));
      assert.ok(shown.includes(created.json[STATUS].claimLink));
      const after = JSON.parse(await cli('mail', 'list', '--unsent', '--json'));
      assert.ok(!after.data.some((m: { id: string }) => m.id === entry.id));
    });
  });

  describe(`mass-deactivation guard (${dialect})`, () => {
    let ts: TestServer;
    const clock = new ManualClock(Date.UTC(2026, 3, 1, 9));
    const people: string[] = [];
    before(async () => {
      ts = await startServer(dialect, { clock, env: { COMMONPLACE_RATE_LIMIT: '0' } });
      for (let i = 0; i < 69; i++) {
        const row = await ts.write((w) => userProvisioner(w, { userName: `p${i}@example.com`, name: { formatted: `Person ${i}` } }, { linkBase: ts.base }));
        people.push(row.id);
      }
    });
    after(() => ts.close());

    test('one integration may deactivate 10% of active members per hour (at least 5); the next is refused with 409 and an audit event', async () => {
      const app = await ts.integration(['manage_accounts', 'provision_user_accounts']);
      const scim = scimClient(ts, app.access_token);
      // 70 active members (69 + the admin): 10% = 7 per hour.
      for (const id of people.slice(0, 7)) assert.equal((await scim.ops(`/Users/${id}`, [{ op: 'replace', path: 'active', value: false }])).status, 200);
      const refused = await scim.ops(`/Users/${people[7]}`, [{ op: 'replace', path: 'active', value: false }]);
      assertScimError(refused, 409);
      assert.match(refused.json.detail, /already deactivated 7 accounts in the last hour/);
      assert.equal((await scim.get(`/Users/${people[7]}`)).json.active, true, 'nothing changed');
      const [event] = (await auditOf(ts, people[7])).filter((e) => e.action === 'account.deactivation_refused');
      assert.equal(event.actor_id, app.app_id);
      assert.equal(event.new_value.limit, 7);
      const graph = await http('POST', `${ts.graph}/${people[7]}`, { token: app.access_token, form: { active: 'false' } });
      assert.equal(graph.status, 409);
      assert.equal(graph.json.error.code, 368);
      // Another integration has its own budget; an admin is never limited.
      const other = scimClient(ts, (await ts.integration(['manage_accounts'])).access_token);
      assert.equal((await other.ops(`/Users/${people[7]}`, [{ op: 'replace', path: 'active', value: false }])).json.active, false);
      // The window slides: an hour later the first integration may go on.
      clock.advance(61 * 60_000);
      assert.equal((await scim.ops(`/Users/${people[8]}`, [{ op: 'replace', path: 'active', value: false }])).status, 200);
    });

    test('small communities: at least 5 per hour; the guard can be turned off', async () => {
      const app = await ts.integration(['manage_accounts']);
      const scim = scimClient(ts, app.access_token);
      ts.ctx.config.deactivationGuardMinimum = 12;
      for (const id of people.slice(20, 32)) assert.equal((await scim.ops(`/Users/${id}`, [{ op: 'replace', path: 'active', value: false }])).status, 200);
      assertScimError(await scim.ops(`/Users/${people[32]}`, [{ op: 'replace', path: 'active', value: false }]), 409);
      ts.ctx.config.deactivationGuardPercent = 0;
      assert.equal((await scim.ops(`/Users/${people[32]}`, [{ op: 'replace', path: 'active', value: false }])).status, 200);
      ts.ctx.config.deactivationGuardPercent = 10;
      ts.ctx.config.deactivationGuardMinimum = 5;
    });
  });
}
