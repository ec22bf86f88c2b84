import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBot, fileCursorStore, memoryCursorStore, memoryDedupeStore, signatureHeaders, type Bot, type CursorStore } from '../src/index.ts';
import { groupCreator } from '../../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../../src/domain/commands/groupMembership.js';
import type { IssuedCredentials } from '../../../src/domain/commands/integration.js';
import { postCreator } from '../../../src/domain/commands/post.js';
import { commentCreator } from '../../../src/domain/commands/comment.js';
import type { GroupRow } from '../../../src/db/repositories/group.js';
import { FIRST_RETRY_MS } from '../../../src/webhooks/schedule.js';
import { memberSession, type MemberSession } from '../../../test/chat/helpers.ts';
import { dialects } from '../../../test/helpers/dialects.ts';
import { http, ManualClock, startServer, type TestServer } from '../../../test/helpers/server.ts';
import { adminSession } from '../../../test/webhooks/helpers.ts';

// createBot against a real server: the server verifies the subscription through the bot's
// handshake and delivers signed webhooks to it over HTTP; the bot answers through Graph. The
// webhook worker runs when the test says so (runOnce), so each step is deterministic.

type Listening = Awaited<ReturnType<Bot['listen']>>;

test('the in-memory dedupe store: new, busy while handled, done after; released keys come back; crashed claims expire', () => {
  let now = 0;
  const store = memoryDedupeStore({ max: 2, busyMs: 1000, now: () => now });
  assert.equal(store.claim('a'), 'new');
  assert.equal(store.claim('a'), 'busy');
  store.complete('a');
  assert.equal(store.claim('a'), 'done');
  assert.equal(store.claim('b'), 'new');
  store.release('b');
  assert.equal(store.claim('b'), 'new');
  now = 1001;
  assert.equal(store.claim('b'), 'new', 'a claim left busy by a crashed handler expires');
  store.complete('b');
  assert.equal(store.claim('c'), 'new');
  assert.equal(store.claim('a'), 'new', 'the oldest key is forgotten beyond max');
});

test('the file cursor store keeps the cursor across restarts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-bot-'));
  const file = path.join(dir, 'cursor');
  assert.equal(fileCursorStore(file).get(), undefined);
  fileCursorStore(file).set('abc');
  assert.equal(fileCursorStore(file).get(), 'abc');
  fs.rmSync(dir, { recursive: true, force: true });
});

for (const dialect of await dialects()) {
  describe(`createBot over real webhooks (${dialect})`, () => {
    const clock = new ManualClock(Date.now());
    let ts: TestServer;
    let creds: IssuedCredentials;
    let group: GroupRow;
    let pat: MemberSession;
    let admin: Awaited<ReturnType<typeof adminSession>>;
    let bot: Bot;
    let listening: Listening;
    let cursor: CursorStore;
    const calls: string[] = [];
    let failNext = false;
    const run = () => ts.server.webhooks.runOnce();

    const options = () => ({
      appSecret: creds.app_secret,
      verifyToken: 'bot-verify',
      graphUrl: ts.graph,
      accessToken: creds.access_token,
      appId: creds.app_id,
      cursor,
      now: () => clock.now(),
      maxAttempts: 3,
      onError: (error: unknown, _event: unknown, info: { gaveUp: boolean }) => calls.push(`error:${(error as Error).message}${info.gaveUp ? ' (gave up)' : ''}`),
      async onMention(m, turn) {
        calls.push(`mention:${m.message}`);
        await turn.react();
        await turn.reply(`On it, @[${m.from.id}]`);
      },
      async onGroupPost(p, turn) {
        if (p.verb !== 'add') return;
        calls.push(`post:${p.message}`);
        await turn.reply('Thanks for posting');
      },
      async onComment(c) {
        calls.push(`comment:${c.message}`);
      },
      async onMessage(message, turn) {
        calls.push(`message:${message.text}`);
        if (message.text === 'poison') throw new Error('cannot handle this');
        if (failNext) {
          failNext = false;
          throw new Error('database hiccup');
        }
        await turn.markSeen();
        await turn.typing();
        await turn.sendQuickReplies(`You said ${message.text}. Coffee or tea?`, { Coffee: 'COFFEE', Tea: 'TEA' });
      },
      async onQuickReply(q, turn) {
        calls.push(`quick:${q.payload}`);
        await turn.sendButtons(`One ${q.payload.toLowerCase()}?`, [{ type: 'postback', title: 'Order', payload: `ORDER_${q.payload}` }]);
      },
      async onPostback(p, turn) {
        calls.push(`postback:${p.payload}`);
        await turn.typing(false);
        await turn.reply(`Ordered: ${p.payload.slice(6).toLowerCase()}`);
      },
    }) satisfies Parameters<typeof createBot>[0];

    const messages = async (thread: string) => (await pat('GET', `/threads/${thread}/messages`)).json.data as any[];
    const deliveries = async () => (await admin('GET', `/integrations/${creds.app_id}/deliveries?limit=500`)).json.data as any[];

    before(async () => {
      ts = await startServer(dialect, { clock, env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8', COMMONPLACE_WEBHOOK_WORKER: '0', COMMONPLACE_RATE_LIMIT: '0' } });
      creds = await ts.integration(['bot_mention', 'message', 'group_chat', 'read_group', 'write_group'], { name: 'Barista' });
      const patRow = await ts.member({ email: 'pat@example.com', name: 'Pat Lee', password: 'pat-Password-123' });
      group = await ts.write((w) => groupCreator(w, { name: 'Kitchen', adminId: patRow.id }));
      await ts.write((w) => groupMemberAdder(w, group, patRow.id));
      pat = await memberSession(ts, 'pat@example.com', 'pat-Password-123');
      admin = await adminSession(ts);
      cursor = memoryCursorStore();
      bot = createBot(options());
      listening = await bot.listen(0);
      await bot.subscribe(listening.url, { page: ['mention', 'messages', 'messaging_postbacks'], group: ['posts', 'comments'] });
    });
    after(async () => {
      await listening?.close();
      await ts?.close();
    });

    test('the server subscribed the bot through its handshake; wrong tokens and signatures are refused', async () => {
      const list = await http('GET', `${ts.graph}/app/subscriptions`, { token: `${creds.app_id}|${creds.app_secret}` });
      assert.deepEqual(list.json.data.map((s: any) => s.object).sort(), ['group', 'page']);
      assert.equal(list.json.data[0].callback_url, listening.url);
      const ok = await fetch(`${listening.url}?hub.mode=subscribe&hub.verify_token=bot-verify&hub.challenge=12345`);
      assert.equal(await ok.text(), '12345');
      assert.equal((await fetch(`${listening.url}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=12345`)).status, 403);

      const body = JSON.stringify({ object: 'page', entry: [{ id: creds.page_id, time: 1, changes: [{ field: 'mention', value: { item: 'post', verb: 'add', post_id: 'x_y', message: 'forged', from: { id: '1' } } }] }] });
      const forged = await fetch(listening.url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...signatureHeaders('not-the-secret', body) } });
      assert.equal(forged.status, 401);
      // A signature over other bytes (the same JSON re-serialised with spaces) does not match.
      const spaced = JSON.stringify(JSON.parse(body), null, 1);
      const reserialised = await fetch(listening.url, { method: 'POST', body: spaced, headers: { 'content-type': 'application/json', 'X-Hub-Signature-256': signatureHeaders(creds.app_secret, body)['X-Hub-Signature-256'] } });
      assert.equal(reserialised.status, 401);
      assert.equal((await fetch(listening.url, { method: 'POST', body })).status, 401, 'no signature');
      assert.equal((await fetch(listening.url, { method: 'PUT', body })).status, 405);
      assert.ok(!calls.some((c) => c.includes('forged')));
    });

    test('a mention: the bot likes the post and replies as its page; its own comment does not come back to it', async () => {
      const post = await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: `Coffee machine broken @[${creds.page_id}]` }), { kind: 'member', memberId: pat.memberId, isAdmin: false });
      await run();
      await run();
      assert.deepEqual(calls.filter((c) => c.startsWith('mention:')), [`mention:${post.message}`]);
      assert.ok(calls.includes(`post:${post.message}`), 'the group post reached onGroupPost too');
      const comments = await ts.ctx.db.selectFrom('comment').selectAll().where('post_id', '=', post.id).where('author_id', '=', creds.page_id).orderBy('created_time').execute();
      assert.deepEqual(comments.map((c) => c.message).sort(), ['On it, Pat Lee', 'Thanks for posting']);
      const like = await ts.ctx.db.selectFrom('reaction').selectAll().where('object_id', '=', post.id).where('actor_id', '=', creds.page_id).executeTakeFirst();
      assert.equal(like?.type, 'LIKE');
      assert.ok(!calls.some((c) => c.startsWith('comment:On it') || c.startsWith('comment:Thanks')), 'the bot skips its own comments');

      await ts.write((w) => commentCreator(w, { post, message: 'fixed now' }), { kind: 'member', memberId: pat.memberId, isAdmin: false });
      await run();
      assert.ok(calls.includes('comment:fixed now'));
    });

    test('Work Chat: message → typing and quick replies → tap → buttons → postback → answer', async () => {
      const first = await pat('POST', '/messages', { recipient: creds.page_id, text: 'hello' });
      assert.equal(first.status, 200, first.text);
      const thread = first.json.thread_id as string;
      await run();
      const offer = (await messages(thread)).find((m) => m.quick_replies?.length);
      assert.equal(offer?.text, 'You said hello. Coffee or tea?');
      assert.deepEqual(offer.quick_replies.map((q: any) => q.payload), ['COFFEE', 'TEA']);

      await pat('POST', `/threads/${thread}/messages`, { quick_reply: { payload: 'TEA' } });
      await run();
      assert.ok(calls.includes('quick:TEA'));
      const button = (await messages(thread)).find((m) => m.attachments?.[0]?.type === 'template');
      assert.equal(button.attachments[0].payload.text, 'One tea?');
      await pat('POST', `/threads/${thread}/postback`, { message_id: button.id, payload: 'ORDER_TEA' });
      await run();
      assert.ok((await messages(thread)).some((m) => m.text === 'Ordered: tea'));
    });

    test('at least once: a failing handler makes the server retry; a retry or redelivery of a handled event is not handled again', async () => {
      failNext = true;
      await pat('POST', '/messages', { recipient: creds.page_id, text: 'flaky' });
      await run();
      assert.deepEqual(calls.filter((c) => c === 'message:flaky'), ['message:flaky']);
      assert.ok(calls.includes('error:database hiccup'));
      const failed = (await deliveries()).find((d) => d.state === 'pending');
      assert.ok(failed, 'the 500 left the delivery pending for a retry');
      clock.advance(2 * FIRST_RETRY_MS);
      await run();
      assert.deepEqual(calls.filter((c) => c === 'message:flaky'), ['message:flaky', 'message:flaky'], 'retried once, handled');
      const thread = (await pat('GET', '/threads')).json.data.find((t: any) => t.participants?.some((p: any) => p.id === creds.page_id))?.id;
      const answers = async () => (await messages(thread)).filter((m) => m.text === 'You said flaky. Coffee or tea?').length;
      assert.equal(await answers(), 1);

      const delivered = (await deliveries()).find((d) => d.id === failed.id);
      assert.equal(delivered.state, 'delivered');
      const again = await admin('POST', `/integrations/${creds.app_id}/deliveries/${failed.id}/redeliver`);
      assert.equal(again.status, 200, again.text);
      await run();
      assert.equal((await deliveries()).find((d) => d.id === again.json.id)?.state, 'delivered', 'the bot acknowledged the redelivery');
      assert.equal(calls.filter((c) => c === 'message:flaky').length, 2, 'the redelivery (same event, new delivery id) was not handled again');
      assert.equal(await answers(), 1);
    });

    test('an event that keeps failing is acknowledged after maxAttempts, so it does not hold back its thread', async () => {
      await pat('POST', '/messages', { recipient: creds.page_id, text: 'poison' });
      await run();
      clock.advance(2 * FIRST_RETRY_MS);
      await run();
      assert.deepEqual(calls.filter((c) => c.startsWith('error:cannot')), ['error:cannot handle this', 'error:cannot handle this']);
      assert.ok((await deliveries()).some((d) => d.state === 'pending'));
      await pat('POST', '/messages', { recipient: creds.page_id, text: 'after the poison' });
      clock.advance(4 * FIRST_RETRY_MS);
      await run();
      await run();
      assert.deepEqual(calls.filter((c) => c.startsWith('error:cannot')), ['error:cannot handle this', 'error:cannot handle this', 'error:cannot handle this (gave up)']);
      assert.equal(calls.filter((c) => c === 'message:poison').length, 3);
      assert.ok(calls.includes('message:after the poison'), 'the thread moved on');
      assert.ok(!(await deliveries()).some((d) => d.state === 'pending'));
    });

    test('catch-up after downtime: a restarted bot handles what it missed through GET /app/events, once', async () => {
      const before = await bot.catchUp();
      assert.equal(before.handled, 0, 'everything so far was handled live');
      assert.ok(before.cursor);
      const port = listening.port;
      await listening.close();

      await pat('POST', '/messages', { recipient: creds.page_id, text: 'anyone there?' });
      await run();
      assert.ok(!calls.includes('message:anyone there?'));
      assert.ok((await deliveries()).some((d) => d.state === 'pending'), 'the delivery failed: the bot was down');

      // A new process: fresh memory, the cursor kept in the store.
      bot = createBot(options());
      listening = await bot.listen(port, { catchUp: true });
      assert.deepEqual(calls.filter((c) => c === 'message:anyone there?'), ['message:anyone there?']);
      const thread = (await pat('GET', '/threads')).json.data.find((t: any) => t.participants?.some((p: any) => p.id === creds.page_id))?.id;
      assert.equal((await messages(thread)).filter((m) => m.text === 'You said anyone there?. Coffee or tea?').length, 1);

      // The server's own retry then arrives: acknowledged, not handled again.
      clock.advance(2 * FIRST_RETRY_MS);
      await run();
      assert.ok(!(await deliveries()).some((d) => d.state === 'pending'));
      assert.equal(calls.filter((c) => c === 'message:anyone there?').length, 1);
      const later = await bot.catchUp();
      assert.equal(later.handled, 0);
    });
  });
}
