// Load benchmarks of Commonplace against a raw floor (DESIGN.md §5, BENCHMARKS.md).
//   node --import tsx bench/run.ts [--db sqlite|postgres|both] [--posts 100000] [--duration 10]
//        [--warmup 2] [--connections 50] [--rounds 2] [--small 10000] [--large 1000000] [--no-scale]
//        [--pg-url postgres://postgres@127.0.0.1:5432/test] [--profile] [--cp-import file.mjs]
//        [--out bench/results/latest.md]
// --profile runs Commonplace under --cpu-prof (one process per scenario) and appends a summary
// of each profile; --cp-import preloads a module into Commonplace (e.g. bench/experiments/).
// Both write to another file than latest.md unless --out says otherwise.
// Every scenario runs Commonplace and the floor (bench/floor.ts) in the same run, each in its
// own process on its own copy of the same seeded database, loaded in interleaved slices (floor,
// Commonplace, then Commonplace, floor, …: see bench/load.ts), and reports requests/s, latency
// and the ratio Commonplace/floor. Results: bench/results/latest.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { compare, type LoadResult, type LoadSpec } from './load.js';
import { formatSummary, summarize } from './profile.js';
import {
  copySqlite,
  countRows,
  countRowsPg,
  createDatabase,
  makeTemplate,
  SQLITE_FILE,
  seedPostgres,
  seedSqlite,
  type Template,
} from './seed.js';
import { cleanup, killAllSync, memoryOf, type Proc, ROOT, type SourceInfo, snapshotSource, startCommonplace, startFloor, stop, tempDir } from './server.js';

// ---- arguments ----

interface Args {
  db: 'sqlite' | 'postgres' | 'both';
  posts: number;
  duration: number;
  warmup: number;
  connections: number;
  rounds: number;
  small: number;
  large: number;
  scale: boolean;
  profile: boolean;
  pgUrl: string;
  cpImports: string[];
  out: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    db: 'sqlite',
    posts: 100_000,
    duration: 10,
    warmup: 2,
    connections: 50,
    rounds: 2,
    small: 10_000,
    large: 1_000_000,
    scale: true,
    profile: false,
    pgUrl: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    cpImports: [],
    out: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const num = () => {
      const n = Number(value().replace(/_/g, ''));
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
      return n;
    };
    switch (flag) {
      case '--db': {
        const v = value();
        if (v !== 'sqlite' && v !== 'postgres' && v !== 'both') throw new Error('--db is sqlite, postgres or both');
        args.db = v;
        break;
      }
      case '--posts': args.posts = num(); break;
      case '--duration': args.duration = num(); break;
      case '--warmup': args.warmup = Number(value()); break;
      case '--connections': args.connections = num(); break;
      case '--rounds': args.rounds = Math.round(num()); break;
      case '--small': args.small = num(); break;
      case '--large': args.large = num(); break;
      case '--no-scale': args.scale = false; break;
      case '--profile': args.profile = true; break;
      case '--pg-url': args.pgUrl = value(); break;
      case '--cp-import': args.cpImports.push(value()); break;
      case '--out': args.out = value(); break;
      default: throw new Error(`unknown argument ${flag}`);
    }
  }
  return args;
}

// ---- results ----

interface Run {
  key: string;
  scenario: string;
  db: 'sqlite' | 'postgres';
  posts: number;
  cp: LoadResult;
  floor: LoadResult;
  note?: string;
}

interface Target {
  label: string;
  goal: string;
  measured: string;
  met: boolean | undefined;
}

interface Memory {
  server: string;
  rssMiB: number;
  peakMiB: number | undefined;
}

const runs: Run[] = [];
const memory: Memory[] = [];
const notes: string[] = [];
const profiles: string[] = [];

const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');
const ratio = (r: Run) => r.cp.rps / r.floor.rps;
const rounds = (x: LoadResult) => (x.rpsByRound.length > 1 ? `(${x.rpsByRound.map((v) => fmt(v)).join(', ')})` : '');
const feedPath = (groupId: string) => `/graph/${groupId}/feed?fields=id,message,created_time,from{name}&limit=25`;
const postPath = (groupId: string) => `/graph/${groupId}/feed`;

// ---- checks: both servers answer the same thing before they are loaded ----

async function getJson(url: string, token: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

/** The feed of both servers must be the same JSON (the `next` link differs only by origin). */
async function checkSameFeed(cp: Proc, floor: Proc, t: Template): Promise<void> {
  const path = encodeURI(feedPath(t.groupId));
  const [a, b] = await Promise.all([getJson(cp.url + path, t.token), getJson(floor.url + path, t.token)]);
  const norm = (body: any, origin: string) => JSON.parse(JSON.stringify(body).split(origin).join('ORIGIN'));
  if (a.status !== 200 || b.status !== 200 || !isDeepStrictEqual(norm(a.body, cp.url), norm(b.body, floor.url))) {
    throw new Error(`Commonplace and the floor answer the feed differently:\n${a.status} ${JSON.stringify(a.body).slice(0, 600)}\n${b.status} ${JSON.stringify(b.body).slice(0, 600)}`);
  }
  if (a.body.data.length !== 25 || !a.body.paging?.next) throw new Error(`unexpected feed: ${JSON.stringify(a.body).slice(0, 300)}`);
}

/** One POST on each server answers {"id":"<group>_<post>"}. */
async function checkPost(proc: Proc, t: Template): Promise<void> {
  const res = await fetch(proc.url + postPath(t.groupId), {
    method: 'POST',
    headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: `message=${encodeURIComponent(`bench check ${proc.name} ${Date.now()}`)}`,
  });
  const body = (await res.json()) as { id?: string };
  if (res.status !== 200 || !new RegExp(`^${t.groupId}_\\d+$`).test(body.id ?? '')) throw new Error(`${proc.name}: POST answered ${res.status} ${JSON.stringify(body)}`);
}

/** Lets requests still in flight when autocannon stopped finish before rows are counted. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));

type Counts = Record<'post' | 'audit_event' | 'outbox', number>;

/** The rows a write run added: one post, one audit event and one outbox row per 2xx answer. */
function checkWrites(name: string, before: Counts, after: Counts, result: LoadResult): string {
  const posts = after.post - before.post;
  const answered = result.ok + result.okWarmup;
  const ok = posts >= answered && after.audit_event - before.audit_event === posts && after.outbox - before.outbox === posts;
  const text = `${name}: ${fmt(posts)} posts, ${fmt(after.audit_event - before.audit_event)} audit events, ${fmt(after.outbox - before.outbox)} outbox rows written for ${fmt(answered)} 2xx answers`;
  if (!ok) throw new Error(`write check failed — ${text}`);
  return text;
}

// ---- scenarios ----

function loadSpec(t: Template, method: 'GET' | 'POST', args: Args): LoadSpec {
  return {
    path: method === 'GET' ? feedPath(t.groupId) : postPath(t.groupId),
    method,
    token: t.token,
    connections: args.connections,
    duration: args.duration,
    warmup: args.warmup,
    rounds: args.rounds,
  };
}

function checkErrors(scenario: string, db: string, who: string, r: LoadResult): void {
  if (r.non2xx || r.errors) notes.push(`${scenario} (${db}): ${who} had ${r.non2xx} non-2xx (${JSON.stringify(r.statusCodes)}) and ${r.errors} errors`);
}

/** One scenario: Commonplace and its floor, interleaved. */
async function pair(key: string, scenario: string, db: Run['db'], posts: number, servers: { cp: Proc; floor: Proc }, t: Template, method: 'GET' | 'POST', args: Args): Promise<Run> {
  log(`${scenario} (${db}, ${fmt(posts)} posts): floor and Commonplace, ${args.rounds} interleaved rounds…`);
  const r = await compare({ floor: servers.floor.url, commonplace: servers.cp.url }, loadSpec(t, method, args), log);
  const run: Run = { key, scenario, db, posts, cp: r.commonplace, floor: r.floor };
  for (const [who, x] of [['floor', run.floor], ['Commonplace', run.cp]] as const) {
    log(`  ${who}: ${fmt(x.rps)} req/s, p50 ${x.p50} ms, p99 ${x.p99} ms, non-2xx ${x.non2xx}`);
    checkErrors(scenario, db, who, x);
  }
  log(`  → Commonplace/floor ${fmt(ratio(run) * 100)}%`);
  runs.push(run);
  return run;
}

function recordMemory(server: string, proc: Proc): void {
  const m = memoryOf(proc.pid);
  memory.push({ server, ...m });
  log(`  ${server}: RSS ${fmt(m.rssMiB, 1)} MiB (peak ${fmt(m.peakMiB ?? NaN, 1)} MiB)`);
}

async function stopServer(proc: Proc, profileDir: string | undefined, label: string): Promise<void> {
  await stop(proc);
  if (!profileDir) return;
  // One profile per thread: the main thread's is the busy one (the other is tsx's loader thread).
  const found = fs
    .readdirSync(profileDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ file: path.join(profileDir, f), summary: summarize(path.join(profileDir, f)) }))
    .sort((a, b) => b.summary.busyMs - a.summary.busyMs);
  if (!found.length) return;
  const text = `### Profile: Commonplace, ${label}\n\n\`\`\`\n${formatSummary(found[0].summary)}\n\`\`\`\n`;
  profiles.push(text);
  console.log(text);
  fs.renameSync(found[0].file, path.join(resultsDir, `${label.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`));
}

const resultsDir = path.join(ROOT, 'bench', 'results');

function profileDirFor(args: Args, label: string): string | undefined {
  return args.profile ? tempDir(`prof-${label}`) : undefined;
}

async function sqliteSuite(args: Args): Promise<void> {
  log('SQLite: template (migrate, integration, group)…');
  const t = await makeTemplate('sqlite');

  // (a) + (b): feed read and feed POST at --posts.
  const seeded = seedSqlite(t, `sqlite-${args.posts}`, args.posts);
  log(`SQLite: seeded ${fmt(args.posts)} posts in ${seeded.seconds.toFixed(1)} s`);
  const floorFile = copySqlite(seeded.dir, `sqlite-${args.posts}-floor`);
  let prof = profileDirFor(args, 'sqlite-read');
  let cp = await startCommonplace('commonplace-sqlite', { dataDir: seeded.dir, cpuProfDir: prof, imports: args.cpImports });
  const floor = await startFloor('floor-sqlite', { logDir: path.dirname(floorFile), sqliteFile: floorFile });
  await checkSameFeed(cp, floor, t);
  await pair('read-sqlite', 'feed read', 'sqlite', args.posts, { cp, floor }, t, 'GET', args);
  if (args.profile) {
    await stopServer(cp, prof, `sqlite feed read ${args.posts}`);
    prof = profileDirFor(args, 'sqlite-write');
    cp = await startCommonplace('commonplace-sqlite', { dataDir: seeded.dir, cpuProfDir: prof, imports: args.cpImports });
  }
  await checkPost(cp, t);
  await checkPost(floor, t);
  const cpFile = path.join(seeded.dir, SQLITE_FILE);
  const beforeCp = countRows(cpFile);
  const beforeFloor = countRows(floorFile);
  const write = await pair('write-sqlite', 'feed POST', 'sqlite', args.posts, { cp, floor }, t, 'POST', args);
  await settle();
  notes.push(checkWrites('SQLite write, Commonplace', beforeCp, countRows(cpFile), write.cp));
  notes.push(checkWrites('SQLite write, floor', beforeFloor, countRows(floorFile), write.floor));
  recordMemory(`Commonplace, SQLite ${fmt(args.posts)} posts, after read + write runs`, cp);
  recordMemory(`floor, SQLite ${fmt(args.posts)} posts, after read + write runs`, floor);
  await stopServer(cp, prof, `sqlite feed POST ${args.posts}`);
  await stop(floor);

  // (d): feed read at --small vs --large posts, the four servers interleaved.
  if (!args.scale) return;
  const sizes = [args.small, args.large];
  const servers: { n: number; cp: Proc; floor: Proc; prof?: string }[] = [];
  for (const n of sizes) {
    const s = seedSqlite(t, `sqlite-${n}`, n);
    log(`SQLite: seeded ${fmt(n)} posts in ${s.seconds.toFixed(1)} s`);
    notes.push(`Seeding ${fmt(n)} posts into SQLite (one transaction, one prepared statement): ${s.seconds.toFixed(1)} s`);
    const f = copySqlite(s.dir, `sqlite-${n}-floor`);
    const p = profileDirFor(args, `sqlite-read-${n}`);
    const c = await startCommonplace(`commonplace-sqlite-${n}`, { dataDir: s.dir, cpuProfDir: p, imports: args.cpImports });
    const fl = await startFloor(`floor-sqlite-${n}`, { logDir: path.dirname(f), sqliteFile: f });
    await checkSameFeed(c, fl, t);
    servers.push({ n, cp: c, floor: fl, prof: p });
  }
  log(`feed read (sqlite, ${sizes.map((n) => fmt(n)).join(' and ')} posts): floors and Commonplace, ${args.rounds} interleaved rounds…`);
  const targets: Record<string, string> = {};
  for (const x of servers) {
    targets[`floor ${fmt(x.n)}`] = x.floor.url;
    targets[`commonplace ${fmt(x.n)}`] = x.cp.url;
  }
  const results = await compare(targets, loadSpec(t, 'GET', args), log);
  for (const x of servers) {
    const run: Run = { key: `read-sqlite-${x.n}`, scenario: 'feed read', db: 'sqlite', posts: x.n, cp: results[`commonplace ${fmt(x.n)}`], floor: results[`floor ${fmt(x.n)}`] };
    checkErrors('feed read', `sqlite, ${fmt(x.n)} posts`, 'floor', run.floor);
    checkErrors('feed read', `sqlite, ${fmt(x.n)} posts`, 'Commonplace', run.cp);
    log(`  ${fmt(x.n)} posts: floor ${fmt(run.floor.rps)} req/s p99 ${run.floor.p99} ms; Commonplace ${fmt(run.cp.rps)} req/s p99 ${run.cp.p99} ms → ${fmt(ratio(run) * 100)}%`);
    runs.push(run);
    recordMemory(`Commonplace, SQLite ${fmt(x.n)} posts, after read run`, x.cp);
  }
  for (const x of servers) {
    await stopServer(x.cp, x.prof, `sqlite feed read ${x.n}`);
    await stop(x.floor);
  }
}

async function postgresSuite(args: Args): Promise<void> {
  log('PostgreSQL: template database (migrate, integration, group)…');
  const main = await createDatabase(args.pgUrl, 'cp');
  const t = await makeTemplate('pg', main.url);
  const seeded = await seedPostgres(main.url, t, args.posts);
  log(`PostgreSQL: seeded ${fmt(args.posts)} posts in ${seeded.seconds.toFixed(1)} s`);
  // The floor's copy: a database made from the seeded one as a template.
  const floorDb = await createDatabase(args.pgUrl, 'floor', main.name);
  let prof = profileDirFor(args, 'pg-read');
  let cp = await startCommonplace('commonplace-pg', { dataDir: t.dir, databaseUrl: main.url, cpuProfDir: prof, imports: args.cpImports });
  const floor = await startFloor('floor-pg', { logDir: t.dir, databaseUrl: floorDb.url });
  await checkSameFeed(cp, floor, t);
  await pair('read-pg', 'feed read', 'postgres', args.posts, { cp, floor }, t, 'GET', args);
  if (args.profile) {
    await stopServer(cp, prof, `postgres feed read ${args.posts}`);
    prof = profileDirFor(args, 'pg-write');
    cp = await startCommonplace('commonplace-pg', { dataDir: t.dir, databaseUrl: main.url, cpuProfDir: prof, imports: args.cpImports });
  }
  await checkPost(cp, t);
  await checkPost(floor, t);
  const beforeCp = await countRowsPg(main.url);
  const beforeFloor = await countRowsPg(floorDb.url);
  const write = await pair('write-pg', 'feed POST', 'postgres', args.posts, { cp, floor }, t, 'POST', args);
  await settle();
  notes.push(checkWrites('PostgreSQL write, Commonplace', beforeCp, await countRowsPg(main.url), write.cp));
  notes.push(checkWrites('PostgreSQL write, floor', beforeFloor, await countRowsPg(floorDb.url), write.floor));
  recordMemory(`Commonplace, PostgreSQL ${fmt(args.posts)} posts, after read + write runs`, cp);
  recordMemory(`floor, PostgreSQL ${fmt(args.posts)} posts, after read + write runs`, floor);
  await stopServer(cp, prof, `postgres feed POST ${args.posts}`);
  await stop(floor);
}

// ---- report ----

function targets(args: Args): Target[] {
  const out: Target[] = [];
  const find = (key: string) => runs.find((r) => r.key === key);
  const read = find('read-sqlite');
  if (read) {
    out.push({ label: `(a) feed read, SQLite, ${fmt(args.posts)} posts: req/s vs floor`, goal: '≥ 50% of floor', measured: `${fmt(ratio(read) * 100)}%`, met: ratio(read) >= 0.5 });
    out.push({ label: '(a) feed read, SQLite: Commonplace p99', goal: '≤ 25 ms', measured: `${read.cp.p99} ms`, met: read.cp.p99 <= 25 });
  }
  const write = find('write-sqlite');
  if (write) out.push({ label: '(b) feed POST, SQLite: req/s vs floor', goal: '≥ 40% of floor', measured: `${fmt(ratio(write) * 100)}%`, met: ratio(write) >= 0.4 });
  const pgRead = find('read-pg');
  if (pgRead) out.push({ label: `(c) feed read, PostgreSQL, ${fmt(args.posts)} posts: req/s vs floor`, goal: 'reported (SQLite goal: ≥ 50%)', measured: `${fmt(ratio(pgRead) * 100)}%, p99 ${pgRead.cp.p99} ms`, met: undefined });
  const pgWrite = find('write-pg');
  if (pgWrite) out.push({ label: '(c) feed POST, PostgreSQL: req/s vs floor', goal: 'reported (SQLite goal: ≥ 40%)', measured: `${fmt(ratio(pgWrite) * 100)}%`, met: undefined });
  const small = find(`read-sqlite-${args.small}`);
  const large = find(`read-sqlite-${args.large}`);
  if (small && large) {
    const r = large.cp.rps / small.cp.rps;
    const f = large.floor.rps / small.floor.rps;
    out.push({
      label: `(d) feed read, SQLite, ${fmt(args.large)} vs ${fmt(args.small)} posts: Commonplace req/s`,
      goal: `within 20% (≥ 80%)`,
      measured: `${fmt(r * 100)}% (floor: ${fmt(f * 100)}%); p99 ${large.cp.p99} vs ${small.cp.p99} ms`,
      met: r >= 0.8,
    });
  }
  const bad = runs.filter((r) => r.cp.non2xx || r.floor.non2xx || r.cp.errors || r.floor.errors);
  out.push({ label: 'No non-2xx answers or connection errors, any server, any scenario', goal: '0', measured: bad.length ? bad.map((r) => `${r.scenario} ${r.db} ${fmt(r.posts)}`).join('; ') : '0', met: bad.length === 0 });
  return out;
}

function report(args: Args, command: string, started: Date, source: SourceInfo, load: { before: number[]; after: number[] }): string {
  const cpus = os.cpus();
  const lines: string[] = [];
  lines.push(`# Commonplace load benchmarks — ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`, '');
  lines.push(`- Command: \`${command}\``);
  lines.push(`- Commonplace: commit ${source.commit}${source.uncommitted.length ? ` plus uncommitted changes to ${source.uncommitted.length} files in src/ and bin/` : ''} (src/ and bin/ copied at the start, so every server of the run ran the same code)`);
  lines.push(`- Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, ${os.type()} ${os.release()}; Node ${process.version}`);
  lines.push(`- Load average (1/5/15 min) before: ${load.before.map((x) => x.toFixed(2)).join(' / ')}, after: ${load.after.map((x) => x.toFixed(2)).join(' / ')}`);
  lines.push(`- autocannon, ${args.connections} connections, 127.0.0.1. Per scenario, each server gets a ${args.warmup} s warm-up, then ${args.duration} s measured in ${args.rounds} interleaved slices (floor, Commonplace, then Commonplace, floor, …) so that changes in the machine's load fall on both${args.profile ? '; **Commonplace ran under --cpu-prof (numbers are lower than usual)**' : ''}${args.cpImports.length ? `; **experiment: Commonplace ran with --import ${args.cpImports.join(', ')}**` : ''}`);
  const knobs = ['FLOOR_PG_PREPARED', 'FLOOR_PG_LOCK'].filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]}`);
  if (knobs.length) lines.push(`- **Floor experiment knobs set: ${knobs.join(', ')}** (see bench/floor.ts)`);
  lines.push('- req/s = responses / measured seconds (per-slice values in brackets); p50/p99 in ms over every measured response. The machine is shared and noisy: read the ratios, not the absolute numbers.', '');
  lines.push('| Scenario | DB | Posts | Commonplace req/s | p50 / p99 ms | Floor req/s | p50 / p99 ms | Commonplace / floor | non-2xx (CP / floor) |');
  lines.push('|---|---|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of runs) {
    lines.push(
      `| ${r.scenario} | ${r.db === 'sqlite' ? 'SQLite' : 'PostgreSQL'} | ${fmt(r.posts)} | ${fmt(r.cp.rps)} ${rounds(r.cp)} | ${r.cp.p50} / ${r.cp.p99} | ${fmt(r.floor.rps)} ${rounds(r.floor)} | ${r.floor.p50} / ${r.floor.p99} | **${fmt(ratio(r) * 100)}%** | ${r.cp.non2xx} / ${r.floor.non2xx} |`,
    );
  }
  lines.push('', '| Target | Goal | Measured | Met |', '|---|---|---|---|');
  for (const t of targets(args)) lines.push(`| ${t.label} | ${t.goal} | ${t.measured} | ${t.met === undefined ? '—' : t.met ? 'yes' : '**no**'} |`);
  if (memory.length) {
    lines.push('', '| (e) Server memory | RSS MiB | Peak RSS MiB |', '|---|--:|--:|');
    for (const m of memory) lines.push(`| ${m.server} | ${fmt(m.rssMiB, 1)} | ${fmt(m.peakMiB ?? NaN, 1)} |`);
  }
  if (notes.length) lines.push('', 'Checks and notes:', '', ...notes.map((n) => `- ${n}`));
  if (profiles.length) lines.push('', ...profiles);
  return `${lines.join('\n')}\n`;
}

// ---- main ----

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const command = `node --import tsx bench/run.ts ${process.argv.slice(2).join(' ')}`.trim();
  const started = new Date();
  const loadBefore = os.loadavg();
  fs.mkdirSync(resultsDir, { recursive: true });
  const source = snapshotSource();
  log(`Commonplace source: ${source.commit}${source.uncommitted.length ? ` + ${source.uncommitted.length} uncommitted files in src/ and bin/` : ''} (copied for this run)`);
  if (args.db === 'sqlite' || args.db === 'both') await sqliteSuite(args);
  if (args.db === 'postgres' || args.db === 'both') await postgresSuite(args);
  const text = report(args, command, started, source, { before: loadBefore, after: os.loadavg() });
  const file = args.out ? path.resolve(args.out) : path.join(resultsDir, args.profile ? 'profile.md' : args.cpImports.length ? 'experiment.md' : 'latest.md');
  fs.writeFileSync(file, text);
  console.log(`\n${text}`);
  log(`written to ${path.relative(ROOT, file)} in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
}

let exiting = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (exiting) return;
    exiting = true;
    console.error(`\n${signal}: stopping servers and cleaning up…`);
    void cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', killAllSync);

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
