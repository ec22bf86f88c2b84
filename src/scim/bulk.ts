import { AppError, formatScimError, newTraceId, toAppError } from '../errors.js';
import { bodyObject } from './input.js';
import type { ScimCall, ScimReply } from './request.js';

// POST /Bulk (RFC 7644 §3.7). Each operation runs through the same handler as the plain request
// would, in its own transaction with its own audit events, so the mass-deactivation guard sees
// every deactivation a bulk request makes. `bulkId:x` in a path or anywhere in `data` names the
// resource another operation of the request created; an operation waits for the one it
// references, and references that cannot be satisfied answer 409.

export const BULK_REQUEST_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
/** The most operations one bulk request may carry (announced in ServiceProviderConfig). */
export const MAX_BULK_OPERATIONS = 1000;

type Json = Record<string, unknown>;

/** Finds the handler for a method on `/{resource}[/{id}]`; undefined when there is none. */
export type BulkRouter = (method: string, resource: string, id: string | undefined) => ((call: ScimCall) => Promise<ScimReply> | ScimReply) | undefined;

interface Operation {
  index: number;
  method: string;
  bulkId?: string;
  version?: string;
  path: string;
  data?: unknown;
  /** bulkIds this operation refers to. */
  refs: Set<string>;
}

interface Outcome {
  index: number;
  result: Json;
  failed: boolean;
}

const BULK_REF = /^bulkId:(.+)$/;

function collectRefs(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    const m = BULK_REF.exec(value);
    if (m) into.add(m[1]);
  } else if (Array.isArray(value)) value.forEach((v) => collectRefs(v, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => collectRefs(v, into));
}

function resolveRefs(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === 'string') {
    const m = BULK_REF.exec(value);
    return m && ids.has(m[1]) ? ids.get(m[1]) : value;
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, ids));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, ids)]));
  return value;
}

function operationsOf(body: Json): { operations: Operation[]; failOnErrors: number | undefined } {
  const schemas = body.schemas;
  if (Array.isArray(schemas) && !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === BULK_REQUEST_URN.toLowerCase())) {
    throw new AppError('invalid_syntax', `(#100) A bulk request lists the schema ${BULK_REQUEST_URN}`);
  }
  const keyed = Object.fromEntries(Object.entries(body).map(([k, v]) => [k.toLowerCase(), v]));
  const list = keyed.operations;
  if (!Array.isArray(list)) throw new AppError('invalid_syntax', '(#100) A bulk request needs an "Operations" list');
  if (list.length > MAX_BULK_OPERATIONS) {
    throw new AppError('payload_too_large', `(#100) The bulk request has ${list.length} operations, more than maxOperations (${MAX_BULK_OPERATIONS})`);
  }
  const fail = keyed.failonerrors;
  if (fail !== undefined && fail !== null && !(Number.isSafeInteger(Number(fail)) && Number(fail) >= 1)) {
    throw new AppError('invalid_syntax', '(#100) failOnErrors must be an integer of at least 1');
  }
  const operations = list.map((raw, index): Operation => {
    const o = raw && typeof raw === 'object' && !Array.isArray(raw) ? Object.fromEntries(Object.entries(raw as Json).map(([k, v]) => [k.toLowerCase(), v])) : {};
    const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
    const path = text(o.path) ?? '';
    const refs = new Set<string>();
    collectRefs(path.split('/'), refs);
    collectRefs(o.data, refs);
    return { index, method: (text(o.method) ?? '').toUpperCase(), bulkId: text(o.bulkid), version: text(o.version), path, data: o.data, refs };
  });
  return { operations, failOnErrors: fail === undefined || fail === null ? undefined : Number(fail) };
}

function errorOutcome(op: Operation, error: unknown, call: ScimCall): Outcome {
  const appError = toAppError(error);
  const traceId = newTraceId();
  if (appError.kind === 'internal') call.ctx.log.error({ err: error, traceId }, 'scim bulk operation failed');
  const { status, body } = formatScimError(appError, '2.0', traceId);
  const result: Json = { method: op.method || undefined, bulkId: op.bulkId, status: String(status), response: body };
  return { index: op.index, result, failed: true };
}

async function run(call: ScimCall, router: BulkRouter, op: Operation, ids: Map<string, string>): Promise<Outcome> {
  try {
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(op.method)) throw new AppError('invalid_syntax', `(#100) Operations[${op.index}].method must be POST, PUT, PATCH or DELETE`);
    if (op.method === 'POST' && !op.bulkId) throw new AppError('invalid_syntax', `(#100) Operations[${op.index}] (POST) needs a bulkId`);
    const segments = (resolveRefs(op.path.split('?')[0].split('/'), ids) as string[]).filter(Boolean);
    const [resource = '', id, ...extra] = segments;
    const handler = extra.length ? undefined : router(op.method, resource.toLowerCase(), id);
    if (!handler || (op.method === 'POST') !== (id === undefined)) throw new AppError('invalid_syntax', `(#100) Operations[${op.index}]: no ${op.method} on "${op.path}" (paths are /Users, /Users/{id}, /Groups, /Groups/{id})`);
    const reply = await handler({
      ...call,
      method: op.method,
      id,
      query: {},
      rawQuery: '',
      body: op.method === 'DELETE' ? undefined : resolveRefs(op.data ?? {}, ids),
      ifMatch: op.version,
      ifNoneMatch: undefined,
    });
    const created = reply.body as Json | undefined;
    if (op.method === 'POST' && op.bulkId && typeof created?.id === 'string') ids.set(op.bulkId, created.id);
    const location = reply.headers?.location ?? `${call.base}/${segments.join('/')}`;
    const result: Json = { method: op.method, bulkId: op.bulkId, location, status: String(reply.status) };
    if (reply.headers?.etag) result.version = reply.headers.etag;
    return { index: op.index, result, failed: false };
  } catch (error) {
    return errorOutcome(op, error, call);
  }
}

/** POST /Bulk: runs the operations, each on its own, and answers a BulkResponse. */
export async function bulkRequest(call: ScimCall, router: BulkRouter): Promise<ScimReply> {
  const { operations, failOnErrors } = operationsOf(bodyObject(call.body));
  const declared = new Map<string, Operation>();
  const duplicated = new Set<string>();
  for (const op of operations) {
    if (!op.bulkId) continue;
    if (declared.has(op.bulkId)) duplicated.add(op.bulkId);
    else declared.set(op.bulkId, op);
  }
  const ids = new Map<string, string>();
  const failedIds = new Set<string>();
  const outcomes: Outcome[] = [];
  let errors = 0;
  let pending = operations;
  const conflict = (op: Operation, detail: string) => errorOutcome(op, new AppError('unresolved_reference', `(#100) Operations[${op.index}]: ${detail}`), call);
  while (pending.length && !(failOnErrors !== undefined && errors >= failOnErrors)) {
    const waiting: Operation[] = [];
    let progressed = false;
    for (const op of pending) {
      if (failOnErrors !== undefined && errors >= failOnErrors) break;
      let outcome: Outcome | undefined;
      if (op.bulkId && duplicated.has(op.bulkId)) outcome = errorOutcome(op, new AppError('invalid_syntax', `(#100) bulkId "${op.bulkId}" is used by more than one operation`), call);
      else {
        const refs = [...op.refs];
        const undeclared = refs.find((r) => !declared.has(r) || declared.get(r) === op);
        const failedRef = refs.find((r) => failedIds.has(r));
        if (undeclared) outcome = errorOutcome(op, new AppError('invalid_parameter', `(#100) Operations[${op.index}] refers to bulkId "${undeclared}", which no other operation of this request creates`), call);
        else if (failedRef) outcome = conflict(op, `the operation that creates bulkId "${failedRef}" failed`);
        else if (refs.some((r) => !ids.has(r))) {
          waiting.push(op);
          continue;
        } else outcome = await run(call, router, op, ids);
      }
      progressed = true;
      outcomes.push(outcome);
      if (outcome.failed) {
        errors++;
        if (op.bulkId) failedIds.add(op.bulkId);
      }
    }
    if (!progressed) {
      for (const op of waiting) {
        if (failOnErrors !== undefined && errors >= failOnErrors) break;
        outcomes.push(conflict(op, `circular bulkId references (${[...op.refs].join(', ')}) cannot be resolved`));
        errors++;
      }
      break;
    }
    pending = waiting;
  }
  outcomes.sort((a, b) => a.index - b.index);
  return { status: 200, body: { schemas: [BULK_RESPONSE_URN], Operations: outcomes.map((o) => o.result) } };
}
