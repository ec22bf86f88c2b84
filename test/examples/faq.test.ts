import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bestAnswer, entriesFromMarkdown, startFaqBot, textOfBlocks, type RunningFaq } from '../../examples/faq-bot/bot.js';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import { postCreator } from '../../src/domain/commands/post.js';
import type { GroupRow } from '../../src/db/repositories/group.js';
import { memberSession, type MemberSession } from '../chat/helpers.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { until } from './until.js';

// The FAQ example against a real server: mentioned in a group or asked in Work Chat, it answers
// from a Markdown file, or from a Knowledge Library category read through the Graph API.

const FAQ = `# IT FAQ

## How do I reset my password?
Go to https://id.example.com/reset and follow the steps.
Passwords expire every 90 days.

## What is the Wi-Fi password?
The guest network is "Visitors"; its password is on the board at reception.

## Who do I call when the printer jams?
Facilities, extension 4242.
`;

test('Markdown sections, block trees and matching', () => {
  const entries = entriesFromMarkdown(FAQ);
  assert.deepEqual(entries.map((e) => e.question), ['How do I reset my password?', 'What is the Wi-Fi password?', 'Who do I call when the printer jams?']);
  assert.equal(entries[0]!.answer, 'Go to https://id.example.com/reset and follow the steps.\nPasswords expire every 90 days.');
  assert.equal(bestAnswer(entries, "What's the Wi-Fi password for guests?")?.question, 'What is the Wi-Fi password?');
  assert.equal(bestAnswer(entries, 'printer jammed again')?.question, 'Who do I call when the printer jams?');
  assert.equal(bestAnswer(entries, 'what is for lunch'), undefined);
  assert.equal(textOfBlocks([{ type: 'text_block', children: [{ type: 'p', children: [{ type: 'text', text: 'Level -2, ' }, { type: 'text', text: 'spots 10 to 40.' }] }, { type: 'p', children: [{ type: 'text', text: 'Ask security.' }] }] }]), 'Level -2, spots 10 to 40.\nAsk security.');
});

for (const dialect of await dialects()) {
  describe(`example FAQ bot (${dialect})`, () => {
    let ts: TestServer;
    let dir: string;
    let group: GroupRow;
    let pat: MemberSession;
    let patId: string;
    const running: RunningFaq[] = [];

    const start = async (name: string, source: { faqFile?: string; category?: string }, permissions: string[]) => {
      const creds = await ts.integration(['bot_mention', 'message', ...permissions], { name });
      const bot = await startFaqBot({ graphUrl: ts.graph, accessToken: creds.access_token, appId: creds.app_id, appSecret: creds.app_secret, verifyToken: 'faq', callbackUrl: '', refreshMs: 0, log: () => {}, ...source });
      running.push(bot);
      return creds;
    };
    const mention = async (creds: IssuedCredentials, text: string) => {
      const post = await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: `@[${creds.page_id}] ${text}` }), { kind: 'member', memberId: patId, isAdmin: false });
      const reply = await until('the answer', async () => (await ts.ctx.db.selectFrom('comment').selectAll().where('post_id', '=', post.id).where('author_id', '=', creds.page_id).execute())[0]);
      return reply.message ?? '';
    };
    const ask = async (creds: IssuedCredentials, text: string) => {
      const sent = await pat('POST', '/messages', { recipient: creds.page_id, text });
      assert.equal(sent.status, 200, sent.text);
      const thread = sent.json.thread_id as string;
      const mid = sent.json.message.id as string;
      return until('the chat answer', async () => {
        const list = (await pat('GET', `/threads/${thread}/messages`)).json.data as any[];
        const mine = list.findIndex((m) => m.id === mid);
        return list.slice(mine + 1).find((m) => m.from?.id === creds.page_id || m.sender?.id === creds.page_id)?.text as string | undefined;
      });
    };

    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8' } });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-faq-'));
      const row = await ts.member({ email: 'pat@example.com', name: 'Pat Lee', password: 'pat-Password-123' });
      patId = row.id;
      group = await ts.write((w) => groupCreator(w, { name: 'Help', adminId: row.id }));
      await ts.write((w) => groupMemberAdder(w, group, row.id));
      pat = await memberSession(ts, 'pat@example.com', 'pat-Password-123');
    });
    after(async () => {
      for (const bot of running) await bot.close();
      await ts?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('from a Markdown file: answers a mention in a group and a question in Work Chat; says what it knows otherwise', async () => {
      const file = path.join(dir, 'faq.md');
      fs.writeFileSync(file, FAQ);
      const creds = await start('FAQ', { faqFile: file }, []);
      assert.equal(await mention(creds, 'I forgot my password, how can I reset it?'), 'Pat Lee How do I reset my password?\nGo to https://id.example.com/reset and follow the steps.\nPasswords expire every 90 days.');
      assert.equal(await ask(creds, "What's the Wi-Fi password for guests?"), 'What is the Wi-Fi password?\nThe guest network is "Visitors"; its password is on the board at reception.');
      const unknown = await ask(creds, 'what is for lunch');
      assert.match(unknown, /^I could not find an answer to that\.\nI can answer:\n• How do I reset my password\?\n• What is the Wi-Fi password\?/);
    });

    test('from a Knowledge Library category found by title in /community/knowledge_library_categories, its subcategories at any depth; edits are picked up', async () => {
      const editor = await ts.integration(['manage_work_knowledge'], { name: 'KL editor' });
      const kl = (method: string, url: string, form: Record<string, string>) => http(method, `${ts.graph}/${url}`, { token: editor.access_token, form });
      const root = await kl('POST', 'community/knowledge_library_categories', { title: 'Office help' });
      assert.equal(root.status, 200, root.text);
      const laptop = await kl('POST', `${root.json.id}/subcategories`, { title: 'How do I get a laptop?', content: 'Ask IT in the Help group.' });
      assert.equal(laptop.status, 200, laptop.text);
      const building = await kl('POST', `${root.json.id}/subcategories`, { title: 'Building' });
      const parking = await kl('POST', `${building.json.id}/subcategories`, {
        title: 'Where do I park?',
        json_content: JSON.stringify([{ type: 'text_block', children: [{ type: 'p', children: [{ type: 'text', text: 'Level -2, spots 10 to 40.' }] }] }]),
      });
      assert.equal(parking.status, 200, parking.text);

      const creds = await start('Office FAQ', { category: 'office HELP' }, ['read_work_knowledge']);
      assert.equal(await mention(creds, 'where can I park my car?'), 'Pat Lee Where do I park?\nLevel -2, spots 10 to 40.');
      assert.equal(await ask(creds, 'I need a new laptop'), 'How do I get a laptop?\nAsk IT in the Help group.');
      assert.equal((await kl('POST', laptop.json.id, { content: 'Order one at https://it.example.com/laptop.' })).status, 200);
      assert.equal(await ask(creds, 'laptop please'), 'How do I get a laptop?\nOrder one at https://it.example.com/laptop.');
    });
  });
}
