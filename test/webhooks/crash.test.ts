import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { http } from '../helpers/server.js';
import { change, Receiver } from './receiver.js';

// Events keep flowing while `commonplace serve` is killed with SIGKILL and started again: the
// receiver ends up with every event at least once, and a duplicate carries the same delivery id.
// The integration and its subscription are made with the CLI (the handshake runs from there).

const BIN = path.resolve('bin/commonplace.mjs');
const execFileAsync = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('webhook delivery across a crash (commonplace serve, SQLite)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-crash-'));
  let port: number;
  let base: string;
  let env: NodeJS.ProcessEnv;
  let child: ChildProcess | undefined;
  let receiver: Receiver;
  let app: { app_id: string; page_id: string; access_token: string; app_secret: string };
  const cli = async (...args: string[]) => (await execFileAsync(process.execPath, [BIN, ...args], { env, timeout: 60_000 })).stdout.trim().split('\n').pop()!;

  async function startServe(): Promise<void> {
    const proc = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    proc.stderr!.on('data', (d) => (errors += d));
    child = proc;
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) return;
      } catch {
        // not up yet
      }
      if (proc.exitCode !== null) throw new Error(`serve exited: ${errors}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`serve did not start: ${errors}`);
  }

  before(async () => {
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      ...process.env,
      COMMONPLACE_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: base,
      LOG_LEVEL: 'warn',
      COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8',
      COMMONPLACE_ADMIN_EMAIL: 'admin@example.com',
      COMMONPLACE_ADMIN_PASSWORD: 'crash-Admin-pass-1234',
    };
    delete env.DATABASE_URL;
    // Slow answers, so deliveries are in flight when the server dies.
    receiver = await Receiver.start({ status: () => new Promise((r) => setTimeout(() => r(200), 5)) });
    app = JSON.parse(await cli('integration', 'create', '--name', 'Crash Bot', '--permission', 'manage_group', '--permission', 'read_group', '--permission', 'write_group', '--json'));
  });
  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await receiver.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('the CLI subscribes (handshake) and lists the subscription', async () => {
    const bad = await execFileAsync(process.execPath, [BIN, 'webhook', 'subscribe', app.app_id, '--object', 'group', '--fields', 'posts', '--callback-url', receiver.url, '--verify-token', 'wrong'], { env }).catch((e) => e);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Callback verification failed: the callback answered HTTP 403/);
    const sub = JSON.parse(await cli('webhook', 'subscribe', app.app_id, '--object', 'group', '--fields', 'posts', '--callback-url', receiver.url, '--verify-token', 'verify-me', '--json'));
    assert.deepEqual(sub.fields, ['posts']);
    assert.equal(sub.status, 'healthy');
    const listed = JSON.parse(await cli('webhook', 'list', app.app_id, '--json'));
    assert.equal(listed.data.length, 1);
    const hosts = JSON.parse(await cli('webhook', 'allow-hosts', app.app_id, 'hooks.internal', '10.0.0.0/8', '--json'));
    assert.deepEqual(hosts.allowed_hosts, ['hooks.internal', '10.0.0.0/8']);
    const rotated = JSON.parse(await cli('webhook', 'rotate-secret', app.app_id, '--overlap-hours', '1', '--json'));
    assert.match(rotated.app_secret, /^[0-9a-f]{32}$/);
    assert.notEqual(rotated.app_secret, app.app_secret);
    assert.ok(rotated.previous_valid_until);
  });

  test('SIGKILL while events flow: every event arrives at least once; duplicates share a delivery id', async (t) => {
    await startServe();
    const group = await http('POST', `${base}/graph/community/groups`, { token: app.access_token, form: { name: 'Crash group', privacy: 'CLOSED' } });
    assert.equal(group.status, 200, group.text);
    const groupId = group.json.id as string;
    const created = new Set<string>();
    let stop = false;
    let n = 0;
    const producer = async () => {
      while (!stop) {
        const i = ++n;
        try {
          const r = await fetch(`${base}/graph/${groupId}/feed`, {
            method: 'POST',
            headers: { authorization: `Bearer ${app.access_token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ message: `event ${i}` }),
            signal: AbortSignal.timeout(2000),
          });
          if (r.ok) created.add(((await r.json()) as { id: string }).id);
        } catch {
          await new Promise((res) => setTimeout(res, 50));
        }
        await new Promise((res) => setTimeout(res, 10));
      }
    };
    const producers = [producer(), producer(), producer()];
    await new Promise((r) => setTimeout(r, 1500));
    const beforeKill = created.size;
    child!.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    await new Promise((r) => setTimeout(r, 300));
    await startServe();
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await Promise.all(producers);
    const stopped = Date.now();
    assert.ok(beforeKill > 10 && created.size > beforeKill + 10, `events before (${beforeKill}) and after (${created.size}) the crash`);

    const deadline = Date.now() + 30_000;
    const received = () => new Set(receiver.posts().map((r) => change(r)?.value?.post_id as string));
    while ([...created].some((id) => !received().has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const missing = [...created].filter((id) => !received().has(id));
    assert.deepEqual(missing, [], `${missing.length} of ${created.size} events never arrived`);

    const byEvent = new Map<string, Set<string>>();
    for (const r of receiver.posts()) {
      const id = r.headers['x-commonplace-event'] as string;
      byEvent.set(id, (byEvent.get(id) ?? new Set()).add(r.headers['x-commonplace-delivery'] as string));
    }
    for (const [event, deliveries] of byEvent) assert.equal(deliveries.size, 1, `event ${event} came under ${deliveries.size} delivery ids`);
    const duplicates = receiver.posts().length - byEvent.size;
    t.diagnostic(`${created.size} events, ${receiver.posts().length} POSTs, ${duplicates} duplicates, caught up ${Math.round((Date.now() - stopped) / 100) / 10} s after the last event`);

    const log = JSON.parse(await cli('webhook', 'deliveries', app.app_id, '--limit', '5', '--json'));
    assert.equal(log.data.length, 5);
    assert.ok(log.data.every((d: any) => d.state === 'delivered' && d.attempt_log.length >= 1));
    child!.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    const gone = JSON.parse(await cli('webhook', 'unsubscribe', app.app_id, '--object', 'group', '--json'));
    assert.equal(gone.changed, 1);
  });
});
