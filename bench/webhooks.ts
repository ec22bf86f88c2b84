// Webhook delivery benchmark (issue 4, DESIGN.md §5).
//   node --import tsx bench/webhooks.ts [--rate 1000] [--duration 20] [--warmup 3] [--groups 100]
//        [--fanout-rate 100] [--subs 20] [--pg-url postgres://postgres@127.0.0.1:5432/test] [--only sqlite,fanout,pg]
//        [--out bench/results/webhooks.md]
// Events are written straight into the outbox (one transaction per event with its audit row, as a
// command commits them) at a steady rate, spread over `--groups` groups: on SQLite from inside the
// server process (bench/webhookEvents.mjs, preloaded), on PostgreSQL from this process. A
// node:http receiver in this process answers 200 and measures event→delivery latency (commit of
// the event to arrival of the POST). Scenarios:
//   sqlite  — 1 subscription, --rate events/s, SQLite, one server process;
//   fanout  — --subs subscriptions, --fanout-rate events/s, SQLite;
//   pg      — 1 subscription, --rate events/s, PostgreSQL, two server processes sharing the work
//             (and one process, for the ratio).
// Each scenario also runs the raw floor (bench/webhookFloor.ts): a bare outbox relay.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { newId } from '../src/ids.js';
import { createDatabase } from './seed.js';
import { cleanup, cli, commonplaceEnv, freePort, killAllSync, type Proc, ROOT, snapshotSource, startCommonplace, stop, tempDir } from './server.js';

interface Args {
  rate: number;
  duration: number;
  warmup: number;
  groups: number;
  fanoutRate: number;
  subs: number;
  pgUrl: string;
  only: string[];
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    rate: 1000,
    duration: 20,
    warmup: 3,
    groups: 100,
    fanoutRate: 100,
    subs: 20,
    pgUrl: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    only: ['sqlite', 'fanout', 'pg'],
    out: 'bench/results/webhooks.md',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i];
    if (flag === '--rate') args.rate = Number(value());
    else if (flag === '--duration') args.duration = Number(value());
    else if (flag === '--warmup') args.warmup = Number(value());
    else if (flag === '--groups') args.groups = Number(value());
    else if (flag === '--fanout-rate') args.fanoutRate = Number(value());
    else if (flag === '--subs') args.subs = Number(value());
    else if (flag === '--pg-url') args.pgUrl = value();
    else if (flag === '--only') args.only = value().split(',');
    else if (flag === '--out') args.out = value();
    else throw new Error(`unknown flag ${flag}`);
  }
  return args;
}

const now = () => performance.timeOrigin + performance.now();

/** Receives deliveries and measures latency from the event's commit time in its payload. */
class Receiver {
  server!: http.Server;
  url = '';
  latencies: { sent: number; latency: number }[] = [];
  deliveries = new Set<string>();
  events = new Map<string, number>();
  duplicates = 0;
  requests = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'GET') {
          res.end(new URL(req.url ?? '/', 'http://x').searchParams.get('hub.challenge') ?? '');
          return;
        }
        const arrived = now();
        res.end('ok');
        this.requests++;
        const delivery = String(req.headers['x-commonplace-delivery']);
        if (this.deliveries.has(delivery)) {
          this.duplicates++;
          return;
        }
        this.deliveries.add(delivery);
        const body = JSON.parse(Buffer.concat(chunks).toString());
        const sent = body.entry[0].changes[0].value.bench_t as number;
        this.latencies.push({ sent, latency: arrived - sent });
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  reset(): void {
    this.latencies = [];
    this.deliveries.clear();
    this.duplicates = 0;
    this.requests = 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

type Writer = { write(rows: { id: string; group: string; t: number }[]): Promise<void>; close(): Promise<void> };

const payload = (group: string, t: number, id: string) =>
  JSON.stringify({ verb: 'add', post_id: `${group}_${id}`, from: { id: '1', name: 'Bench' }, message: `event ${id}`, type: 'status', created_time: Math.floor(t / 1000), target_type: 'group', target_id: group, bench_t: t });

function pgWriter(url: string): Writer {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  // One statement per event (audit row and outbox row together), so the writer itself loads
  // PostgreSQL as little as a real command's commit would.
  return {
    async write(rows) {
      await Promise.all(
        rows.map((r) =>
          pool.query(
            `with a as (insert into audit_event (id, time, actor_type, actor_id, action, target_type, target_id, old_value, new_value) values ($1, $2, 'system', null, 'post.created', 'post', $3, null, null))
             insert into outbox (id, topic, field, entry_id, ordering_key, payload, created_time) values ($3, 'group', 'posts', $4, $4, $5, $2)`,
            [newId(), Math.floor(r.t), r.id, r.group, payload(r.group, now(), r.id)],
          ),
        ),
      );
    },
    close: () => pool.end(),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

interface RunResult {
  label: string;
  rate: number;
  subscriptions: number;
  generated: number;
  delivered: number;
  expected: number;
  duplicates: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  deliveriesPerSecond: number;
  drainSeconds: number;
  cpu: number[];
}

/** How events get written: by this process (a Writer) or inside the process under test (a signal). */
type Source = { kind: 'writer'; writer: Writer } | { kind: 'inside'; pid: number };

/** Writes events at `rate`/s for warmup + duration seconds, then waits for the receiver to drain. */
async function drive(label: string, source: Source, receiver: Receiver, args: Args, rate: number, subscriptions: number, pids: number[]): Promise<RunResult> {
  const groups = Array.from({ length: args.groups }, (_, i) => String(9_000_000_000_000 + i));
  receiver.reset();
  const total = (args.warmup + args.duration) * rate;
  const start = now();
  const measuredFrom = start + args.warmup * 1000;
  const cpuAt = () => pids.map(cpuSeconds);
  let cpuAtMeasure: number[] | undefined;
  setTimeout(() => (cpuAtMeasure = cpuAt()), args.warmup * 1000);
  if (source.kind === 'inside') {
    process.kill(source.pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, (args.warmup + args.duration) * 1000));
  } else {
    let generated = 0;
    while (generated < total) {
      const due = Math.min(total, Math.floor(((now() - start) / 1000) * rate));
      const batch: { id: string; group: string; t: number }[] = [];
      for (; generated < due; generated++) batch.push({ id: newId(), group: groups[generated % groups.length], t: now() });
      if (batch.length) await source.writer.write(batch);
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  const genEnd = now();
  const cpuEnd = cpuAt();
  const expected = total * subscriptions;
  const drainDeadline = genEnd + 60_000;
  while (receiver.deliveries.size < expected && now() < drainDeadline) await new Promise((r) => setTimeout(r, 20));
  const drainSeconds = (now() - genEnd) / 1000;
  const inWindow = receiver.latencies.filter((l) => l.sent >= measuredFrom && l.sent <= genEnd);
  const measured = inWindow.map((l) => l.latency).sort((a, b) => a - b);
  const window = (genEnd - measuredFrom) / 1000;
  return {
    label,
    rate: Math.round(inWindow.length / subscriptions / window),
    subscriptions,
    generated: total,
    delivered: receiver.deliveries.size,
    expected,
    duplicates: receiver.duplicates,
    p50: percentile(measured, 50),
    p95: percentile(measured, 95),
    p99: percentile(measured, 99),
    max: measured.at(-1) ?? NaN,
    deliveriesPerSecond: Math.round(inWindow.length / window),
    drainSeconds,
    cpu: pids.map((_, i) => (cpuEnd[i] - (cpuAtMeasure ?? cpuEnd)[i]) / window),
  };
}

async function subscribeAll(base: string, env: NodeJS.ProcessEnv, receiver: Receiver, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const app = JSON.parse((await cli(['integration', 'create', '--name', `Bench ${i}`, '--permission', 'read_group', '--json'], env)).trim().split('\n').pop()!);
    const r = await fetch(`${base}/graph/app/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.app_id}|${app.app_secret}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ object: 'group', fields: 'posts', callback_url: `${receiver.url}/${i}`, verify_token: 'bench' }),
    });
    if (!r.ok) throw new Error(`subscribe: ${r.status} ${await r.text()}`);
  }
}

const WEBHOOK_ENV = { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8', COMMONPLACE_WEBHOOK_POLL_MS: '10' };

async function startFloorRelay(name: string, env: Record<string, string>, receiver: Receiver, subs: number, logDir: string, imports: string[] = []): Promise<Proc> {
  const port = await freePort();
  const { spawn } = await import('node:child_process');
  const logFile = path.join(logDir, `${name}.log`);
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [...imports.flatMap((m) => ['--import', m]), '--import', 'tsx', path.join(ROOT, 'bench', 'webhookFloor.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), FLOOR_CALLBACKS: Array.from({ length: subs }, (_, i) => `${receiver.url}/${i}`).join(',') },
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { name, pid: child.pid!, port, url: `http://127.0.0.1:${port}`, child, logFile, exited };
}

const EVENTS_MODULE = path.join(ROOT, 'bench', 'webhookEvents.mjs');

async function sqliteScenario(args: Args, receiver: Receiver, subs: number, rate: number, label: string): Promise<RunResult[]> {
  const slug = label.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  const events = { WH_EVENTS_RATE: String(rate), WH_EVENTS_GROUPS: String(args.groups), WH_EVENTS_SECONDS: String(args.warmup + args.duration) };
  const dataDir = tempDir(`wh-${slug}`);
  const server = await startCommonplace(`commonplace-${slug}`, { dataDir, env: { ...WEBHOOK_ENV, ...events }, imports: ['bench/webhookEvents.mjs'] });
  const env = commonplaceEnv(dataDir, server.port);
  await subscribeAll(server.url, env, receiver, subs);
  const cp = await drive(`Commonplace, ${label}`, { kind: 'inside', pid: server.pid }, receiver, args, rate, subs, [server.pid]);
  await stop(server);
  // The floor relays the same events from a fresh database of the same schema, written the same way.
  const floorDir = tempDir(`wh-${slug}-floor`);
  await cli(['migrate', '--json'], commonplaceEnv(floorDir, 0));
  const floor = await startFloorRelay(`floor-${slug}`, { FLOOR_SQLITE_FILE: path.join(floorDir, 'commonplace.sqlite'), COMMONPLACE_DATA_DIR: floorDir, ...events }, receiver, subs, floorDir, [EVENTS_MODULE]);
  const raw = await drive(`floor, ${label}`, { kind: 'inside', pid: floor.pid }, receiver, args, rate, subs, [floor.pid]);
  floor.child.kill('SIGKILL');
  return [cp, raw];
}

async function pgScenario(args: Args, receiver: Receiver): Promise<{ results: RunResult[]; split: string }> {
  const results: RunResult[] = [];
  let split = '';
  const secret = randomBytes(32).toString('hex');
  for (const processes of [2, 1]) {
    const db = await createDatabase(args.pgUrl, `wh${processes}`);
    const dataDir = tempDir(`wh-pg${processes}`);
    const env = { ...WEBHOOK_ENV, COMMONPLACE_SECRET_KEY: secret };
    const servers: Proc[] = [];
    for (let i = 0; i < processes; i++) servers.push(await startCommonplace(`commonplace-pg-${processes}-${i}`, { dataDir, databaseUrl: db.url, env }));
    await subscribeAll(servers[0].url, { ...commonplaceEnv(dataDir, servers[0].port, db.url), ...env }, receiver, 1);
    const writer = pgWriter(db.url);
    results.push(await drive(`Commonplace, PostgreSQL, ${processes} process${processes > 1 ? 'es' : ''}`, { kind: 'writer', writer }, receiver, args, args.rate, 1, servers.map((s) => s.pid)));
    if (processes === 2) {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const rows = (await c.query('select worker, count(*)::int as n from webhook_attempt group by worker order by worker')).rows as { worker: string; n: number }[];
      const twice = (await c.query('select count(*)::int as n from (select delivery_id, attempt from webhook_attempt group by delivery_id, attempt having count(*) > 1) x')).rows[0].n;
      await c.end();
      split = `attempts per process: ${rows.map((r) => r.n).join(' + ')}; attempts logged twice: ${twice}`;
    }
    await writer.close();
    for (const s of servers) await stop(s);
  }
  const floorDb = await createDatabase(args.pgUrl, 'whfloor');
  const floorDir = tempDir('wh-pg-floor');
  await cli(['migrate', '--json'], commonplaceEnv(floorDir, 0, floorDb.url));
  const floor = await startFloorRelay('floor-pg', { FLOOR_DATABASE_URL: floorDb.url }, receiver, 1, floorDir);
  const writer = pgWriter(floorDb.url);
  results.push(await drive('floor, PostgreSQL', { kind: 'writer', writer }, receiver, args, args.rate, 1, [floor.pid]));
  floor.child.kill('SIGKILL');
  await writer.close();
  return { results, split };
}

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 1 : 0) : '–');

function table(rows: RunResult[]): string {
  const lines = [
    '| Scenario | subs | events/s (target → achieved) | deliveries/s | p50 / p95 / p99 / max ms | delivered / expected | duplicates | drain after stop | server CPU |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.label} | ${r.subscriptions} | ${r.rate} | ${r.deliveriesPerSecond} | ${ms(r.p50)} / ${ms(r.p95)} / ${ms(r.p99)} / ${ms(r.max)} | ${r.delivered} / ${r.expected} | ${r.duplicates} | ${r.drainSeconds.toFixed(1)} s | ${r.cpu.map((c) => `${Math.round(c * 100)}%`).join(' + ')} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const source = snapshotSource();
  const receiver = new Receiver();
  await receiver.start();
  const sections: string[] = [];
  const all: RunResult[] = [];
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
  try {
    if (args.only.includes('sqlite')) all.push(...(await sqliteScenario(args, receiver, 1, args.rate, `SQLite, ${args.rate}/s`)));
    if (args.only.includes('fanout')) all.push(...(await sqliteScenario(args, receiver, args.subs, args.fanoutRate, `SQLite, ${args.subs} subscriptions`)));
    let split = '';
    if (args.only.includes('pg')) {
      const pgRun = await pgScenario(args, receiver);
      all.push(...pgRun.results);
      split = pgRun.split;
    }
    const cpus = os.cpus();
    sections.push(
      `# Webhook delivery benchmark — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      '',
      `- Command: \`node --import tsx bench/webhooks.ts ${process.argv.slice(2).join(' ')}\``,
      `- Source: ${source.commit}${source.uncommitted.length ? ` + ${source.uncommitted.length} uncommitted files` : ''}`,
      `- Machine: ${cpus.length} × ${cpus[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}; load before ${load}, after ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`,
      `- ${args.warmup} s warm-up, ${args.duration} s measured per scenario; events over ${args.groups} groups; worker poll ${WEBHOOK_ENV.COMMONPLACE_WEBHOOK_POLL_MS} ms; receiver in the bench process answers 200 at once.`,
      '- Latency: from the commit of the event (outbox row + audit row) to the arrival of its POST at the receiver; events written during the measured window. SQLite events are written inside the server process (bench/webhookEvents.mjs), PostgreSQL events by the bench process.',
      '',
      table(all),
      '',
      split ? `- PostgreSQL, 2 processes: ${split}.` : '',
    );
    const text = sections.join('\n');
    fs.mkdirSync(path.dirname(path.resolve(ROOT, args.out)), { recursive: true });
    fs.writeFileSync(path.resolve(ROOT, args.out), `${text}\n`);
    console.log(text);
  } finally {
    await receiver.close();
    await cleanup();
  }
}

process.on('SIGINT', () => {
  killAllSync();
  process.exit(130);
});
await main();
