// Load generation with autocannon's programmatic API.
//
// Servers compared with each other (Commonplace and its floor; or the same call at two database
// sizes) are loaded in interleaved slices — A B, then B A, … — after one warm-up each, so a
// change in the machine's load during the run falls on all of them alike. Each server gets
// `duration` seconds in all, split into `rounds` slices.
import autocannon, { type Options } from 'autocannon';

export interface LoadSpec {
  path: string;
  method: 'GET' | 'POST';
  token: string;
  connections: number;
  /** Measured seconds per server, in all. */
  duration: number;
  warmup: number;
  rounds: number;
}

export interface LoadResult {
  /** Responses per second over all measured slices (total responses / total seconds). */
  rps: number;
  /** The same, per slice, in the order run. */
  rpsByRound: number[];
  /** Latency percentiles in ms over every measured response. */
  p50: number;
  p99: number;
  max: number;
  /** 2xx responses measured, and during the warm-up. */
  ok: number;
  okWarmup: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  seconds: number;
}

// POST bodies are unique across every run of the process: identical consecutive posts by one
// author within 10 minutes are refused with error 506.
let sequence = 0;
const runTag = Date.now().toString(36);

function options(url: string, spec: LoadSpec, duration: number): Options {
  const headers: Record<string, string> = { authorization: `Bearer ${spec.token}` };
  const base: Options = { url, connections: spec.connections, duration, timeout: 10 };
  if (spec.method === 'GET') return { ...base, requests: [{ method: 'GET', path: spec.path, headers }] };
  headers['content-type'] = 'application/x-www-form-urlencoded';
  return {
    ...base,
    requests: [
      {
        method: 'POST',
        path: spec.path,
        headers,
        setupRequest: (request) => ({ ...request, body: `message=${encodeURIComponent(`Bench post ${runTag}-${++sequence}: load test`)}` }),
      },
    ],
  };
}

interface Slice {
  responses: number;
  seconds: number;
  latencies: number[];
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

async function slice(url: string, spec: LoadSpec, seconds: number): Promise<Slice> {
  if (!/^http:\/\/127\.0\.0\.1:/.test(url)) throw new Error(`refusing to load anything but 127.0.0.1: ${url}`);
  const latencies: number[] = [];
  const instance = autocannon(options(url, spec, seconds));
  instance.on('response', (...args: unknown[]) => latencies.push(args[3] as number));
  const r = await instance;
  return {
    responses: latencies.length,
    seconds: r.duration,
    latencies,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, v]) => [code, Number(v.count)])),
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function combine(slices: Slice[], okWarmup: number): LoadResult {
  const all = Float64Array.from(slices.flatMap((s) => s.latencies)).sort();
  const responses = slices.reduce((a, s) => a + s.responses, 0);
  const seconds = slices.reduce((a, s) => a + s.seconds, 0);
  const statusCodes: Record<string, number> = {};
  for (const s of slices) for (const [code, n] of Object.entries(s.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const sum = (k: 'ok' | 'non2xx' | 'errors' | 'timeouts') => slices.reduce((a, s) => a + s[k], 0);
  return {
    rps: responses / seconds,
    rpsByRound: slices.map((s) => s.responses / s.seconds),
    p50: Math.round(percentile(all, 50) * 10) / 10,
    p99: Math.round(percentile(all, 99) * 10) / 10,
    max: Math.round(percentile(all, 100) * 10) / 10,
    ok: sum('ok'),
    okWarmup,
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    statusCodes,
    seconds,
  };
}

/**
 * Loads each server (by name → base URL) with the same call: one warm-up each, then `rounds`
 * slices each, the order reversed every round. Returns one result per server.
 */
export async function compare(servers: Record<string, string>, spec: LoadSpec, progress: (msg: string) => void = () => undefined): Promise<Record<string, LoadResult>> {
  const names = Object.keys(servers);
  const warm: Record<string, number> = {};
  for (const name of names) warm[name] = spec.warmup > 0 ? (await slice(servers[name], spec, spec.warmup)).ok : 0;
  const slices: Record<string, Slice[]> = Object.fromEntries(names.map((n) => [n, []]));
  const seconds = spec.duration / spec.rounds;
  for (let round = 0; round < spec.rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const s = await slice(servers[name], spec, seconds);
      slices[name].push(s);
      progress(`  round ${round + 1}/${spec.rounds} ${name}: ${Math.round(s.responses / s.seconds)} req/s`);
    }
  }
  return Object.fromEntries(names.map((n) => [n, combine(slices[n], warm[n])]));
}
