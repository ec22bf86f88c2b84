import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import { postCreator } from '../../src/domain/commands/post.js';
import { dialects } from '../helpers/dialects.js';
import { http, SIGN_IN, ManualClock, startServer, type TestServer } from '../helpers/server.js';
import { adminSession } from './helpers.js';
import { change, Receiver } from './receiver.js';

// Webhook administration through the admin API: session and CSRF like the rest of it,
// subscriptions per topic (handshake included), the delivery log, and the user/status topic.

for (const dialect of await dialects()) {
  describe(`webhook admin API (${dialect})`, () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 1));
    let ts: TestServer;
    let bot: IssuedCredentials;
    let hook: Receiver;
    let admin: Awaited<ReturnType<typeof adminSession>>;

    before(async () => {
      ts = await startServer(dialect, { clock, env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8', COMMONPLACE_WEBHOOK_WORKER: '0' } });
      hook = await Receiver.start();
      bot = await ts.integration(['read_user_feed', 'write_user_feed'], { name: 'Timeline Bot' });
      admin = await adminSession(ts);
    });
    after(async () => {
      await hook.close();
      await ts.close();
    });

    test('no session is 401; a change without the CSRF token is 403', async () => {
      assert.equal((await http('GET', `${ts.base}/admin/api/integrations/${bot.app_id}/deliveries`)).status, 401);
      const signIn = await http('POST', `${ts.base}/admin/api/session`, { json: { email: 'admin@example.com', password: 'test-Admin-pass-1234' }, headers: SIGN_IN });
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
      const noCsrf = await http('POST', `${ts.base}/admin/api/integrations/${bot.app_id}/redeliver_failed`, { json: {}, headers: { cookie } });
      assert.equal(noCsrf.status, 403);
      assert.equal((await admin('GET', '/integrations/999/subscriptions')).status, 404);
    });

    test('an admin subscribes an integration (handshake), sees it, and its deliveries with attempts', async () => {
      const bad = await admin('POST', `/integrations/${bot.app_id}/subscriptions`, { object: 'user', fields: ['status'], callback_url: hook.url, verify_token: 'nope' });
      assert.equal(bad.status, 400);
      assert.match(bad.json.error.message, /HTTP 403/);
      const r = await admin('POST', `/integrations/${bot.app_id}/subscriptions`, { object: 'user', fields: ['status'], callback_url: hook.url, verify_token: 'verify-me' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.object, 'user');
      assert.equal(r.json.status, 'healthy');
      assert.equal(r.json.verify_token, undefined, 'the verify token never comes back');
      clock.advance(1000);
      const alice = await ts.member({ email: 'alice@example.com', name: 'Alice' });
      await ts.write((w) => postCreator(w, { feedId: alice.id, feedType: 'member', message: 'on my timeline' }), { kind: 'member', memberId: alice.id, isAdmin: false });
      await ts.server.webhooks.runOnce();
      const got = hook.posts()[0];
      assert.equal(got.json.object, 'user');
      assert.equal(got.json.entry[0].id, alice.id);
      assert.equal(change(got)!.field, 'status');
      assert.equal(change(got)!.value.message, 'on my timeline');
      const log = await admin('GET', `/integrations/${bot.app_id}/deliveries`);
      assert.equal(log.json.data.length, 1);
      const d = log.json.data[0];
      assert.equal(d.state, 'delivered');
      assert.equal(d.object, 'user');
      assert.equal(d.attempt_log[0].response_status, 200);
      assert.equal(d.attempt_log[0].response_body, 'ok');
      assert.match(d.attempt_log[0].worker, /:\d+:/);
      const one = await admin('GET', `/integrations/${bot.app_id}/deliveries/${d.id}`);
      assert.equal(one.json.id, d.id);
      const all = await admin('GET', '/webhooks/subscriptions');
      assert.ok(all.json.data.some((s: any) => s.app_id === bot.app_id));
      const schedule = await admin('GET', '/webhooks/schedule');
      assert.equal(schedule.json.retry_offsets_seconds.at(-1), 36 * 3600);
      const removed = await admin('DELETE', `/integrations/${bot.app_id}/subscriptions/user`);
      assert.deepEqual(removed.json, { success: true });
      assert.deepEqual((await admin('GET', `/integrations/${bot.app_id}/subscriptions`)).json.data, []);
    });
  });
}
