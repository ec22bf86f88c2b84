// SCIM benchmarks against a raw floor in the same run (DESIGN.md §5, BENCHMARKS.md "SCIM").
//   node --import tsx bench/scim.ts [--db sqlite|postgres|both] [--users 100000] [--sync 10000]
//        [--duration 6] [--pg-url postgres://postgres@127.0.0.1:5432/test] [--out bench/results/scim-latest.md]
//        [--only create,patch,filter,sync] [--baseline REV]
// Scenarios, each on both Commonplace (/scim/v2) and the floor (bench/scimFloor.ts), each on its
// own copy of the same database, loaded in interleaved slices (floor, Commonplace, Commonplace, floor):
//   create  POST /Users with a fresh userName, 1 request at a time, then 8 at a time;
//   patch   PATCH /Users/{id} replacing the enterprise manager of one of --users seeded users
//           (always one with a lower number, so no cycles), 1 at a time, then 8 at a time;
//   filter  GET /Users?filter=userName eq "…" for random existing users among --users, 1 at a time;
//   paging  (Commonplace only) a page deep in the list: jumped to cold, and reached by walking;
//   sync    an identity provider's initial sync of --sync users: POST every user (8 at a time),
//           then PATCH every user's enterprise manager (8 at a time); total time.
// --baseline REV adds Commonplace at another commit (its src/ and bin/ from git) to the create and
// patch scenarios, interleaved with the other two (A/B of a change, in one run on one machine).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { createDatabase, SQLITE_FILE } from './seed.js';
import { cleanup, cli, commonplaceEnv, freePort, killAllSync, type Proc, ROOT, snapshotSource, sourceAt, startCommonplace, stop, tempDir } from './server.js';

interface Args {
  dbs: ('sqlite' | 'postgres')[];
  users: number;
  sync: number;
  duration: number;
  pgUrl: string;
  out: string;
  only: Set<Scenario>;
  baseline?: string;
}

const SCENARIOS = ['create', 'patch', 'filter', 'sync'] as const;
type Scenario = (typeof SCENARIOS)[number];

function parseArgs(argv: string[]): Args {
  const args: Args = { dbs: ['sqlite', 'postgres'], users: 100_000, sync: 10_000, duration: 6, pgUrl: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test', out: 'bench/results/scim-latest.md', only: new Set(SCENARIOS) };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i] ?? '';
    const num = () => Number(value().replace(/_/g, ''));
    if (flag === '--db') {
      const v = value();
      args.dbs = v === 'both' ? ['sqlite', 'postgres'] : [v as 'sqlite' | 'postgres'];
    } else if (flag === '--users') args.users = num();
    else if (flag === '--sync') args.sync = num();
    else if (flag === '--duration') args.duration = num();
    else if (flag === '--pg-url') args.pgUrl = value();
    else if (flag === '--out') args.out = value();
    else if (flag === '--baseline') args.baseline = value();
    else if (flag === '--only') {
      const names = value().split(',');
      for (const n of names) if (!(SCENARIOS as readonly string[]).includes(n)) throw new Error(`unknown scenario ${n}: one of ${SCENARIOS.join(', ')}`);
      args.only = new Set(names as Scenario[]);
    }
    else throw new Error(`unknown argument ${flag}`);
  }
  return args;
}

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const log = (msg: string) => console.log(`[scim-bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');
const runTag = Date.now().toString(36);

// ---- load driver: a closed loop of keep-alive requests, latency per request ----

interface Call {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: unknown;
  /** Which item of a fixed list the call is (sync). */
  item?: number;
}

interface Measured {
  count: number;
  seconds: number;
  latencies: number[];
  statuses: Record<string, number>;
}

function request(agent: http.Agent, base: string, token: string, call: Call): Promise<{ status: number; body: string }> {
  if (!/^http:\/\/127\.0\.0\.1:/.test(base)) throw new Error(`refusing to load anything but 127.0.0.1: ${base}`);
  const url = new URL(call.path, base);
  const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: call.method, agent, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(payload) } : {}) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs `next()` calls with `concurrency` in flight, for `seconds` or until `next` returns undefined. */
async function closedLoop(base: string, token: string, concurrency: number, seconds: number, next: () => Call | undefined, onBody?: (call: Call, status: number, body: string) => void): Promise<Measured> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    for (;;) {
      if (performance.now() >= deadline) return;
      const call = next();
      if (!call) return;
      const t = performance.now();
      const r = await request(agent, base, token, call);
      latencies.push(performance.now() - t);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      onBody?.(call, r.status, r.body);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return { count: latencies.length, seconds: (performance.now() - started) / 1000, latencies, statuses };
}

function percentile(values: number[], p: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : NaN;
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  count: number;
  statuses: Record<string, number>;
}

const summarize = (ms: Measured[]): Result => {
  const latencies = ms.flatMap((m) => m.latencies);
  const statuses: Record<string, number> = {};
  for (const m of ms) for (const [k, v] of Object.entries(m.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const count = ms.reduce((a, m) => a + m.count, 0);
  return { rps: count / ms.reduce((a, m) => a + m.seconds, 0), p50: percentile(latencies, 50), p99: percentile(latencies, 99), count, statuses };
};

/** Interleaved slices (A B, then B A) after a 1 s warm-up each. */
async function interleaved(servers: Record<string, string>, token: string, concurrency: number, seconds: number, next: () => Call): Promise<Record<string, Result>> {
  const names = Object.keys(servers);
  for (const name of names) await closedLoop(servers[name], token, concurrency, 1, next);
  const slices: Record<string, Measured[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const order of [names, [...names].reverse()]) for (const name of order) slices[name].push(await closedLoop(servers[name], token, concurrency, seconds / 2, next));
  return Object.fromEntries(names.map((n) => [n, summarize(slices[n])]));
}

// ---- databases ----

interface Template {
  db: 'sqlite' | 'postgres';
  dir: string;
  token: string;
  /** PostgreSQL: the template database's name and the admin URL. */
  pgName?: string;
  adminUrl?: string;
}

async function makeTemplate(db: 'sqlite' | 'postgres', adminUrl: string): Promise<Template> {
  const dir = tempDir(`scim-${db}-template`);
  const database = db === 'postgres' ? await createDatabase(adminUrl, 'scimtpl') : undefined;
  const env = commonplaceEnv(dir, 0, database?.url);
  await cli(['migrate'], env);
  const created = JSON.parse(await cli(['integration', 'create', '--name', 'Identity Sync', '--permission', 'manage_accounts', '--json'], env)) as { access_token: string };
  return { db, dir, token: created.access_token, pgName: database?.name, adminUrl };
}

/** A fresh copy of the template: a data dir (with the SQLite file) and, on PostgreSQL, a database. */
async function copyOf(t: Template, label: string): Promise<{ dir: string; sqliteFile?: string; databaseUrl?: string }> {
  const dir = tempDir(label);
  fs.copyFileSync(path.join(t.dir, 'secret.key'), path.join(dir, 'secret.key'));
  if (t.db === 'sqlite') {
    fs.copyFileSync(path.join(t.dir, SQLITE_FILE), path.join(dir, SQLITE_FILE));
    return { dir, sqliteFile: path.join(dir, SQLITE_FILE) };
  }
  const copy = await createDatabase(t.adminUrl!, label.replace(/[^a-z0-9]/g, '_'), t.pgName);
  return { dir, databaseUrl: copy.url };
}

const MEMBER_COLUMNS = ['id', 'email', 'email_lower', 'user_name', 'user_name_lower', 'external_id', 'first_name', 'last_name', 'name', 'emails_json', 'state', 'is_frontline', 'is_admin', 'created_time', 'updated_time'];
const seededUser = (i: number) => `seed${i}@example.com`;

/** The seeded users' ids and times follow from this, so every copy of a run holds the same ids. */
const seedStart = Date.now() - 60_000 - 10_000_000;
const seededId = (i: number) => (BigInt(seedStart + i) * 8192n + BigInt(i % 8192)).toString();

function* memberRows(count: number) {
  const start = seedStart;
  for (let i = 0; i < count; i++) {
    const t = start + i;
    const email = seededUser(i);
    const member = [seededId(i), email, email, email, email, `hr-${i}`, `First${i}`, `Last${i}`, `First${i} Last${i}`, JSON.stringify([{ value: email, type: 'work', primary: true }]), 'provisioned', 0, 0, t, t];
    yield { member, email: [member[0], 0, email, email, 'work', 1] };
  }
}

/** Inserts `count` users (member and member_email rows) directly: the filter measures reads, not seeding. */
async function seedUsers(copy: { sqliteFile?: string; databaseUrl?: string }, count: number): Promise<void> {
  if (copy.sqliteFile) {
    const db = new SQLite(copy.sqliteFile);
    db.pragma('journal_mode = WAL');
    const member = db.prepare(`insert into member (${MEMBER_COLUMNS.join(', ')}) values (${MEMBER_COLUMNS.map(() => '?').join(', ')})`);
    const email = db.prepare('insert into member_email (member_id, position, value, value_lower, type, is_primary) values (?, ?, ?, ?, ?, ?)');
    const object = db.prepare("insert into object (id, type) values (?, 'member')");
    db.transaction(() => {
      for (const r of memberRows(count)) {
        member.run(...r.member);
        email.run(...r.email);
        object.run(r.member[0]);
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: copy.databaseUrl });
  await client.connect();
  try {
    await client.query('begin');
    let members: unknown[][] = [];
    let emails: unknown[][] = [];
    const flush = async () => {
      if (!members.length) return;
      const rows = (list: unknown[][], width: number) => list.map((_, r) => `(${Array.from({ length: width }, (__, k) => `$${r * width + k + 1}`).join(', ')})`).join(', ');
      await client.query(`insert into member (${MEMBER_COLUMNS.join(', ')}) values ${rows(members, MEMBER_COLUMNS.length)}`, members.flat());
      await client.query(`insert into member_email (member_id, position, value, value_lower, type, is_primary) values ${rows(emails, 6)}`, emails.flat());
      await client.query(`insert into object (id, type) values ${rows(members.map((m) => [m[0]]), 1).replace(/\)/g, ", 'member')")}`, members.map((m) => m[0]));
      members = [];
      emails = [];
    };
    for (const r of memberRows(count)) {
      members.push(r.member);
      emails.push(r.email);
      if (members.length === 1000) await flush();
    }
    await flush();
    await client.query('commit');
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

async function startFloor(name: string, copy: { dir: string; sqliteFile?: string; databaseUrl?: string }): Promise<Proc> {
  const port = await freePort();
  const { spawn } = await import('node:child_process');
  const logFile = path.join(copy.dir, 'floor.log');
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'scimFloor.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), FLOOR_SQLITE_FILE: copy.sqliteFile ?? '', FLOOR_DATABASE_URL: copy.databaseUrl ?? '' },
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const proc: Proc = { name, pid: child.pid!, port, url: `http://127.0.0.1:${port}`, child, logFile, exited };
  floors.add(proc);
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${proc.url}/healthz`)).ok) return proc;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not start: ${fs.readFileSync(logFile, 'utf8').slice(-1000)}`);
}
const floors = new Set<Proc>();

// ---- scenarios ----

interface Row {
  db: string;
  scenario: string;
  cp: Result;
  floor: Result;
  baseline?: Result;
}
const rows: Row[] = [];
const syncRows: { db: string; server: string; users: number; createSeconds: number; patchSeconds: number; failures: number }[] = [];
const pagingRows: { db: string; what: string; ms: number }[] = [];

let created = 0;
const newUserCall = (): Call => {
  const i = ++created;
  const userName = `bench-${runTag}-${i}@example.com`;
  return { method: 'POST', path: '/scim/v2/Users', body: { schemas: [CORE], userName, externalId: `ext-${runTag}-${i}`, name: { givenName: `Bench${i}`, familyName: 'User' }, emails: [{ value: userName, type: 'work', primary: true }] } };
};

/**
 * The floor, Commonplace and (with --baseline) Commonplace at the baseline commit, each on its own
 * copy of the template (seeded with `users` users first), loaded by `run` in interleaved slices.
 */
async function sideBySide(t: Template, label: string, users: number, run: (servers: Record<string, string>) => Promise<void>): Promise<void> {
  const names = ['floor', 'cp', ...(baselineRoot ? ['baseline'] : [])];
  const procs: Proc[] = [];
  try {
    const servers: Record<string, string> = {};
    for (const name of names) {
      const copy = await copyOf(t, `scim-${t.db}-${label}-${name}`);
      if (users > 0) await seedUsers(copy, users);
      const proc =
        name === 'floor'
          ? await startFloor(`floor-${t.db}-${label}`, copy)
          : await startCommonplace(`${name}-${t.db}-${label}`, { dataDir: copy.dir, databaseUrl: copy.databaseUrl, root: name === 'baseline' ? baselineRoot : undefined });
      procs.push(proc);
      servers[name] = proc.url;
    }
    await run(servers);
  } finally {
    for (const proc of procs) await stop(proc);
  }
}
let baselineRoot: string | undefined;

const scenarioRow = (db: string, scenario: string, r: Record<string, Result>): Row => ({ db, scenario, cp: r.cp, floor: r.floor, baseline: r.baseline });

async function createScenario(t: Template, args: Args): Promise<void> {
  await sideBySide(t, 'create', 0, async (servers) => {
    for (const concurrency of [1, 8]) {
      log(`${t.db}: user create, ${concurrency} at a time`);
      const r = await interleaved(servers, t.token, concurrency, args.duration, newUserCall);
      rows.push(scenarioRow(t.db, `POST /Users, ${concurrency === 1 ? 'sequential' : `${concurrency} concurrent`}`, r));
    }
  });
}

async function patchScenario(t: Template, args: Args): Promise<void> {
  const users = Math.max(2, args.users);
  log(`${t.db}: seeding ${fmt(users)} users for the manager PATCH (once per server)`);
  await sideBySide(t, 'patch', users, async (servers) => {
    let k = 0;
    const next = (): Call => {
      k++;
      // A spread of users, each given a manager with a lower number: a forest, never a cycle.
      const member = 1 + ((k * 7919) % (users - 1));
      const manager = (k * 104_729) % member;
      return { method: 'PATCH', path: `/scim/v2/Users/${seededId(member)}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: `${ENT}:manager`, value: { value: seededId(manager) } }] } };
    };
    for (const concurrency of [1, 8]) {
      log(`${t.db}: PATCH manager, ${concurrency} at a time`);
      const r = await interleaved(servers, t.token, concurrency, args.duration, next);
      rows.push(scenarioRow(t.db, `PATCH /Users/{id} manager at ${fmt(users)} users, ${concurrency === 1 ? 'sequential' : `${concurrency} concurrent`}`, r));
    }
  });
}

async function filterScenario(t: Template, args: Args): Promise<void> {
  const cpCopy = await copyOf(t, `scim-${t.db}-filter-cp`);
  log(`${t.db}: seeding ${fmt(args.users)} users (twice)`);
  await seedUsers(cpCopy, args.users);
  const floorCopy = await copyOf(t, `scim-${t.db}-filter-floor`);
  await seedUsers(floorCopy, args.users);
  const cp = await startCommonplace(`commonplace-${t.db}-filter`, { dataDir: cpCopy.dir, databaseUrl: cpCopy.databaseUrl });
  const floor = await startFloor(`floor-${t.db}-filter`, floorCopy);
  try {
    let k = 0;
    const next = (): Call => {
      // A spread of users, upper-cased as identity providers often send them.
      const i = (k++ * 7919) % args.users;
      return { method: 'GET', path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${seededUser(i).toUpperCase()}"`)}` };
    };
    const check = await request(new http.Agent(), cp.url, t.token, next());
    if (!check.body.includes('"totalResults":1')) throw new Error(`the filter found nothing: ${check.body.slice(0, 300)}`);
    log(`${t.db}: filter userName eq at ${fmt(args.users)} users`);
    const r = await interleaved({ floor: floor.url, cp: cp.url }, t.token, 1, args.duration, next);
    rows.push({ db: t.db, scenario: `GET /Users?filter=userName eq "…" at ${fmt(args.users)} users, sequential`, cp: r.cp, floor: r.floor });

    log(`${t.db}: paging deep into ${fmt(args.users)} users`);
    const agent = new http.Agent({ keepAlive: true });
    const timed = async (p: string) => {
      const s = performance.now();
      const res = await request(agent, cp.url, t.token, { method: 'GET', path: p });
      if (res.status !== 200) throw new Error(`${p}: ${res.status} ${res.body.slice(0, 200)}`);
      return performance.now() - s;
    };
    const deep = args.users - 99;
    await timed('/scim/v2/Users?startIndex=1&count=100');
    pagingRows.push({ db: t.db, what: 'page 1 (startIndex=1, count=100)', ms: await timed('/scim/v2/Users?startIndex=1&count=100') });
    pagingRows.push({ db: t.db, what: `jump to startIndex=${fmt(deep)} (count=100), cold`, ms: await timed(`/scim/v2/Users?startIndex=${deep}&count=100`) });
    pagingRows.push({ db: t.db, what: `jump to startIndex=${fmt(Math.floor(args.users / 2))} sorted by name.familyName, cold`, ms: await timed(`/scim/v2/Users?startIndex=${Math.floor(args.users / 2)}&count=100&sortBy=name.familyName`) });
    const walk: number[] = [];
    for (let start = 1; start <= args.users; start += 1000) walk.push(await timed(`/scim/v2/Users?startIndex=${start}&count=1000&attributes=userName`));
    const median = (xs: number[]) => percentile(xs, 50);
    const tenth = Math.max(1, Math.floor(walk.length / 10));
    pagingRows.push({ db: t.db, what: `walk all ${fmt(args.users)} by startIndex += 1000 (count=1000, attributes=userName): median of the first ${tenth} pages`, ms: median(walk.slice(0, tenth)) });
    pagingRows.push({ db: t.db, what: `the same walk: median of the last ${tenth} pages`, ms: median(walk.slice(-tenth)) });
  } finally {
    await stop(cp);
    await stop(floor);
  }
}

async function syncScenario(t: Template, args: Args): Promise<void> {
  for (const server of ['floor', 'commonplace'] as const) {
    const copy = await copyOf(t, `scim-${t.db}-sync-${server}`);
    const proc = server === 'floor' ? await startFloor(`floor-${t.db}-sync`, copy) : await startCommonplace(`commonplace-${t.db}-sync`, { dataDir: copy.dir, databaseUrl: copy.databaseUrl });
    try {
      log(`${t.db}: initial sync of ${fmt(args.sync)} users on ${server}`);
      const tag = `${runTag}-${server}`;
      const ids: string[] = new Array(args.sync);
      let i = 0;
      const create = await closedLoop(proc.url, t.token, 8, 86_400, () => {
        if (i >= args.sync) return undefined;
        const n = i++;
        const userName = `sync-${tag}-${n}@example.com`;
        return { method: 'POST', path: '/scim/v2/Users', item: n, body: { schemas: [CORE, ENT], userName, externalId: `emp-${n}`, name: { givenName: `Sync${n}`, familyName: 'Person' }, emails: [{ value: userName, type: 'work', primary: true }], [ENT]: { department: `Dept ${n % 50}` } } };
      }, (call, status, body) => {
        if (status === 201) ids[call.item!] = (JSON.parse(body) as { id: string }).id;
      });
      let j = 1;
      const patch = await closedLoop(proc.url, t.token, 8, 86_400, () => {
        while (j < args.sync && (!ids[j] || !ids[Math.floor((j - 1) / 10)])) j++;
        if (j >= args.sync) return undefined;
        const n = j++;
        return { method: 'PATCH', path: `/scim/v2/Users/${ids[n]}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: `${ENT}:manager`, value: { value: ids[Math.floor((n - 1) / 10)] } }] } };
      });
      const failures = Object.entries(create.statuses).filter(([s]) => s !== '201').reduce((a, [, v]) => a + v, 0) + Object.entries(patch.statuses).filter(([s]) => s !== '200').reduce((a, [, v]) => a + v, 0);
      syncRows.push({ db: t.db, server, users: args.sync, createSeconds: create.seconds, patchSeconds: patch.seconds, failures });
    } finally {
      await stop(proc);
    }
  }
}

// ---- report ----

function report(args: Args, commit: string): string {
  const lines = [
    '# SCIM benchmark results',
    '',
    `Command: \`node --import tsx bench/scim.ts --db ${args.dbs.length === 2 ? 'both' : args.dbs[0]} --users ${args.users} --sync ${args.sync} --duration ${args.duration} --only ${[...args.only].join(',')}${args.baseline ? ` --baseline ${args.baseline}` : ''}\``,
    `Source: ${commit}${args.baseline ? `; baseline: ${args.baseline}` : ''}. Machine: shared, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end. Ratios, not absolute numbers, are what carry over.`,
    '',
    `| db | scenario | Commonplace req/s | floor req/s | ratio |${args.baseline ? ' baseline req/s | baseline ratio |' : ''} Commonplace p50 / p99 ms | floor p50 / p99 ms | statuses (Commonplace) |`,
    `|---|---|---:|---:|---:|${args.baseline ? '---:|---:|' : ''}---:|---:|---|`,
    ...rows.map((r) => {
      const base = r.baseline ? ` ${fmt(r.baseline.rps)} | ${fmt((r.baseline.rps / r.floor.rps) * 100)}% |` : args.baseline ? ' — | — |' : '';
      return `| ${r.db} | ${r.scenario} | ${fmt(r.cp.rps)} | ${fmt(r.floor.rps)} | ${fmt((r.cp.rps / r.floor.rps) * 100)}% |${base} ${fmt(r.cp.p50, 1)} / ${fmt(r.cp.p99, 1)} | ${fmt(r.floor.p50, 1)} / ${fmt(r.floor.p99, 1)} | ${JSON.stringify(r.cp.statuses)} |`;
    }),
    '',
    '| db | paging (Commonplace) | ms |',
    '|---|---|---:|',
    ...pagingRows.map((p) => `| ${p.db} | ${p.what} | ${fmt(p.ms, 1)} |`),
    '',
    '| db | initial sync | users | create (8 at a time) s | PATCH manager (8 at a time) s | total s | failures |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...syncRows.map((s) => `| ${s.db} | ${s.server} | ${fmt(s.users)} | ${fmt(s.createSeconds, 1)} | ${fmt(s.patchSeconds, 1)} | ${fmt(s.createSeconds + s.patchSeconds, 1)} | ${s.failures} |`),
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const source = snapshotSource();
  if (args.baseline) baselineRoot = sourceAt(args.baseline);
  for (const db of args.dbs) {
    const t = await makeTemplate(db, args.pgUrl);
    if (args.only.has('create')) await createScenario(t, args);
    if (args.only.has('patch')) await patchScenario(t, args);
    if (args.only.has('filter')) await filterScenario(t, args);
    if (args.only.has('sync') && args.sync > 0) await syncScenario(t, args);
  }
  const text = report(args, source.commit + (source.uncommitted.length ? ` (+ uncommitted: ${source.uncommitted.join(', ')})` : ''));
  fs.mkdirSync(path.dirname(path.resolve(ROOT, args.out)), { recursive: true });
  fs.writeFileSync(path.resolve(ROOT, args.out), text);
  console.log(text);
}

const stopFloors = async () => {
  for (const f of floors) await stop(f, 5_000);
};
process.on('SIGINT', () => {
  killAllSync();
  for (const f of floors) f.child.kill('SIGKILL');
  process.exit(130);
});
main()
  .then(async () => {
    await stopFloors();
    await cleanup();
  })
  .catch(async (error) => {
    console.error(error);
    await stopFloors();
    await cleanup();
    process.exit(1);
  });
