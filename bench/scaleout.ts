// Scale-out benchmarks on PostgreSQL (issue 12), against 127.0.0.1 only and bounded in time:
//
//  (f) feed read and feed POST with `serve --workers 1`, `2` and `4`, each on its own copy of one
//      seeded database, loaded in interleaved slices together with the raw floor (bench/floor.ts);
//      every configuration gets 8 pooled connections in all (COMMONPLACE_DB_POOL = 8 / workers), so
//      the seven processes stay well inside PostgreSQL's default 100 connections;
//  (g) 10,000 idle member event streams held by one process: resident memory per stream, and the
//      statements the database runs per second while they sit idle (pg_stat_database, sampled
//      from another database so the sampling does not count itself).
//
//   node --import tsx bench/scaleout.ts [--posts 10000] [--duration 6] [--warmup 1] [--rounds 2]
//        [--connections 50] [--streams 10000] [--idle 10] [--only throughput|streams] [--out file]
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { compare, type LoadResult, type LoadSpec } from './load.js';
import { createDatabase, makeTemplate, seedPostgres } from './seed.js';
import { cleanup, killAllSync, memoryOf, type Proc, ROOT, snapshotSource, startCommonplace, startFloor, stop } from './server.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const num = (key: string, fallback: number) => Number(args.get(key) ?? fallback);
const PG_ADMIN = args.get('pg-url') ?? process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const only = args.get('only');
const out = args.get('out') ?? path.join(ROOT, 'bench', 'results', 'scaleout.md');
const lines: string[] = [];
const say = (line = '') => {
  lines.push(line);
  console.log(line);
};

/** Transactions (every statement outside one is its own) a database ran so far. */
async function transactionsOf(database: string): Promise<number> {
  const client = new pg.Client({ connectionString: PG_ADMIN });
  await client.connect();
  try {
    // Statistics are flushed by each backend at most once a second.
    await new Promise((r) => setTimeout(r, 1100));
    const { rows } = await client.query('select xact_commit + xact_rollback as n from pg_stat_database where datname = $1', [database]);
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

/** Feed read and POST throughput with 1, 2 and 4 server processes, and the floor. */
async function throughput(): Promise<void> {
  const posts = num('posts', 10_000);
  const template = await makeTemplate('scale', (await createDatabase(PG_ADMIN, 'scaletpl')).url);
  await seedPostgres(template.databaseUrl!, template, posts);
  const templateName = new URL(template.databaseUrl!).pathname.slice(1);
  const servers: Record<string, Proc> = {};
  for (const workers of [1, 2, 4]) {
    const db = await createDatabase(PG_ADMIN, `scale${workers}`, templateName);
    servers[`Commonplace × ${workers}`] = await startCommonplace(`cp-${workers}`, { dataDir: template.dir, databaseUrl: db.url, args: ['--workers', String(workers)], startTimeoutMs: 180_000, env: { COMMONPLACE_DB_POOL: String(Math.max(2, 8 / workers)) } });
  }
  // /healthz answers once the first process listens; give the others time to follow.
  await new Promise((r) => setTimeout(r, 15_000));
  const floorDb = await createDatabase(PG_ADMIN, 'scalefloor', templateName);
  servers.floor = await startFloor('floor', { logDir: template.dir, databaseUrl: floorDb.url });
  const urls = Object.fromEntries(Object.entries(servers).map(([name, p]) => [name, p.url]));
  const spec = (method: 'GET' | 'POST', p: string): LoadSpec => ({
    path: p,
    method,
    token: template.token,
    connections: num('connections', 50),
    duration: num('duration', 6),
    warmup: num('warmup', 1),
    rounds: num('rounds', 2),
  });
  const read = await compare(urls, spec('GET', `/graph/${template.groupId}/feed?fields=id,message,created_time,from{name}&limit=25`), console.log);
  const write = await compare(urls, spec('POST', `/graph/${template.groupId}/feed`), console.log);
  for (const proc of Object.values(servers)) await stop(proc);

  const cell = (r: LoadResult) => `${Math.round(r.rps).toLocaleString('en-US')} (${r.rpsByRound.map((x) => Math.round(x).toLocaleString('en-US')).join(', ')})`;
  const base = { read: read['Commonplace × 1'].rps, write: write['Commonplace × 1'].rps };
  say(`### (f) Throughput with 1, 2 and 4 processes on PostgreSQL (${posts.toLocaleString('en-US')} posts in the group)`);
  say();
  say('| Server | feed read req/s | p50 / p99 ms | × one process | / floor | feed POST req/s | p50 / p99 ms | × one process | / floor | non-2xx |');
  say('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const name of Object.keys(servers)) {
    const r = read[name];
    const w = write[name];
    say(
      `| ${name} | ${cell(r)} | ${r.p50} / ${r.p99} | ${(r.rps / base.read).toFixed(2)} | ${Math.round((r.rps / read.floor.rps) * 100)}% | ${cell(w)} | ${w.p50} / ${w.p99} | ${(w.rps / base.write).toFixed(2)} | ${Math.round((w.rps / write.floor.rps) * 100)}% | ${r.non2xx + r.errors + w.non2xx + w.errors} |`,
    );
  }
  say();
}

/** Opens `count` event streams for one member and measures what they cost while idle. */
async function streams(): Promise<void> {
  const count = num('streams', 10_000);
  const idleSeconds = num('idle', 10);
  const db = await createDatabase(PG_ADMIN, 'streams');
  const password = 'Stream-bench-pass-1';
  // The first admin (created by the template's migrate) is the member who holds the streams.
  Object.assign(process.env, { COMMONPLACE_ADMIN_EMAIL: 'streams@example.com', COMMONPLACE_ADMIN_PASSWORD: password });
  const template = await makeTemplate('streams', db.url);
  const server = await startCommonplace('streams', { dataDir: template.dir, databaseUrl: db.url, env: { COMMONPLACE_STREAMS_PER_MEMBER: String(count) } });
  try {
    const signIn = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'streams@example.com', password }) });
    if (!signIn.ok) throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
    await new Promise((r) => setTimeout(r, 2000));
    const before = memoryOf(server.pid);
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const sockets: http.ClientRequest[] = [];
    const { port } = new URL(server.url);
    const openOne = () =>
      new Promise<void>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/api/events', headers: { cookie }, agent }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
          res.once('data', () => resolve());
        });
        req.on('error', reject);
        sockets.push(req);
      });
    const opening = performance.now();
    for (let i = 0; i < count; i += 200) await Promise.all(Array.from({ length: Math.min(200, count - i) }, openOne));
    const openSeconds = (performance.now() - opening) / 1000;
    // Idle backends report their statistics up to 10 s late (PostgreSQL's PGSTAT_IDLE_INTERVAL): let the opening settle.
    await new Promise((r) => setTimeout(r, 12_000));
    const held = memoryOf(server.pid);
    const name = new URL(db.url).pathname.slice(1);
    const start = await transactionsOf(name);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const end = await transactionsOf(name);
    for (const s of sockets) s.destroy();
    const perStream = ((held.rssMiB - before.rssMiB) * 1024) / count;
    say(`### (g) ${count.toLocaleString('en-US')} idle member event streams on one process (PostgreSQL)`);
    say();
    say('| Measure | Value |');
    say('|---|--:|');
    say(`| streams opened | ${count.toLocaleString('en-US')} in ${openSeconds.toFixed(1)} s |`);
    say(`| server RSS before / with the streams | ${before.rssMiB.toFixed(1)} / ${held.rssMiB.toFixed(1)} MiB |`);
    say(`| memory per open stream | ${perStream.toFixed(1)} KiB |`);
    say(`| database transactions while idle (${idleSeconds} s) | ${end - start} (${((end - start) / idleSeconds).toFixed(2)}/s; the statistics query itself runs in another database) |`);
    say();
  } finally {
    await stop(server);
  }
}

process.on('exit', killAllSync);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void cleanup().finally(() => process.exit(130)));
try {
  const source = snapshotSource();
  say(`## Scale-out (issue 12)`);
  say();
  say(`- Command: \`node --import tsx bench/scaleout.ts ${process.argv.slice(2).join(' ')}\``.replace(/ `$/, '`'));
  say(`- Commonplace: ${source.commit}${source.uncommitted.length ? ` + ${source.uncommitted.length} uncommitted files in src/ and bin/` : ''}`);
  say(`- Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}; load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
  say();
  if (only !== 'streams') await throughput();
  if (only !== 'throughput') await streams();
  say(`Load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${lines.join('\n')}\n`);
} finally {
  await cleanup();
}
