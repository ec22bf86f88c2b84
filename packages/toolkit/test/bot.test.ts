import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Bot } from '@commonplace/sdk';
import { groupCreator } from '../../../src/domain/commands/group.js';
import { memberSession } from '../../../test/chat/helpers.ts';
import { dialects } from '../../../test/helpers/dialects.ts';
import { startServer, type TestServer } from '../../../test/helpers/server.ts';
import { tempDir, toolkit } from './helpers.ts';

// `bot new NAME` scaffolds a project; its own test passes, it typechecks, and the bot it
// contains answers a member in Work Chat and a mention in a group on a real server.

const ROOT = path.resolve(import.meta.dirname, '../../..');
const [dialect] = await dialects();

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('bot new', () => {
  let dir: string;
  let project: string;
  before(async () => {
    dir = tempDir('cp-bot-new-');
    project = path.join(dir, 'lunch-bot');
    const r = await toolkit(['--json', 'bot', 'new', 'lunch-bot', '--dir', project], { base: 'http://127.0.0.1:9', token: 'unused' });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.json.files, ['package.json', 'tsconfig.json', 'index.ts', 'bot.test.ts', 'README.md', '.gitignore']);
    // Stands in for `npm install`: the project resolves @commonplace/sdk, tsx and typescript from this checkout.
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the project depends on the SDK, names itself, and uses createBot', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
    assert.equal(pkg.name, 'lunch-bot');
    assert.equal(pkg.dependencies['@commonplace/sdk'], '0.1.0');
    assert.equal(pkg.scripts.test, 'node --import tsx --test bot.test.ts');
    const index = fs.readFileSync(path.join(project, 'index.ts'), 'utf8');
    assert.match(index, /createBot\(/);
    assert.doesNotMatch(index + fs.readFileSync(path.join(project, 'bot.test.ts'), 'utf8'), /\{\{\w+\}\}/, 'every placeholder filled in');
    assert.match(fs.readFileSync(path.join(project, 'bot.test.ts'), 'utf8'), /Hello! I am Lunch Bot\./);
  });

  test("the project's own test passes and it typechecks", () => {
    // NODE_TEST_CONTEXT would make the child report to this test runner instead of printing.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const t = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', 'bot.test.ts'], { cwd: project, encoding: 'utf8', env });
    assert.equal(t.status, 0, t.stdout + t.stderr);
    assert.match(t.stdout, /# pass 3/);
    assert.match(t.stdout, /# fail 0/);
    const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  });

  test('a bad name or a non-empty folder is a usage error', async () => {
    const bad = await toolkit(['bot', 'new', 'Lunch Bot', '--dir', path.join(dir, 'x')], { base: 'http://127.0.0.1:9', token: 'unused' });
    assert.equal(bad.code, 2);
    assert.match(bad.err, /lower-case letters/);
    const taken = await toolkit(['bot', 'new', 'lunch-bot', '--dir', project], { base: 'http://127.0.0.1:9', token: 'unused' });
    assert.equal(taken.code, 2);
    assert.match(taken.err, /already exists and is not empty/);
  });

  test(`the scaffolded bot answers in Work Chat and in a group on a real server (${dialect})`, async () => {
    const ts: TestServer = await startServer(dialect, { env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8' } });
    const { makeBot } = (await import(pathToFileURL(path.join(project, 'index.ts')).href)) as { makeBot(config: { graphUrl: string; accessToken: string; appId: string; appSecret: string; verifyToken: string; cursorFile?: string }): Bot };
    const creds = await ts.integration(['bot_mention', 'message'], { name: 'Lunch Bot' });
    const bot = makeBot({ graphUrl: ts.graph, accessToken: creds.access_token, appId: creds.app_id, appSecret: creds.app_secret, verifyToken: 'lunch', cursorFile: path.join(dir, 'cursor') });
    const listening = await bot.listen(0, { catchUp: true });
    try {
      await bot.subscribe(listening.url);
      const pat = await ts.member({ email: 'pat@example.com', name: 'Pat Lee', password: 'pat-Password-123' });
      const session = await memberSession(ts, 'pat@example.com', 'pat-Password-123');
      const sent = await session('POST', '/messages', { recipient: creds.page_id, text: 'hello bot' });
      assert.equal(sent.status, 200, sent.text);
      const answer = await until('the answer', async () => ((await session('GET', `/threads/${sent.json.thread_id}/messages`)).json.data as any[]).find((m) => m.text === 'Hello! I am Lunch Bot.'));
      assert.deepEqual(answer.quick_replies.map((q: any) => q.title), ['Help']);

      const group = await ts.write((w) => groupCreator(w, { name: 'Lunch', adminId: pat.id }));
      const { postCreator } = await import('../../../src/domain/commands/post.js');
      const post = await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: `@[${creds.page_id}] help` }), { kind: 'member', memberId: pat.id, isAdmin: false });
      const reply = await until('the reply', async () => (await ts.ctx.db.selectFrom('comment').selectAll().where('post_id', '=', post.id).where('author_id', '=', creds.page_id).execute())[0]);
      assert.match(reply.message ?? '', /^Pat Lee I answer "hello"/);
      assert.ok(fs.existsSync(path.join(dir, 'cursor')), 'catch-up keeps its position in the cursor file');
    } finally {
      await listening.close();
      await ts.close();
    }
  });
});
