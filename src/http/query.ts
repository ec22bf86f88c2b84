import type { FastifyRequest } from 'fastify';
import { invalidParameter } from '../errors.js';

/** Query parameters of the web APIs (/admin/api, /api): each one a single string. */
export type WebQuery = Readonly<Record<string, string | undefined>>;

/**
 * The query of a web API request. These APIs take flat parameters only: a repeated or
 * bracketed parameter (`?before[]=x`, `?q[a]=1`) is refused rather than reaching code that
 * expects a string. The result has no prototype, so `?state=constructor` names nothing.
 */
export function webQuery(request: FastifyRequest): WebQuery {
  const out: Record<string, string | undefined> = Object.create(null);
  for (const [key, value] of Object.entries((request.query as Record<string, unknown> | undefined) ?? {})) {
    if (typeof value !== 'string') throw invalidParameter(`${key} must be given once, as plain text`);
    out[key] = value;
  }
  return out;
}

/**
 * An integer query parameter in [min, max]; `fallback` when absent or empty. Anything else
 * (a fraction, `1e3`, a negative `limit`) is an invalid_parameter error, never a silent default.
 */
export function queryInteger(q: WebQuery, name: string, range: { min: number; max: number; fallback: number }): number {
  const raw = q[name];
  if (raw === undefined || raw === '') return range.fallback;
  if (!/^-?\d{1,16}$/.test(raw)) throw invalidParameter(`${name} must be an integer`);
  const n = Number(raw);
  if (n < range.min || n > range.max) throw invalidParameter(`${name} must be between ${range.min} and ${range.max}`);
  return n;
}

/** A `{time}_{id}` paging cursor as the web APIs hand out; undefined when absent. */
export function timeCursor(q: WebQuery, name: string): { time: number; id: string } | undefined {
  const raw = q[name];
  if (raw === undefined || raw === '') return undefined;
  const match = /^(\d{1,16})_([A-Za-z0-9_-]{1,64})$/.exec(raw);
  if (!match) throw invalidParameter(`${name} must be a cursor from a previous page`);
  return { time: Number(match[1]), id: match[2] };
}
