import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { dialects } from '../helpers/dialects.js';
import { http, SIGN_IN } from '../helpers/server.js';
import { Receiver } from '../webhooks/receiver.js';
import { freePort, freshDatabase, type ServerProcess, startProcess } from './cluster.js';

// Two server processes whose queries go through Debian's PgBouncer in transaction mode, with
// LISTEN on its own direct connection (DATABASE_DIRECT_URL).

const ADMIN = { email: 'admin@example.com', password: 'Bouncer-pass-1234' };
const bouncerBinary = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => fs.existsSync(p));
const available = await dialects();
const skip = !available.includes('postgres') ? 'PostgreSQL is not reachable' : !bouncerBinary ? 'pgbouncer is not installed (apt-get install pgbouncer)' : false;
if (skip && process.env.COMMONPLACE_TEST_PG_REQUIRED === '1' && !bouncerBinary) throw new Error('CI needs pgbouncer: apt-get install pgbouncer');

describe('behind PgBouncer (transaction pooling)', { skip }, () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let bouncer: ChildProcess;
  let dir: string;
  let bouncerPort: number;
  let servers: ServerProcess[] = [];
  let receiver: Receiver;

  before(async () => {
    database = await freshDatabase('cpbouncer');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-bouncer-'));
    fs.chmodSync(dir, 0o777);
    bouncerPort = await freePort();
    const direct = new URL(database.url);
    fs.writeFileSync(path.join(dir, 'users.txt'), '"postgres" ""\n');
    fs.writeFileSync(
      path.join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `${database.name} = host=${direct.hostname} port=${direct.port || 5432} dbname=${database.name}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${bouncerPort}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${path.join(dir, 'users.txt')}`,
        'admin_users = postgres',
        'pool_mode = transaction',
        'default_pool_size = 4',
        'max_client_conn = 200',
        'ignore_startup_parameters = extra_float_digits',
        `logfile = ${path.join(dir, 'pgbouncer.log')}`,
        `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
      ].join('\n'),
    );
    // PgBouncer refuses to run as root; -u drops to the postgres user.
    const asRoot = process.getuid?.() === 0;
    bouncer = spawn(bouncerBinary!, [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      try {
        const c = new pg.Client({ host: '127.0.0.1', port: bouncerPort, user: 'postgres', database: database.name });
        await c.connect();
        await c.end();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const pooled = new URL(database.url);
    pooled.port = String(bouncerPort);
    const env = {
      DATABASE_URL: pooled.toString(),
      DATABASE_DIRECT_URL: database.url,
      COMMONPLACE_SECRET_KEY: 'cd'.repeat(32),
      COMMONPLACE_ADMIN_EMAIL: ADMIN.email,
      COMMONPLACE_ADMIN_PASSWORD: ADMIN.password,
      COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      COMMONPLACE_MEDIA_URL: 'database',
    };
    servers.push(await startProcess(env));
    servers.push(await startProcess(env));
    receiver = await Receiver.start({ verifyToken: 'bouncer-verify' });
  });

  after(async () => {
    await receiver?.close();
    await Promise.all(servers.map((s) => s.stop()));
    bouncer?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    await database?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('queries go through the pooler; only LISTEN connects directly', async () => {
    const signIn = await http('POST', `${servers[0].base}/admin/api/session`, { json: ADMIN, headers: SIGN_IN });
    assert.equal(signIn.status, 200, signIn.text);
    assert.equal((await fetch(`${servers[1].base}/readyz`)).status, 200);
    const admin = new pg.Client({ host: '127.0.0.1', port: bouncerPort, user: 'postgres', database: 'pgbouncer' });
    await admin.connect();
    const stats = await admin.query({ text: 'SHOW STATS', rowMode: 'array' });
    await admin.end();
    const columns = stats.fields.map((f) => f.name);
    const ours = stats.rows.find((r) => r[columns.indexOf('database')] === database.name);
    assert.ok(ours && Number(ours[columns.indexOf('total_xact_count')]) > 10, 'transactions ran through PgBouncer');
    const direct = new pg.Client({ connectionString: database.url });
    await direct.connect();
    const listeners = await direct.query(`select count(*)::int as n from pg_stat_activity where datname = $1 and application_name = 'commonplace-listen'`, [database.name]);
    await direct.end();
    assert.equal(listeners.rows[0].n, 2, 'one direct LISTEN connection per process');
  });

  test('a token rotated on one process fails on the other; posts, the duplicate check and webhooks work', async () => {
    const [a, b] = servers.map((s) => s.base);
    const signIn = await http('POST', `${a}/admin/api/session`, { json: ADMIN, headers: SIGN_IN });
    const headers = { cookie: signIn.headers.get('set-cookie')!.split(';')[0], 'x-csrf-token': signIn.json.csrf_token };
    const created = await http('POST', `${a}/admin/api/integrations`, { json: { name: 'Pooled Bot', permissions: ['read_group', 'write_group', 'manage_group'] }, headers });
    assert.equal(created.status, 200, created.text);
    const bot = created.json;
    assert.equal((await http('GET', `${b}/graph/me`, { token: bot.access_token })).status, 200);
    const subscribed = await http('POST', `${b}/graph/app/subscriptions`, {
      token: `${bot.app_id}|${bot.app_secret}`,
      form: { object: 'group', fields: 'posts', callback_url: receiver.url, verify_token: 'bouncer-verify' },
    });
    assert.equal(subscribed.status, 200, subscribed.text);
    const group = await http('POST', `${a}/graph/community/groups`, { token: bot.access_token, form: { name: 'Pooled' } });
    await Promise.all([0, 1, 2, 3, 4, 5].map((i) => http('POST', `${[a, b][i % 2]}/graph/${group.json.id}/feed`, { token: bot.access_token, form: { message: `pooled ${i}` } })));
    const twice = await Promise.all([a, b].map((base) => http('POST', `${base}/graph/${group.json.id}/feed`, { token: bot.access_token, form: { message: 'pooled twice' } })));
    assert.deepEqual(twice.map((r) => r.status).sort(), [200, 400], 'of two identical posts at once, one is refused');
    const duplicate = twice.find((r) => r.status === 400)!;
    assert.equal(duplicate.json?.error?.code, 506, 'the duplicate check (advisory lock) holds through the pooler');
    for (let i = 0; i < 200 && receiver.got.filter((r) => r.method === 'POST').length < 7; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(receiver.got.filter((r) => r.method === 'POST').length, 7);
    const rotated = await http('POST', `${a}/admin/api/integrations/${bot.app_id}/rotate`, { headers });
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal((await http('GET', `${b}/graph/me`, { token: bot.access_token })).json?.error?.code, 190);
    assert.equal((await http('GET', `${b}/graph/me`, { token: rotated.json.access_token })).status, 200);
  });
});
