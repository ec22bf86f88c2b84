import type { Context } from '../context.js';
import type { Db } from '../db/database.js';
import type { AppActor, IntegrationActor } from '../domain/actor.js';
import { type IdentifierRules, withAccountGuard } from '../domain/commands/account.js';
import { transact, type Write } from '../domain/commands/shared.js';
import { AppError, invalidParameter } from '../errors.js';
import type { ScimFlavour } from '../presenters/scimSchemas.js';
import { etagOf, type ScimPresentation } from '../presenters/scimUser.js';
import type { ListPosition } from '../domain/accountQuery.js';
import type { ListCursors } from './cursors.js';

/** Where a SCIM request came in: Workplace's 2.0 (`/scim/`), RFC 2.0 (`/scim/v2/`) or legacy 1.x (`/scim/v1/`). */
export type ScimMount = 'workplace' | 'v2' | 'v1';

/** One SCIM call after routing. */
export interface ScimCall {
  ctx: Context;
  /** The integration; absent on the public discovery endpoints. */
  actor: IntegrationActor | AppActor;
  flavour: ScimFlavour;
  mount: ScimMount;
  /** Absolute base of this mount, e.g. http://host/scim/v2. */
  base: string;
  /** Trusted base for claim links, or null (http/links.ts). */
  linkBase: string | null;
  method: string;
  /** The resource id segment (`/Users/{id}`), when there is one. */
  id: string | undefined;
  query: Record<string, unknown>;
  rawQuery: string;
  body: unknown;
  ifMatch: string | undefined;
  ifNoneMatch: string | undefined;
  cursors: ListCursors;
}

export interface ScimReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const DEFAULT_COUNT = 100;
/** The largest request body SCIM accepts (413 beyond). */
export const BODY_LIMIT_BYTES = 1024 * 1024;
export const MAX_COUNT = 1000;

/** `/scim/v2/` follows RFC 7643's identifier rules; `/scim/` and `/scim/v1/` keep Workplace's. */
export function rulesOf(call: ScimCall): IdentifierRules {
  return call.mount === 'v2' ? 'rfc7643' : 'workplace';
}

export function presentation(call: ScimCall, db: Db = call.ctx.db, flavour: ScimFlavour = call.flavour): ScimPresentation {
  return { ctx: call.ctx, db, flavour, base: call.base, linkBase: call.linkBase };
}

/** Runs a write in one transaction; a mass-deactivation refusal still leaves its audit event. */
export function write<T>(call: ScimCall, fn: (w: Write) => Promise<T>): Promise<T> {
  const { ctx, actor } = call;
  return withAccountGuard(ctx, actor, () => transact(ctx, actor, fn));
}

const bare = (tag: string) => tag.trim().replace(/^W\//i, '');

/** Refuses a change when If-Match names another version (412). */
export function checkIfMatch(call: ScimCall, updatedTime: number): void {
  if (!call.ifMatch) return;
  const current = bare(etagOf(updatedTime));
  const tags = call.ifMatch.split(',').map(bare);
  if (!tags.includes('*') && !tags.includes(current)) {
    throw new AppError('precondition_failed', `(#100) The resource changed: its version is ${etagOf(updatedTime)}, not ${call.ifMatch}`);
  }
}

/** True when If-None-Match names the current version (GET answers 304). */
export function notModified(call: ScimCall, updatedTime: number): boolean {
  if (!call.ifNoneMatch) return false;
  const current = bare(etagOf(updatedTime));
  return call.ifNoneMatch.split(',').map(bare).some((t) => t === current || t === '*');
}

/** An integer query or body parameter. */
export function integerParam(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw invalidParameter(`${name} must be an integer`);
  return n;
}

/** RFC 7644 §3.4.2.4: startIndex below 1 means 1; count below 0 means 0; count is capped. */
export function paging(startIndex: unknown, count: unknown): { startIndex: number; count: number } {
  const start = integerParam(startIndex, 'startIndex') ?? 1;
  const n = integerParam(count, 'count') ?? DEFAULT_COUNT;
  return { startIndex: Math.max(1, start), count: Math.min(MAX_COUNT, Math.max(0, n)) };
}

/** A string parameter (first value when repeated). */
export function stringParam(value: unknown): string | undefined {
  if (Array.isArray(value)) return stringParam(value[0]);
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function sortOrderParam(value: unknown): boolean {
  const v = stringParam(value)?.toLowerCase();
  if (v === undefined || v === 'ascending') return false;
  if (v === 'descending') return true;
  throw invalidParameter('sortOrder must be ascending or descending');
}

/** The ListResponse envelope of either flavour. */
export function listResponse(listUrn: string, total: number, startIndex: number, resources: unknown[]) {
  return { schemas: [listUrn], totalResults: total, itemsPerPage: resources.length, startIndex, Resources: resources };
}

/**
 * One page of a list: read from the nearest remembered page end at or before `startIndex`
 * (keyset), and its own end remembered for the next page.
 */
export async function listPage<Row extends { id: string; sort_key?: ListPosition['sortKey'] }>(
  call: ScimCall,
  list: { name: 'users' | 'groups'; filter: string | undefined; sort: string },
  startIndex: number,
  count: number,
  load: (request: { offset: number; limit: number; after?: ListPosition }) => Promise<Row[]>,
): Promise<Row[]> {
  if (count === 0) return [];
  const from = call.cursors.nearest(list.name, list.filter, list.sort, startIndex);
  const rows = await load({ offset: startIndex - (from?.startIndex ?? 1), limit: count, after: from?.after });
  const last = rows[rows.length - 1];
  if (last && rows.length === count) call.cursors.remember(list.name, list.filter, list.sort, startIndex + count, { id: last.id, sortKey: last.sort_key });
  return rows;
}
