import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBot, type RunningBot } from '../../examples/mention-chat-bot/bot.js';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import type { GroupRow } from '../../src/db/repositories/group.js';
import { memberSession, type MemberSession } from '../chat/helpers.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

// The example bot (SDK only) against a real server: a mention in a group makes it like the post
// and reply as its page; in Work Chat it answers with quick replies, then a button, and opens a
// ticket when the member taps it.

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const dialect of await dialects()) {
  describe(`example bot: mentions and Work Chat (${dialect})`, () => {
    let ts: TestServer;
    let creds: IssuedCredentials;
    let bot: RunningBot;
    let group: GroupRow;
    let pat: MemberSession;
    const lines: string[] = [];

    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8' } });
      creds = await ts.integration(['bot_mention', 'message', 'group_chat'], { name: 'Help Desk' });
      const patRow = await ts.member({ email: 'pat@example.com', name: 'Pat Lee', password: 'pat-Password-123' });
      group = await ts.write((w) => groupCreator(w, { name: 'IT questions', adminId: patRow.id }));
      await ts.write((w) => groupMemberAdder(w, group, patRow.id));
      bot = await startBot({
        graphUrl: ts.graph,
        accessToken: creds.access_token,
        appId: creds.app_id,
        appSecret: creds.app_secret,
        verifyToken: 'bot-verify',
        callbackUrl: '',
        log: (line) => lines.push(line),
      });
      pat = await memberSession(ts, 'pat@example.com', 'pat-Password-123');
    });
    after(async () => {
      await bot.close();
      await ts.close();
    });

    test('the bot subscribed itself through the handshake', async () => {
      const list = await http('GET', `${ts.graph}/app/subscriptions`, { token: `${creds.app_id}|${creds.app_secret}` });
      assert.deepEqual(list.json.data[0].fields.map((f: any) => f.name), ['mention', 'messages', 'messaging_postbacks']);
      assert.equal(list.json.data[0].callback_url, bot.url);
    });

    test('mentioned in a post, it likes the post and replies with a comment as its page', async () => {
      const { postCreator } = await import('../../src/domain/commands/post.js');
      const post = await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: `My screen flickers, @[${creds.page_id}] help!` }), {
        kind: 'member',
        memberId: pat.memberId,
        isAdmin: false,
      });
      const comment = await until('the bot reply', async () => {
        const rows = await ts.ctx.db.selectFrom('comment').selectAll().where('post_id', '=', post.id).where('author_id', '=', creds.page_id).execute();
        return rows[0];
      });
      assert.match(comment.message!, /^Hi Pat Lee, I'm on it/);
      assert.deepEqual(JSON.parse(comment.message_tags).map((t: any) => t.id), [pat.memberId]);
      const like = await ts.ctx.db.selectFrom('reaction').selectAll().where('object_id', '=', post.id).where('actor_id', '=', creds.page_id).executeTakeFirst();
      assert.equal(like?.type, 'LIKE');
      assert.ok(lines.some((l) => l.includes('My screen flickers')), 'the bot read the post');
    });

    test('Work Chat: message → quick replies → tap → button → tap → ticket', async () => {
      const greeting = (await pat('GET', `/bots/${creds.page_id}`)).json;
      assert.equal(greeting.greeting[0].text, 'Hi! I am the help desk bot.');
      const first = await pat('POST', '/messages', { recipient: creds.page_id, text: 'hello?' });
      assert.equal(first.status, 200, first.text);
      const thread = first.json.thread_id;
      const messages = () => pat('GET', `/threads/${thread}/messages`).then((r) => r.json.data as any[]);
      const offer = await until('quick replies', async () => (await messages()).find((m) => m.quick_replies.length));
      assert.equal(offer.text, 'What kind of problem is it?');
      assert.deepEqual(offer.quick_replies.map((q: any) => q.title), ['Hardware', 'Software']);
      assert.ok((await pat('GET', `/threads/${thread}`)).json.participants.find((p: any) => p.id === creds.page_id).read_watermark >= first.json.message.timestamp, 'mark_seen');

      await pat('POST', `/threads/${thread}/messages`, { quick_reply: { payload: 'HW' } });
      const button = await until('the button', async () => (await messages()).find((m) => m.attachments[0]?.type === 'template'));
      assert.equal(button.attachments[0].payload.text, 'Open a hardware ticket?');
      await pat('POST', `/threads/${thread}/postback`, { message_id: button.id, payload: 'TICKET_HW' });
      const done = await until('the ticket', async () => (await messages()).find((m) => m.text?.startsWith('Ticket opened')));
      assert.equal(done.text, 'Ticket opened for hardware problem. We will be in touch.');

      await pat('POST', `/threads/${thread}/postback`, { payload: 'GET_STARTED' });
      await until('the get started answer', async () => (await messages()).find((m) => m.text === 'Hello! What kind of problem is it?'));
    });
  });
}
