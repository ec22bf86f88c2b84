import type { Context } from '../context.js';
import { formatGraphError, invalidParameter, newTraceId, toAppError } from '../errors.js';
import { dispatch, type GraphCall, type GraphServices } from './dispatch.js';
import { type Params, parseQueryString } from './params.js';

/** Graph's batch limit. */
export const MAX_BATCH = 50;

interface BatchItem {
  method?: string;
  relative_url?: string;
  body?: string | Record<string, unknown>;
  name?: string;
  depends_on?: string;
  omit_response_on_success?: boolean;
  access_token?: string;
}

/** Reads `$.a.b`, `$.data.*.id`, `$.data[0].id` from a JSON value; lists join with commas. */
export function jsonPath(value: unknown, path: string): string | undefined {
  if (!path.startsWith('$')) return undefined;
  const steps = path
    .slice(1)
    .replace(/\[(\d+|\*)\]/g, '.$1')
    .split('.')
    .filter(Boolean);
  let current: unknown[] = [value];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const item of current) {
      if (item === null || typeof item !== 'object') continue;
      if (step === '*') next.push(...(Array.isArray(item) ? item : Object.values(item)));
      else next.push((item as Record<string, unknown>)[step]);
    }
    current = next.filter((v) => v !== undefined);
  }
  if (current.length === 0) return undefined;
  return current.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
}

const REFERENCE = /\{result=([A-Za-z0-9_-]+):(\$[^}]*)\}/g;

function substitute(text: string, results: Map<string, unknown>): string {
  return text.replace(REFERENCE, (_m, name: string, path: string) => {
    if (!results.has(name)) throw invalidParameter(`Batch reference to unknown or failed request "${name}"`);
    const value = jsonPath(results.get(name), path);
    if (value === undefined) throw invalidParameter(`Batch reference {result=${name}:${path}} matched nothing`);
    return encodeURIComponent(value);
  });
}

function parseItems(params: Params): BatchItem[] {
  const raw = params.json('batch');
  if (!Array.isArray(raw)) throw invalidParameter('Param batch must be a JSON array of requests');
  if (raw.length === 0) throw invalidParameter('Param batch is empty');
  if (raw.length > MAX_BATCH) throw invalidParameter(`Too many requests in batch message. Maximum batch size is ${MAX_BATCH}`);
  return raw.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item) || typeof (item as BatchItem).relative_url !== 'string') {
      throw invalidParameter(`Batch request ${i} needs a relative_url`);
    }
    for (const key of ['method', 'name', 'depends_on', 'access_token'] as const) {
      const value = (item as BatchItem)[key];
      if (value !== undefined && value !== null && typeof value !== 'string') throw invalidParameter(`Batch request ${i}: ${key} must be a string`);
    }
    const body = (item as BatchItem).body;
    if (body !== undefined && body !== null && typeof body !== 'string' && (typeof body !== 'object' || Array.isArray(body))) {
      throw invalidParameter(`Batch request ${i}: body must be a form-encoded string or an object`);
    }
    return item as BatchItem;
  });
}

/**
 * POST / with `batch`: runs up to 50 calls in order through the same dispatcher, with named
 * results (`name`, `{result=name:$.path}`, `depends_on`, `omit_response_on_success`).
 * Each call authenticates and counts on its own.
 */
export function batchRunner(services: GraphServices) {
  return async (ctx: Context, call: GraphCall, params: Params): Promise<unknown[]> => {
    const items = parseItems(params);
    const includeHeaders = params.boolean('include_headers') ?? true;
    const results = new Map<string, unknown>();
    const failed = new Set<string>();
    const out: unknown[] = [];
    const budget = call.budget;
    for (const item of items) {
      await budget.pause(true);
      if (item.depends_on && (failed.has(item.depends_on) || !results.has(item.depends_on))) {
        if (item.name) failed.add(item.name);
        out.push(null);
        continue;
      }
      let relative: string;
      let bodyText: string | undefined;
      try {
        relative = substitute(item.relative_url!, results);
        bodyText = typeof item.body === 'string' ? substitute(item.body, results) : undefined;
      } catch (error) {
        if (item.name) failed.add(item.name);
        out.push({ code: 400, ...(includeHeaders ? { headers: [] } : {}), body: JSON.stringify({ error: { message: (error as Error).message, type: 'OAuthException', code: 100 } }) });
        continue;
      }
      const [path, query = ''] = relative.split('?', 2);
      const body = typeof item.body === 'object' && item.body !== null ? item.body : bodyText ? parseQueryString(bodyText) : {};
      const reply = await dispatch(ctx, services, {
        method: item.method ?? 'GET',
        path,
        query: parseQueryString(query),
        body: item.access_token ? { ...body, access_token: item.access_token } : body,
        publicBase: call.publicBase,
        linkBase: call.linkBase,
        fallbackToken: call.fallbackToken,
        fallbackProof: call.fallbackProof,
        authorization: undefined,
        budget,
      });
      const ok = reply.status < 400;
      if (item.name) (ok ? results.set(item.name, reply.body) : failed.add(item.name));
      if (ok && item.omit_response_on_success && item.name) {
        out.push(null);
        continue;
      }
      const headers = Object.entries({ 'Content-Type': 'application/json; charset=UTF-8', ...reply.headers }).map(([name, value]) => ({ name, value }));
      let text = JSON.stringify(reply.body);
      let code = reply.status;
      try {
        budget.chargeBytes(text.length);
      } catch (error) {
        const appError = toAppError(error);
        code = appError.status;
        text = JSON.stringify(formatGraphError(appError, newTraceId()));
        if (item.name) (results.delete(item.name), failed.add(item.name));
      }
      out.push({ code, ...(includeHeaders ? { headers } : {}), body: text });
    }
    return out;
  };
}
