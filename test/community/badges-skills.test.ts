import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { customBadgeCreator } from '../../src/domain/commands/badge.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

for (const dialect of await dialects()) {
  describe(`Graph badges, skills and community admin/member writes (${dialect})`, () => {
    let ts: TestServer;
    let badges: string;
    let profiles: string;
    let reader: string;
    let accounts: string;
    let nothing: string;
    let ada: { id: string; email: string | null };
    let bob: { id: string; email: string | null };
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      badges = (await ts.integration(['manage_badges'])).access_token;
      profiles = (await ts.integration(['manage_work_profile'])).access_token;
      reader = (await ts.integration(['read_user_work_profile'])).access_token;
      accounts = (await ts.integration(['manage_accounts', 'read_user_email'])).access_token;
      nothing = (await ts.integration(['read_group'])).access_token;
      ada = await ts.member({ name: 'Ada Lovelace', email: 'ada@example.com' });
      bob = await ts.member({ name: 'Bob Builder', email: 'bob@example.com' });
    });
    after(() => ts.close());

    const call = (method: string, path: string, token: string | undefined, form?: Record<string, string>) => http(method, `${ts.graph}${path}`, { token, form });
    const audit = (targetId: string) => ts.ctx.db.selectFrom('audit_event').selectAll().where('target_id', '=', targetId).orderBy('time').orderBy('id').execute();
    const outboxCount = async () => Number((await ts.ctx.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

    test('GET /community/badges: 190 without a token, 200 without manage_badges, then built-in and custom badges', async () => {
      assert.equal((await call('GET', '/community/badges', undefined)).json.error.code, 190);
      const denied = await call('GET', '/community/badges', nothing);
      assert.equal(denied.json.error.code, 200);
      assert.match(denied.json.error.message, /manage_badges/);
      const custom = await ts.write((w) => customBadgeCreator(w, { name: 'Hackathon Winner', description: 'Won the hackathon', icon: 'Rocket', category: 'recognition' }));
      const list = await call('GET', '/community/badges?fields=id,name,description,icon,category', badges);
      assert.equal(list.status, 200, list.text);
      const ids = list.json.data.map((b: { id: string }) => b.id);
      assert.ok(ids.includes('workplace_champion'));
      const mine = list.json.data.find((b: { id: string }) => b.id === `workplace_custom#${custom.id}`);
      assert.deepEqual(mine, { id: `workplace_custom#${custom.id}`, name: 'Hackathon Winner', description: 'Won the hackathon', icon: 'rocket', category: 'RECOGNITION' });
    });

    test('POST /{member}/badges: triad, award by built-in name (any case) and workplace_custom#{id}, one audit event; again is a no-op; revoke', async () => {
      assert.equal((await call('POST', `/${ada.id}/badges`, undefined, { badge: 'workplace_champion' })).json.error.code, 190);
      assert.equal((await call('POST', `/${ada.id}/badges`, profiles, { badge: 'workplace_champion' })).json.error.code, 200);
      assert.equal((await call('POST', '/999999999/badges', badges, { badge: 'workplace_champion' })).json.error.code, 100);
      assert.equal((await call('POST', `/${ada.id}/badges`, badges, { badge: 'no_such_badge' })).json.error.code, 100);
      assert.equal((await call('POST', `/${ada.id}/badges`, badges, {})).json.error.code, 100);
      const before = (await audit(ada.id)).length;
      const awarded = await call('POST', `/${ada.id}/badges`, badges, { badge: 'Workplace_Champion' });
      assert.equal(awarded.status, 200, awarded.text);
      assert.deepEqual(awarded.json, { success: true });
      const events = await audit(ada.id);
      assert.equal(events.length, before + 1);
      assert.equal(events.at(-1)!.action, 'badge.awarded');
      assert.equal(events.at(-1)!.actor_type, 'integration');
      const outbox = await outboxCount();
      const again = await call('POST', `/${ada.id}/badges`, badges, { badge: 'workplace_champion' });
      assert.equal(again.status, 200);
      assert.equal((await audit(ada.id)).length, before + 1, 'a no-op writes no audit event');
      assert.equal(await outboxCount(), outbox, 'and no outbox row');
      const custom = await ts.write((w) => customBadgeCreator(w, { name: 'Mentor of the Month' }));
      assert.equal((await call('POST', `/${ada.id}/badges`, badges, { badge: `workplace_custom#${custom.id}` })).status, 200);
      const list = await call('GET', `/${ada.id}/badges`, badges);
      assert.deepEqual(list.json.data.map((b: { id: string }) => b.id), ['workplace_champion', `workplace_custom#${custom.id}`]);
      assert.equal((await call('GET', `/${ada.id}/badges`, reader)).json.error.code, 200);
      const nested = await call('GET', `/${ada.id}?fields=name,badges{id,name}`, badges);
      assert.equal(nested.json.badges.data.length, 2);
      const nestedDenied = await call('GET', `/${ada.id}?fields=name,badges{id}`, reader);
      assert.equal(nestedDenied.json.badges, undefined, 'without manage_badges the nested edge is left out');
      const revoked = await call('DELETE', `/${ada.id}/badges`, badges, { badge: 'workplace_champion' });
      assert.deepEqual(revoked.json, { success: true });
      assert.equal((await audit(ada.id)).at(-1)!.action, 'badge.revoked');
      const bySegment = await call('DELETE', `/${ada.id}/badges/${encodeURIComponent(`workplace_custom#${custom.id}`)}`, badges);
      assert.equal(bySegment.status, 200, bySegment.text);
      assert.deepEqual((await call('GET', `/${ada.id}/badges`, badges)).json.data, []);
    });

    test('skills: POST/DELETE /{member}/skills by name, /{skill-id}, /{skill-id}/users, /community/skills; triad and no-ops', async () => {
      assert.equal((await call('POST', `/${ada.id}/skills`, undefined, { name: 'TypeScript' })).json.error.code, 190);
      assert.equal((await call('POST', `/${ada.id}/skills`, reader, { name: 'TypeScript' })).json.error.code, 200);
      assert.equal((await call('POST', `/${ada.id}/skills`, profiles, { name: '   ' })).json.error.code, 100);
      assert.equal((await call('POST', `/${ada.id}/skills`, profiles, { name: 'x'.repeat(101) })).json.error.code, 100);
      const added = await call('POST', `/${ada.id}/skills`, profiles, { name: '  TypeScript ' });
      assert.equal(added.status, 200, added.text);
      assert.match(added.json.id, /^\d+$/);
      const same = await call('POST', `/${bob.id}/skills`, profiles, { name: 'typescript' });
      assert.equal(same.json.id, added.json.id, 'skills are shared by name, case-insensitively');
      await call('POST', `/${ada.id}/skills`, profiles, { name: 'Analytical Engines' });
      const events = (await audit(ada.id)).length;
      const outbox = await outboxCount();
      await call('POST', `/${ada.id}/skills`, profiles, { name: 'TYPESCRIPT' });
      assert.equal((await audit(ada.id)).length, events, 'adding a listed skill is a no-op');
      assert.equal(await outboxCount(), outbox);
      const list = await call('GET', `/${ada.id}/skills?fields=name,id`, reader);
      assert.deepEqual(list.json.data.map((s: { name: string }) => s.name), ['TypeScript', 'Analytical Engines']);
      assert.equal((await call('GET', `/${ada.id}/skills`, nothing)).json.error.code, 200);
      const node = await call('GET', `/${added.json.id}`, reader);
      assert.deepEqual(node.json, { id: added.json.id, name: 'TypeScript' });
      assert.equal((await call('GET', `/${added.json.id}`, nothing)).json.error.code, 200);
      const users = await call('GET', `/${added.json.id}/users?fields=id,name`, reader);
      assert.deepEqual(users.json.data.map((u: { name: string }) => u.name), ['Ada Lovelace', 'Bob Builder']);
      const community = await call('GET', '/community/skills', reader);
      assert.deepEqual(community.json.data.map((s: { name: string }) => s.name), ['Analytical Engines', 'TypeScript']);
      const prefix = await call('GET', '/community/skills?filter=type', reader);
      assert.deepEqual(prefix.json.data.map((s: { name: string }) => s.name), ['TypeScript']);
      const removed = await call('DELETE', `/${ada.id}/skills`, profiles, { name: 'typescript' });
      assert.deepEqual(removed.json, { success: true });
      assert.equal((await audit(ada.id)).at(-1)!.action, 'skill.removed');
      const count = (await audit(ada.id)).length;
      await call('DELETE', `/${ada.id}/skills`, profiles, { name: 'typescript' });
      assert.equal((await audit(ada.id)).length, count, 'removing an unlisted skill is a no-op');
      const paged = await call('GET', `/${added.json.id}/users?limit=1`, reader);
      assert.equal(paged.json.data.length, 1);
      assert.equal(paged.json.paging.next, undefined, 'Ada no longer lists it');
    });

    test('POST/DELETE /community/admins uid=: needs manage_accounts; the last system admin keeps the role', async () => {
      assert.equal((await call('POST', '/community/admins', undefined, { uid: ada.id })).json.error.code, 190);
      assert.equal((await call('POST', '/community/admins', profiles, { uid: ada.id })).json.error.code, 200);
      assert.equal((await call('POST', '/community/admins', accounts, { uid: '123456789' })).json.error.code, 100);
      assert.equal((await call('POST', '/community/admins', accounts, {})).json.error.code, 100);
      const granted = await call('POST', '/community/admins', accounts, { uid: ada.id });
      assert.deepEqual(granted.json, { success: true });
      const events = await audit(ada.id);
      assert.equal(events.at(-1)!.action, 'account.admin_granted');
      const security = await ts.ctx.db.selectFrom('outbox').selectAll().where('topic', '=', 'workplace_security').orderBy('created_time', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.equal(JSON.parse(security.payload).event, 'ADMIN_GRANT_ADMIN_ROLE');
      const admins = await call('GET', '/community/admins?fields=id,email', accounts);
      assert.ok(admins.json.data.some((a: { id: string }) => a.id === ada.id));
      const count = (await audit(ada.id)).length;
      await call('POST', '/community/admins', accounts, { uid: 'ada@example.com' });
      assert.equal((await audit(ada.id)).length, count, 'granting twice is a no-op');
      assert.deepEqual((await call('DELETE', `/community/admins/${ada.id}`, accounts)).json, { success: true });
      const boot = await ts.ctx.db.selectFrom('member').select('id').where('is_admin', '=', 1).execute();
      assert.equal(boot.length, 1);
      const last = await call('DELETE', '/community/admins', accounts, { uid: boot[0].id });
      assert.equal(last.status, 409);
      assert.match(last.json.error.message, /last active system admin/);
    });

    test('POST/DELETE /community/members member=: deactivates and brings back an account', async () => {
      const carol = await ts.member({ name: 'Carol Danvers', email: 'carol@example.com' });
      assert.equal((await call('DELETE', '/community/members', undefined, { member: carol.id })).json.error.code, 190);
      assert.equal((await call('DELETE', '/community/members', profiles, { member: carol.id })).json.error.code, 200);
      const removed = await call('DELETE', '/community/members', accounts, { member: 'carol@example.com' });
      assert.deepEqual(removed.json, { success: true }, removed.text);
      const state = async () => (await ts.ctx.db.selectFrom('member').select('state').where('id', '=', carol.id).executeTakeFirstOrThrow()).state;
      assert.equal(await state(), 'deactivated');
      const count = (await audit(carol.id)).length;
      await call('DELETE', `/community/members/${carol.id}`, accounts);
      assert.equal((await audit(carol.id)).length, count, 'removing a removed member is a no-op');
      assert.deepEqual((await call('POST', '/community/members', accounts, { member: carol.id })).json, { success: true });
      assert.equal(await state(), 'claimed');
      assert.equal((await audit(carol.id)).at(-1)!.action, 'account.reactivated');
    });
  });
}
