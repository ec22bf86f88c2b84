import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifySignature } from '@commonplace/sdk';
import { groupCreator } from '../../src/domain/commands/group.js';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import { postCreator } from '../../src/domain/commands/post.js';
import type { GroupRow } from '../../src/db/repositories/group.js';
import { FIRST_RETRY_MS, nominalDelay, RETRY_WINDOW_MS } from '../../src/webhooks/schedule.js';
import { dialects } from '../helpers/dialects.js';
import { ManualClock, startServer, type TestServer } from '../helpers/server.js';
import { adminSession, subscribe } from './helpers.js';
import { change, Receiver } from './receiver.js';

// Retries, the 36-hour schedule, dead letters, redelivery, ordering and secret rotation, on a
// controllable clock: the worker runs only when the test says so.

for (const dialect of await dialects()) {
  describe(`webhook delivery (${dialect})`, () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 8, 0, 0));
    let ts: TestServer;
    let bot: IssuedCredentials;
    let receiver: Receiver;
    let groups: GroupRow[];
    let alice: { id: string };
    let admin: Awaited<ReturnType<typeof adminSession>>;
    let counter = 0;
    const run = () => ts.server.webhooks.runOnce();
    const post = (group: GroupRow, message = `post ${++counter}`) =>
      ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message }), { kind: 'member', memberId: alice.id, isAdmin: false });
    const deliveries = async (state?: string) => (await admin('GET', `/integrations/${bot.app_id}/deliveries${state ? `?state=${state}` : ''}`)).json.data as any[];
    const postIdOf = (r: { json: any }) => change(r as never)?.value?.post_id as string;

    before(async () => {
      ts = await startServer(dialect, { clock, env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8', COMMONPLACE_WEBHOOK_WORKER: '0' } });
      receiver = await Receiver.start();
      bot = await ts.integration(['read_group'], { name: 'Retry Bot' });
      alice = await ts.member({ email: 'alice@example.com', name: 'Alice' });
      groups = [];
      for (const name of ['One', 'Two']) groups.push(await ts.write((w) => groupCreator(w, { name, adminId: alice.id })));
      await subscribe(ts, bot, 'group', 'posts', receiver.url);
      admin = await adminSession(ts);
    });
    after(async () => {
      await receiver.close();
      await ts.close();
    });

    test('a failing receiver is retried with back-off and jitter for 36 hours, then the delivery is dead-lettered', async () => {
      receiver.set({ status: () => ({ status: 500, body: 'database on fire' }) });
      const p = await post(groups[0]);
      const start = clock.now();
      await run();
      const times = [clock.now()];
      for (let i = 0; i < 60; i++) {
        const [d] = (await deliveries()).filter((x) => x.state !== 'delivered');
        if (d.state === 'dead') break;
        assert.equal(d.state, 'pending');
        const next = Date.parse(d.next_retry_time);
        // Nothing goes out before it is due.
        clock.set(next - 1);
        const sent = receiver.posts().length;
        await run();
        assert.equal(receiver.posts().length, sent, 'no attempt before the retry time');
        clock.set(next);
        await run();
        assert.equal(receiver.posts().length, sent + 1, 'one attempt at the retry time');
        times.push(next);
      }
      const [dead] = await deliveries('failed');
      assert.equal(dead.state, 'dead');
      assert.equal(times.length, dead.attempts);
      assert.ok(times.length >= 15, `${times.length} attempts`);
      assert.equal(times[times.length - 1] - start, RETRY_WINDOW_MS, 'the last attempt is exactly 36 h after the event');
      for (let i = 1; i < times.length - 1; i++) {
        const delay = times[i] - times[i - 1];
        const nominal = nominalDelay(i);
        assert.ok(delay >= nominal * 0.8 - 1 && delay <= nominal * 1.2 + 1, `delay ${i}: ${delay} vs nominal ${nominal}`);
      }
      assert.ok(times[1] - times[0] >= FIRST_RETRY_MS * 0.8);
      const all = receiver.posts((r) => postIdOf(r) === `${groups[0].id}_${p.id}`);
      assert.equal(all.length, dead.attempts);
      assert.equal(new Set(all.map((r) => r.headers['x-commonplace-delivery'])).size, 1, 'one delivery id across attempts');
      assert.deepEqual(all.map((r) => Number(r.headers['x-commonplace-attempt'])), all.map((_, i) => i + 1));
      // The log has every attempt with status, first bytes of the answer, latency and the next retry.
      assert.equal(dead.attempt_log.length, dead.attempts);
      const first = dead.attempt_log[0];
      assert.equal(first.response_status, 500);
      assert.equal(first.response_body, 'database on fire');
      assert.equal(first.outcome, 'retry');
      assert.equal(typeof first.latency_ms, 'number');
      assert.equal(first.next_retry_time, new Date(times[1]).toISOString());
      assert.match(first.request.body, /"object":"group"/);
      assert.match(first.request.headers['x-hub-signature-256'], /^sha256=/);
      assert.equal(dead.attempt_log.at(-1).outcome, 'dead');
      // The subscription is flagged, and says why.
      const subs = (await admin('GET', `/integrations/${bot.app_id}/subscriptions`)).json;
      assert.equal(subs.data[0].status, 'failing');
      assert.match(subs.data[0].status_reason, /HTTP 500/);
      assert.equal(subs.deliveries.dead, 1);
    });

    test('redelivering one dead delivery sends it again under a new id that names the old one', async () => {
      receiver.set({ status: () => 200 });
      const [dead] = await deliveries('failed');
      const r = await admin('POST', `/integrations/${bot.app_id}/deliveries/${dead.id}/redeliver`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.redelivery_of, dead.id);
      await run();
      const got = receiver.posts().at(-1)!;
      assert.equal(got.headers['x-commonplace-redelivery-of'], dead.id);
      assert.equal(got.headers['x-commonplace-event'], dead.event_id);
      assert.notEqual(got.headers['x-commonplace-delivery'], dead.id);
      assert.equal(got.headers['x-commonplace-attempt'], '1');
      const subs = (await admin('GET', `/integrations/${bot.app_id}/subscriptions`)).json;
      assert.equal(subs.data[0].status, 'healthy', 'a success clears the flag');
    });

    test('redeliver all failed: every dead delivery once, and not twice', async () => {
      receiver.set({ status: () => 503 });
      const ids = [await post(groups[0]), await post(groups[1])].map((p) => p.id);
      await run();
      clock.advance(RETRY_WINDOW_MS);
      await run();
      const dead = (await deliveries('failed')).filter((d) => ids.some((id) => d.attempt_log[0].request.body.includes(id)));
      assert.equal(dead.length, 2);
      receiver.set({ status: () => 200 });
      const r = await admin('POST', `/integrations/${bot.app_id}/redeliver_failed`);
      assert.equal(r.json.redelivered, 2, r.text);
      const again = await admin('POST', `/integrations/${bot.app_id}/redeliver_failed`);
      assert.equal(again.json.redelivered, 0);
      const before = receiver.posts().length;
      await run();
      const got = receiver.posts().slice(before).map(postIdOf);
      assert.deepEqual(got.sort(), [`${groups[0].id}_${ids[0]}`, `${groups[1].id}_${ids[1]}`].sort());
    });

    test('events of one group are delivered in order; a failing one holds back only its group', async () => {
      let failFirst = true;
      receiver.set({ status: (r) => (failFirst && r.raw.toString().includes('ordered 1') ? 500 : 200) });
      const before = receiver.posts().length;
      await post(groups[0], 'ordered 1');
      await post(groups[0], 'ordered 2');
      await post(groups[1], 'other group');
      await post(groups[0], 'ordered 3');
      await run();
      const first = receiver.posts().slice(before).map((r) => change(r)!.value.message);
      assert.deepEqual(first, ['ordered 1', 'other group'], 'the failing lane waits; the other group goes on');
      failFirst = false;
      clock.advance(2 * FIRST_RETRY_MS);
      await run();
      const all = receiver.posts().slice(before).map((r) => change(r)!.value.message);
      assert.deepEqual(all, ['ordered 1', 'other group', 'ordered 1', 'ordered 2', 'ordered 3']);
    });

    test('secret rotation with overlap: both secrets sign until the window ends', async () => {
      receiver.set({ status: () => 200 });
      const oldSecret = bot.app_secret;
      const r = await admin('POST', `/integrations/${bot.app_id}/rotate_secret`, { overlap_hours: 2 });
      assert.equal(r.status, 200, r.text);
      const newSecret = r.json.app_secret as string;
      assert.notEqual(newSecret, oldSecret);
      assert.equal(r.json.previous_valid_until, new Date(clock.now() + 2 * 3_600_000).toISOString());
      await post(groups[0]);
      await run();
      const during = receiver.posts().at(-1)!;
      assert.equal((during.headers['x-hub-signature-256'] as string).split(',').length, 2);
      assert.equal((during.headers['x-hub-signature'] as string).split(',').length, 2);
      for (const secret of [oldSecret, newSecret]) assert.equal(verifySignature({ appSecret: secret, rawBody: during.raw, headers: during.headers }), true);
      clock.advance(2 * 3_600_000 + 1);
      await post(groups[0]);
      await run();
      const afterWindow = receiver.posts().at(-1)!;
      assert.equal((afterWindow.headers['x-hub-signature-256'] as string).split(',').length, 1);
      assert.equal(verifySignature({ appSecret: newSecret, rawBody: afterWindow.raw, headers: afterWindow.headers }), true);
      assert.equal(verifySignature({ appSecret: oldSecret, rawBody: afterWindow.raw, headers: afterWindow.headers }), false);
      bot = { ...bot, app_secret: newSecret };
    });
  });
}
