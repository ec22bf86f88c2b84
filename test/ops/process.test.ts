import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { http } from '../helpers/server.js';

// The server as users run it: `commonplace serve` in its own process, on SQLite.

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('server process', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-proc-'));
  let child: ChildProcess;
  let base: string;
  let output = '';
  let exit: Promise<number | null>;

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env, COMMONPLACE_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'debug', PUBLIC_URL: base };
    delete env.DATABASE_URL;
    delete env.COMMONPLACE_ADMIN_EMAIL;
    delete env.COMMONPLACE_ADMIN_PASSWORD;
    child = spawn(process.execPath, ['bin/commonplace.mjs', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    exit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 120; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`server did not start: ${output}`);
  });
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('first start generates an admin password and prints it once', () => {
    assert.match(output, /First system admin created \(shown once\)/);
    assert.match(output, /password: \S{16,}/);
  });

  test('healthz, readyz and metrics answer', async () => {
    assert.deepEqual((await http('GET', `${base}/healthz`)).json, { status: 'ok' });
    const ready = await http('GET', `${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(ready.json.migrations, 'current');
    const metrics = await http('GET', `${base}/metrics`);
    assert.match(metrics.text, /commonplace_http_requests_total/);
  });

  test('tokens in URLs never reach the logs', async () => {
    const secret = `cpit_${'S'.repeat(60)}`;
    await http('GET', `${base}/graph/me?access_token=${secret}&fields=id`);
    await http('GET', `${base}/graph/me`, { headers: { authorization: `Bearer ${secret}` } });
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!output.includes(secret), 'a token was logged');
    assert.match(output, /access_token=\[REDACTED\]/);
  });

  test('unknown routes and garbage bodies are 4xx JSON, never 500', async () => {
    const r = await http('GET', `${base}/nowhere`);
    assert.equal(r.status, 404);
    assert.ok(r.json.error);
    const garbage = await http('POST', `${base}/graph/community/groups`, { body: '{"name":', headers: { 'content-type': 'application/json' } });
    assert.equal(garbage.status, 400);
    assert.equal(garbage.json.error.code, 100);
    assert.ok(!garbage.text.includes('at '), 'no stack trace');
  });

  test('SIGTERM finishes in-flight requests and exits 0', async () => {
    const inflight = Array.from({ length: 40 }, () => http('GET', `${base}/readyz`).then((r) => r.status, () => 'refused'));
    child.kill('SIGTERM');
    const results = await Promise.all(inflight);
    assert.ok(results.every((s) => s === 200 || s === 503 || s === 'refused'), JSON.stringify(results));
    assert.ok(results.includes(200));
    assert.equal(await exit, 0);
  });
});
