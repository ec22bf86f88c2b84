import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { ensureCommunity, openContext, type Opened } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { integrationCreator, type IssuedCredentials } from '../../src/domain/commands/integration.js';
import { memberCreator } from '../../src/domain/commands/member.js';
import type { Write } from '../../src/domain/commands/shared.js';
import { dialects } from '../helpers/dialects.js';
import { http, SIGN_IN } from '../helpers/server.js';
import { Receiver } from '../webhooks/receiver.js';
import { freshDatabase, type ServerProcess, startProcess } from './cluster.js';

// Three `commonplace serve` processes on one PostgreSQL database, each with its own data
// directory, behave as one server: requests alternate between them.

const ADMIN = { email: 'admin@example.com', password: 'Scale-out-pass-1234' };
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

const available = await dialects();

describe('several processes on one PostgreSQL', { skip: !available.includes('postgres') && 'PostgreSQL is not reachable' }, () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let servers: ServerProcess[] = [];
  let opened: Opened;
  let bot: IssuedCredentials;
  let receiver: Receiver;
  const write = <T>(fn: (w: Write) => Promise<T>) => opened.ctx.db.transaction().execute((trx) => fn({ ctx: opened.ctx, actor: { kind: 'system' }, trx }));
  const at = (i: number) => servers[i % servers.length].base;

  before(async () => {
    database = await freshDatabase('cpscale');
    const env = {
      DATABASE_URL: database.url,
      COMMONPLACE_SECRET_KEY: 'ab'.repeat(32),
      COMMONPLACE_ADMIN_EMAIL: ADMIN.email,
      COMMONPLACE_ADMIN_PASSWORD: ADMIN.password,
      COMMONPLACE_RATE_LIMIT: '40',
      COMMONPLACE_MEDIA_URL: 'database',
      COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    };
    // The first one migrates; the others start against the migrated database side by side.
    servers.push(await startProcess(env));
    servers.push(...(await Promise.all([startProcess(env), startProcess(env)])));
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-scale-'));
    opened = await openContext({ config: { ...loadConfig({ ...env, COMMONPLACE_DATA_DIR: dataDir }), databaseUrl: database.url }, log: pino({ level: 'silent' }) });
    await ensureCommunity(opened.ctx);
    bot = await write((w) => integrationCreator(w, { name: 'Scale Bot', permissions: ['read_group', 'write_group', 'manage_group', 'message'], groupIds: null }));
    receiver = await Receiver.start({ verifyToken: 'scale-verify' });
  });

  after(async () => {
    await receiver?.close();
    await opened?.close();
    await Promise.all(servers.map((s) => s.stop()));
    await database?.drop();
  });

  test('a token rotated through one process fails on the others at once', async () => {
    const victim = await write((w) => integrationCreator(w, { name: 'Rotated', permissions: ['read_group'], groupIds: null }));
    for (let i = 0; i < 6; i++) assert.equal((await http('GET', `${at(i)}/graph/me`, { token: victim.access_token })).status, 200, 'every process has the token cached');
    const signIn = await http('POST', `${at(0)}/admin/api/session`, { json: ADMIN, headers: SIGN_IN });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    const rotated = await http('POST', `${at(0)}/admin/api/integrations/${victim.app_id}/rotate`, { headers: { cookie, 'x-csrf-token': signIn.json.csrf_token } });
    assert.equal(rotated.status, 200, rotated.text);
    for (const i of [1, 2, 0]) {
      const old = await http('GET', `${at(i)}/graph/me`, { token: victim.access_token });
      assert.equal(old.json?.error?.code, 190, `process ${i} still took the old token`);
      assert.equal((await http('GET', `${at(i)}/graph/me`, { token: rotated.json.access_token })).status, 200);
    }
  });

  test('the rate limit holds across the processes (the sum of 2xx stays within it)', async () => {
    const limited = await write((w) => integrationCreator(w, { name: 'Limited', permissions: ['read_group'], groupIds: null }));
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await http('GET', `${at(i)}/graph/me`, { token: limited.access_token })).status);
    assert.equal(statuses.filter((s) => s === 200).length, 40);
    assert.ok(statuses.slice(40).every((s) => s === 429), 'after the limit every process answers 429');
  });

  test('an admin session made on one process works on the others', async () => {
    const signIn = await http('POST', `${at(1)}/admin/api/session`, { json: ADMIN, headers: SIGN_IN });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    for (const i of [0, 2]) assert.equal((await http('GET', `${at(i)}/admin/api/session`, { headers: { cookie } })).status, 200);
  });

  test('media uploaded through one process is served by the others', async () => {
    const form = new FormData();
    form.append('source', new Blob([PNG], { type: 'image/png' }), 'dot.png');
    const uploaded = await http('POST', `${at(0)}/graph/me/photos`, { token: bot.access_token, body: form });
    assert.equal(uploaded.status, 200, uploaded.text);
    const photo = await http('GET', `${at(1)}/graph/${uploaded.json.id}?fields=images`, { token: bot.access_token });
    const url = new URL(photo.json.images[0].source);
    for (const i of [1, 2]) {
      const served = await fetch(`${at(i)}${url.pathname}${url.search}`);
      assert.equal(served.status, 200);
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), PNG);
    }
  });

  test('an employee data export written by one process downloads from the others', async () => {
    const hr = await write((w) => integrationCreator(w, { name: 'Export Bot', permissions: ['manage_accounts'], groupIds: null }));
    const scheduled = await http('POST', `${at(0)}/graph/community/export_employee_data`, { token: hr.access_token });
    assert.equal(scheduled.status, 200, scheduled.text);
    let result: string | undefined;
    for (let i = 0; i < 200 && !result; i++) {
      const job = await http('GET', `${at(i)}/graph/${scheduled.json.id}?fields=status,result`, { token: hr.access_token });
      assert.notEqual(job.json.status, 'FAILED', job.text);
      if (job.json.status === 'COMPLETED') result = job.json.result;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(result, 'the export finished');
    const { pathname } = new URL(result);
    for (const i of [0, 1, 2]) {
      const served = await fetch(`${at(i)}${pathname}`);
      assert.equal(served.status, 200, `process ${i}`);
      assert.equal(Buffer.from(await served.arrayBuffer()).subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file');
    }
  });

  test('a chat message sent through one process reaches an event stream held by another within a second', async () => {
    const mia = await write((w) => memberCreator(w, { email: 'mia@example.com', name: 'Mia', state: 'claimed', password: 'mia-pass-12345' }));
    const signIn = await http('POST', `${at(2)}/api/session`, { json: { email: 'mia@example.com', password: 'mia-pass-12345' }, headers: SIGN_IN });
    assert.equal(signIn.status, 200, signIn.text);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    const controller = new AbortController();
    const stream = await fetch(`${at(2)}/api/events`, { headers: { cookie }, signal: controller.signal });
    const reader = stream.body!.getReader();
    let text = '';
    const read = async (until: RegExp) => {
      while (!until.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await read(/event: ready/);
    const sentAt = performance.now();
    const sent = await http('POST', `${at(0)}/graph/me/messages`, { token: bot.access_token, json: { recipient: { id: mia.id }, message: { text: 'across processes' } } });
    assert.equal(sent.status, 200, sent.text);
    await read(new RegExp(`"last_message_id":"${sent.json.message_id}"`));
    const elapsed = performance.now() - sentAt;
    controller.abort();
    assert.ok(elapsed < 1000, `the event came after ${Math.round(elapsed)} ms`);
  });

  test('every webhook attempt happens once, whichever process recorded the event', async () => {
    const bot = await write((w) => integrationCreator(w, { name: 'Hook Bot', permissions: ['read_group', 'write_group', 'manage_group'], groupIds: null }));
    const subscribed = await http('POST', `${at(0)}/graph/app/subscriptions`, {
      token: `${bot.app_id}|${bot.app_secret}`,
      form: { object: 'group', fields: 'posts', callback_url: receiver.url, verify_token: 'scale-verify' },
    });
    assert.equal(subscribed.status, 200, subscribed.text);
    const group = await http('POST', `${at(1)}/graph/community/groups`, { token: bot.access_token, form: { name: 'Scale Team', privacy: 'OPEN' } });
    assert.equal(group.status, 200, group.text);
    const posts = 24;
    await Promise.all(
      Array.from({ length: posts }, async (_, i) => {
        const r = await http('POST', `${at(i)}/graph/${group.json.id}/feed`, { token: bot.access_token, form: { message: `post ${i}` } });
        assert.equal(r.status, 200, r.text);
      }),
    );
    const deadline = Date.now() + 15_000;
    const posted = () => receiver.got.filter((r) => r.method === 'POST');
    while (posted().length < posts && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    const ids = posted().map((r) => r.json.entry[0].changes[0].value.post_id as string);
    assert.equal(ids.length, posts, 'one delivery per post');
    assert.equal(new Set(ids).size, posts, 'no post delivered twice');
    const attempts = await opened.ctx.db.selectFrom('webhook_attempt').select(['delivery_id', 'worker']).execute();
    assert.equal(attempts.length, posts);
    assert.equal(new Set(attempts.map((a) => a.delivery_id)).size, posts, 'no delivery attempted twice');
  });

  test('SIGTERM: /readyz turns unready, in-flight requests finish, the process exits 0', async () => {
    const extra = await startProcess({ DATABASE_URL: database.url, COMMONPLACE_SECRET_KEY: 'ab'.repeat(32), COMMONPLACE_SHUTDOWN_DELAY_MS: '1500' });
    assert.equal((await fetch(`${extra.base}/readyz`)).status, 200);
    const inFlight = fetch(`${extra.base}/graph/me`, { headers: { authorization: `Bearer ${bot.access_token}` } });
    extra.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await fetch(`${extra.base}/readyz`)).status, 503, 'unready while the port is still open');
    assert.equal((await inFlight).status, 200);
    assert.equal(await extra.stop(), 0, extra.output());
  });
});

describe('serve --workers on SQLite', () => {
  test('refuses with a clear message', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-workers-'));
    const env: NodeJS.ProcessEnv = { ...process.env, COMMONPLACE_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', COMMONPLACE_ADMIN_EMAIL: ADMIN.email, COMMONPLACE_ADMIN_PASSWORD: ADMIN.password };
    delete env.DATABASE_URL;
    const run = spawnSync(process.execPath, ['bin/commonplace.mjs', 'serve', '--workers', '2'], { env, encoding: 'utf8', timeout: 60_000 });
    fs.rmSync(dataDir, { recursive: true, force: true });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /serve --workers needs PostgreSQL/);
  });
});
