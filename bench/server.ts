// Child processes of a benchmark run (Commonplace and the raw floor), temp dirs and temp
// PostgreSQL databases: started here, and always stopped/removed by `cleanup()`.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FLOOR = path.join(ROOT, 'bench', 'floor.ts');

/**
 * Where Commonplace runs from. src/ is edited while benchmarks run and tsx compiles it at each
 * start, so `snapshotSource()` copies src/ and bin/ once per run (the rest is symlinked) and
 * every Commonplace process of the run starts from that copy.
 */
let appRoot = ROOT;
const bin = () => path.join(appRoot, 'bin', 'commonplace.mjs');

export interface SourceInfo {
  commit: string;
  /** Files under src/ and bin/ that differ from the commit. */
  uncommitted: string[];
}

function copySource(label: string): string {
  const dir = tempDir(label);
  for (const entry of fs.readdirSync(ROOT)) {
    if (entry === 'src' || entry === 'bin') fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
    else if (entry !== 'bench' && entry !== '.git') fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
  }
  return dir;
}

/**
 * A second copy of the source with one textual edit (experiments: Commonplace with a change,
 * without touching src/). Returns the root to pass as `root` to startCommonplace.
 */
export function patchedSource(file: string, search: string, replace: string): string {
  const dir = copySource('source-patched');
  const full = path.join(dir, file);
  const text = fs.readFileSync(full, 'utf8');
  if (!text.includes(search)) throw new Error(`${file} does not contain ${JSON.stringify(search)}`);
  fs.writeFileSync(full, text.split(search).join(replace));
  return dir;
}

/**
 * The source of another commit (A/B runs: `bench/scim.ts --baseline REV`): its src/ and bin/
 * from git, everything else symlinked from this tree. Returns the root to pass as `root`.
 */
export function sourceAt(rev: string): string {
  const dir = tempDir('source-baseline');
  const archive = spawnSync('sh', ['-c', `git archive ${JSON.stringify(rev)} src bin | tar -x -C ${JSON.stringify(dir)}`], { cwd: ROOT, encoding: 'utf8' });
  if (archive.status !== 0) throw new Error(`cannot read ${rev}: ${archive.stderr}`);
  for (const entry of fs.readdirSync(ROOT)) if (entry !== 'src' && entry !== 'bin' && entry !== 'bench' && entry !== '.git') fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
  return dir;
}

export function snapshotSource(): SourceInfo {
  const dir = copySource('source');
  appRoot = dir;
  const git = (args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const uncommitted = git(['status', '--porcelain', '--', 'src', 'bin']).split('\n').filter(Boolean).map((l) => l.slice(3));
  return { commit: git(['log', '-1', '--format=%h %s']) || 'unknown', uncommitted };
}

export interface Proc {
  name: string;
  pid: number;
  port: number;
  url: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

const running = new Set<Proc>();
const tempDirs = new Set<string>();
const cleanups: (() => Promise<void>)[] = [];

export function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cpbench-${label}-`));
  tempDirs.add(dir);
  return dir;
}

/** Registers an async cleanup (dropping a PG database…) run by `cleanup()`, newest first. */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Environment for Commonplace (server or CLI) on one data dir and, optionally, a PG database. */
export function commonplaceEnv(dataDir: string, port: number, databaseUrl?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    COMMONPLACE_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    COMMONPLACE_RATE_LIMIT: '0',
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  return env;
}

/** Runs the Commonplace CLI to completion and returns its stdout. */
export async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin(), ...args], { cwd: appRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`commonplace ${args.join(' ')} exited ${code}: ${err || out}`))));
  });
}

function launch(name: string, args: string[], env: NodeJS.ProcessEnv, port: number, logDir: string, cwd = ROOT): Proc {
  const logFile = path.join(logDir, `${name.replace(/[^a-z0-9]+/gi, '_')}.log`);
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? `${signal}` : null) as never)));
  const proc: Proc = { name, pid: child.pid!, port, url: `http://127.0.0.1:${port}`, child, logFile, exited };
  running.add(proc);
  void exited.then(() => running.delete(proc));
  return proc;
}

async function waitHealthy(proc: Proc, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead: string | undefined;
  void proc.exited.then((code) => (dead = String(code)));
  while (Date.now() < deadline) {
    if (dead) break;
    try {
      const res = await fetch(`${proc.url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const log = fs.existsSync(proc.logFile) ? fs.readFileSync(proc.logFile, 'utf8').slice(-2000) : '';
  await stop(proc);
  throw new Error(`${proc.name} did not become healthy${dead ? ` (it exited: ${dead})` : ''}; log tail:\n${log}`);
}

export interface CommonplaceOptions {
  dataDir: string;
  databaseUrl?: string;
  /** Directory for --cpu-prof output, when profiling. */
  cpuProfDir?: string;
  /** Modules to preload with --import (experiments). */
  imports?: string[];
  /** Extra environment (experiments). */
  env?: Record<string, string>;
  /** Another source root (experiments: see patchedSource). */
  root?: string;
  /** Extra arguments to `serve` (`--workers N`). */
  args?: string[];
  /** How long start-up may take (several processes start slowly on a loaded machine). */
  startTimeoutMs?: number;
}

export async function startCommonplace(name: string, options: CommonplaceOptions, attempt = 1): Promise<Proc> {
  const port = await freePort();
  const nodeArgs = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  for (const file of options.imports ?? []) nodeArgs.push('--import', path.resolve(ROOT, file));
  const env = { ...commonplaceEnv(options.dataDir, port, options.databaseUrl), ...options.env };
  const root = options.root ?? appRoot;
  const proc = launch(name, [...nodeArgs, path.join(root, 'bin', 'commonplace.mjs'), 'serve', ...(options.args ?? [])], env, port, options.dataDir, root);
  try {
    await waitHealthy(proc, options.startTimeoutMs);
  } catch (error) {
    // On a shared machine a process can die at start for reasons of its own (once seen: exited
    // silently); one retry, loudly, rather than losing the whole run.
    if (attempt > 1 || !/it exited/.test((error as Error).message)) throw error;
    console.error(`${name} exited during start-up, retrying once: ${(error as Error).message}`);
    return startCommonplace(name, options, attempt + 1);
  }
  return proc;
}

export interface FloorOptions {
  logDir: string;
  sqliteFile?: string;
  databaseUrl?: string;
}

export async function startFloor(name: string, options: FloorOptions): Promise<Proc> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    FLOOR_SQLITE_FILE: options.sqliteFile ?? '',
    FLOOR_DATABASE_URL: options.databaseUrl ?? '',
  };
  const proc = launch(name, ['--import', 'tsx', FLOOR], env, port, options.logDir);
  await waitHealthy(proc);
  return proc;
}

/** Resident set size and its peak, in MiB, from /proc (falls back to `ps`). */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number | undefined } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
  } catch {
    return { rssMiB: NaN, peakMiB: undefined };
  }
}

/** SIGTERM (graceful: Commonplace drains and exits, writing a --cpu-prof profile), SIGKILL after a grace period. */
export async function stop(proc: Proc, graceMs = 10_000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

/** Stops every child still running, runs registered cleanups, removes temp dirs. Idempotent. */
export async function cleanup(): Promise<void> {
  await Promise.all([...running].map((p) => stop(p, 5_000)));
  while (cleanups.length) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (error) {
      console.error(`cleanup failed: ${(error as Error).message}`);
    }
  }
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Synchronous last resort on abrupt exit: SIGKILL children, remove dirs (PG drops need async). */
export function killAllSync(): void {
  for (const p of running) {
    try {
      p.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
}
