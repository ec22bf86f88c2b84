// Load generation with autocannon's programmatic API: a short warm-up, then a measured run.
import autocannon, { type Options, type Result } from 'autocannon';

export interface LoadSpec {
  /** Base URL of the server (127.0.0.1 only). */
  url: string;
  path: string;
  method: 'GET' | 'POST';
  token: string;
  connections: number;
  duration: number;
  warmup: number;
}

export interface LoadResult {
  /** Mean of the per-second request counts. */
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** 2xx responses in the measured run, and in the warm-up. */
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

function options(spec: LoadSpec, duration: number): Options {
  const headers: Record<string, string> = { authorization: `Bearer ${spec.token}` };
  const base: Options = { url: spec.url, connections: spec.connections, duration, timeout: 10 };
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

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:/.test(spec.url)) throw new Error(`refusing to load anything but 127.0.0.1: ${spec.url}`);
  let okWarmup = 0;
  if (spec.warmup > 0) okWarmup = (await autocannon(options(spec, spec.warmup)))['2xx'];
  const r: Result = await autocannon(options(spec, spec.duration));
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    ok: r['2xx'],
    okWarmup,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, v]) => [code, Number(v.count)])),
    seconds: r.duration,
  };
}
