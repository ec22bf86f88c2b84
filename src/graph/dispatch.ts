import { transact } from '../domain/commands/shared.js';
import { emptyMediaTrash } from '../media/trash.js';
import type { Context } from '../context.js';
import { AppError, formatGraphError, invalidParameter, newTraceId, toAppError } from '../errors.js';
import { authenticate, extractToken, type ProofParams, type RateLimits, type UsageRecorder } from './auth.js';
import { RequestBudget } from './budget.js';
import { parseFields } from './fields.js';
import { Params } from './params.js';
import { registry } from './nodes/index.js';
import { graphOpenApi } from './openapi.js';
import { authorizeRead, listEdge, presentable, readNode } from './read.js';
import { DEFAULT_LIMIT, edgeOf, renderRows } from './render.js';
import { type GraphHandler, type GraphMethod, type GraphRequest, RawReply } from './request.js';
import { resolveNode } from './resolve.js';

/** One Graph call as it arrives over HTTP or inside a batch. */
export interface GraphCall {
  method: string;
  /** The path after /graph, with or without a version prefix. */
  path: string;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  authorization?: string;
  /** Absolute base URLs for links (from PUBLIC_URL or the request). */
  publicBase: string;
  /** Trusted base for links that leave the server, or null (http/links.ts). */
  linkBase: string | null;
  /** Token of the enclosing batch, used when an item carries none. */
  fallbackToken?: string;
  /** The enclosing batch's appsecret_proof (and time), for items that use its token. */
  fallbackProof?: ProofParams;
  /** The HTTP request's cost budget, shared by the items of a batch; its creator calls finish(). */
  budget: RequestBudget;
}

export interface GraphReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface GraphServices {
  usage: UsageRecorder;
  limits: RateLimits;
}

/** Splits a Graph path into segments: drops empty ones (doubled slashes) and a `vNN.N` prefix. */
export function pathSegments(path: string): string[] {
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw invalidParameter(`Malformed path segment ${s}`);
      }
    });
  if (segments.length && /^v\d+(\.\d+)?$/.test(segments[0])) segments.shift();
  return segments;
}

function methodOf(call: GraphCall, params: Params): GraphMethod {
  let method = call.method.toUpperCase();
  const override = params.string('method');
  if (override && (method === 'GET' || method === 'POST')) method = override.toUpperCase();
  if (method === 'PUT') method = 'POST';
  if (method !== 'GET' && method !== 'POST' && method !== 'DELETE') throw invalidParameter(`Unsupported method ${method}`);
  return method;
}

const unknownPath = (segments: string[]) => new AppError('unknown_path', `Unknown path components: /${segments.slice(1).join('/')}`);

/** The handler for a node, edge and method: a route of the registry, else the generic read of the node or of one of its edges. */
function handlerFor(node: GraphRequest['node'], edge: string | undefined, subId: string | undefined, method: GraphMethod): GraphHandler | undefined {
  const route = registry.route(node.type, edge ?? null, method);
  if (route) return subId === undefined || route.subId ? route.handler : undefined;
  const type = registry.node(node.type)?.type;
  if (method !== 'GET' || subId !== undefined || !type) return undefined;
  if (edge === undefined) return readNode;
  return edgeOf(type, edge) ? listEdge : undefined;
}

/** Runs one Graph call and formats its answer, errors included. Never throws. */
export async function dispatch(ctx: Context, services: GraphServices, call: GraphCall, batchRunner?: (ctx: Context, call: GraphCall, params: Params) => Promise<unknown>): Promise<GraphReply> {
  const headers: Record<string, string> = {};
  try {
    const params = Params.merge(call.query, call.body);
    const method = methodOf(call, params);
    const segments = pathSegments(call.path);
    const own = extractToken(call.authorization, params.values.access_token);
    const token = own ?? call.fallbackToken;
    const proof = { appsecret_proof: params.string('appsecret_proof'), appsecret_time: params.string('appsecret_time') };
    if (segments.length === 1 && segments[0] === 'openapi.json' && method === 'GET') {
      return { status: 200, headers, body: graphOpenApi(registry, `${call.publicBase}/graph`) };
    }
    if (segments.length === 0 && method === 'POST' && params.has('batch') && batchRunner) {
      return { status: 200, headers, body: await batchRunner(ctx, { ...call, fallbackToken: token, fallbackProof: proof }, params) };
    }
    const actor = await authenticate(ctx, token, own === undefined && !proof.appsecret_proof && call.fallbackProof ? call.fallbackProof : proof);
    const usage = await services.limits.consume(actor.appId);
    if (usage) headers['x-app-usage'] = usage;
    services.usage.record(actor.appId);
    // A list is never a field selection: Messenger's DELETE /me/messenger_profile sends {"fields": [...]} as an argument.
    const fieldsParam = Array.isArray(params.values.fields) ? undefined : params.string('fields');
    const fields = fieldsParam === undefined ? undefined : parseFields(fieldsParam);
    const budget = call.budget;
    budget.checkShape(fields, topRows(ctx, segments, params), ctx.config.maxPageSize);
    const rowsBefore = budget.rowsRendered;
    const carry: Record<string, string> = {};
    if (typeof params.values.access_token === 'string') carry.access_token = params.values.access_token;
    const presentation = { ctx, actor, graphBase: `${call.publicBase}/graph`, publicBase: call.publicBase, carry, registry, budget };
    if (segments.length === 0) {
      if (method !== 'GET' || !params.has('ids')) throw invalidParameter('Unsupported request: give ids= to read several objects, or batch= to run several calls');
      return { status: 200, headers, body: await readMany(ctx, actor, params, fields, presentation) };
    }
    if (segments.length > 3) throw unknownPath(segments);
    const [segment, edge, subId] = segments;
    const node = await resolveNode(ctx, registry, actor, segment, method.toLowerCase());
    const handler = handlerFor(node, edge, subId, method);
    if (!handler) {
      if (edge) throw unknownPath(segments);
      throw new AppError('unknown_object', `Unsupported ${method.toLowerCase()} request. Object with ID '${segment}' does not support this operation.`);
    }
    const req: GraphRequest = {
      ctx,
      actor,
      method,
      params,
      node,
      segment,
      edge,
      subId,
      path: segments.join('/'),
      linkBase: call.linkBase,
      presentation,
      fields,
      write: async (fn) => {
        const result = await transact(ctx, actor, fn);
        // Files of content the write deleted leave the store now (housekeeping retries any that fail).
        await emptyMediaTrash(ctx).catch((error) => ctx.log.warn({ err: error }, 'emptying the media trash failed'));
        return result;
      },
    };
    const result = await handler(req);
    await services.limits.charge(actor.appId, RequestBudget.extraPoints(budget.rowsRendered - rowsBefore));
    if (result instanceof RawReply) return { status: result.status, headers: { ...headers, ...result.headers }, body: result.body };
    return { status: 200, headers, body: result };
  } catch (error) {
    const appError = toAppError(error);
    const traceId = newTraceId();
    if (appError.kind === 'internal') ctx.log.error({ err: error, traceId }, 'graph request failed');
    if (appError.details?.retryAfter) headers['retry-after'] = String(appError.details.retryAfter);
    if (typeof appError.details?.usage === 'string') headers['x-app-usage'] = appError.details.usage;
    if (appError.kind === 'invalid_token' || appError.kind === 'missing_token') headers['www-authenticate'] = 'OAuth "Facebook Platform" "invalid_token"';
    return { status: appError.status, headers, body: formatGraphError(appError, traceId) };
  }
}

/** How many objects a call's answer starts from, at most: a page of a list, the ids asked for, or one. */
function topRows(ctx: Context, segments: string[], params: Params): number {
  if (segments.length === 0) return params.list('ids')?.length ?? 1;
  if (segments.length === 1) return 1;
  const limit = params.string('limit');
  return limit !== undefined && /^\d+$/.test(limit.trim()) ? Math.min(Number(limit), ctx.config.maxPageSize) : DEFAULT_LIMIT;
}

/** GET /?ids=a,b&fields=…: an object keyed by the ids as the caller wrote them. */
async function readMany(ctx: Context, actor: GraphRequest['actor'], params: Params, fields: GraphRequest['fields'], presentation: GraphRequest['presentation']) {
  const ids = params.list('ids') ?? [];
  if (ids.length === 0) throw invalidParameter('Param ids is empty');
  if (ids.length > 50) throw invalidParameter('Param ids takes at most 50 ids');
  const out: Record<string, unknown> = {};
  for (const id of ids) {
    let node;
    try {
      node = await resolveNode(ctx, registry, actor, id);
      authorizeRead(registry, actor, node, id);
    } catch (error) {
      if (error instanceof AppError && error.kind === 'unknown_object') {
        throw new AppError(id.includes('@') ? 'unknown_alias' : 'unknown_object', `(#${id.includes('@') ? 803 : 100}) Some of the aliases you requested do not exist: ${id}`);
      }
      throw error;
    }
    const { type, row } = presentable(registry, node);
    [out[id]] = await renderRows(presentation, type, [row], fields);
  }
  return out;
}

