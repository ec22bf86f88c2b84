import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { authenticate, extractToken, type RateLimits, type UsageRecorder } from '../graph/auth.js';
import { AppError, formatScimError, newTraceId, toAppError } from '../errors.js';
import { authorizeScim } from '../policies/scim.js';
import { type BulkRouter, bulkRequest } from './bulk.js';
import { parseExactJson } from '../http/json.js';
import { ListCursors } from './cursors.js';
import { resourceTypesReply, schemasReply, serviceProviderConfig } from './discovery.js';
import { createGroup, deleteGroup, getGroup, listGroups, patchGroupResource, replaceGroup, searchGroups } from './groups.js';
import { linkBase, publicBase } from '../http/links.js';
import { BODY_LIMIT_BYTES, type ScimCall, type ScimMount, type ScimReply } from './request.js';
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser, searchUsers } from './users.js';

// The SCIM surface under /scim (Workplace's 2.0), /scim/v2 (RFC 2.0) and /scim/v1 (legacy
// 1.x): one catch-all route that reads bodies as JSON whatever their Content-Type (or none),
// routes case-insensitively, authenticates the Bearer token, and answers SCIM's Error schema
// for every failure — never a 500 for bad input.

type Handler = (call: ScimCall) => Promise<ScimReply> | ScimReply;

interface Routed {
  mount: ScimMount;
  resource: string;
  id: string | undefined;
  extra: string[];
}

/** Services the SCIM surface shares with Graph: request budget and usage counts. */
export interface ScimServices {
  limits: RateLimits;
  usage: UsageRecorder;
}

function route(url: string): Routed {
  const path = url.split('?')[0].replace(/^\/+scim/i, '');
  const segments = path.split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  let mount: ScimMount = 'workplace';
  if (segments[0] && /^v[12]$/i.test(segments[0])) mount = segments.shift()!.toLowerCase() as ScimMount;
  return { mount, resource: (segments[0] ?? '').toLowerCase(), id: segments[1], extra: segments.slice(2) };
}

const notFound = (method: string, path: string) => new AppError('unknown_path', `No SCIM endpoint for ${method} ${path}`);

const userItem: Record<string, Handler> = { GET: getUser, PUT: replaceUser, PATCH: patchUser, DELETE: deleteUser };
const groupItem: Record<string, Handler> = { GET: getGroup, PUT: replaceGroup, PATCH: patchGroupResource, DELETE: deleteGroup };

function handlerFor(method: string, r: Routed): { handler: Handler; public?: true } | undefined {
  if (r.extra.length) return undefined;
  const isSearch = r.id?.toLowerCase() === '.search';
  const collection = (list: Handler, create: Handler, search: Handler, item: Record<string, Handler>) => {
    if (isSearch) return method === 'POST' ? { handler: search } : undefined;
    if (!r.id) return method === 'GET' ? { handler: list } : method === 'POST' ? { handler: create } : undefined;
    return item[method] ? { handler: item[method] } : undefined;
  };
  switch (r.resource) {
    case 'users':
      return collection(listUsers, createUser, searchUsers, userItem);
    case 'groups':
      return collection(listGroups, createGroup, searchGroups, groupItem);
    case 'bulk':
      return method === 'POST' && !r.id && r.mount !== 'v1' ? { handler: (call) => bulkRequest(call, bulkRouter) } : undefined;
    case 'serviceproviderconfig':
    case 'serviceproviderconfigs':
    case 'serviceconfiguration':
      return method === 'GET' && !r.id ? { handler: serviceProviderConfig, public: true } : undefined;
    case 'resourcetypes':
      return method === 'GET' ? { handler: (call) => resourceTypesReply(call, r.id), public: true } : undefined;
    case 'schemas':
      return method === 'GET' ? { handler: (call) => schemasReply(call, r.id), public: true } : undefined;
    default:
      return undefined;
  }
}

/** What a bulk operation may do: the Users and Groups endpoints, never discovery or Bulk itself. */
const bulkRouter: BulkRouter = (method, resource, id) =>
  resource === 'users' || resource === 'groups' ? handlerFor(method, { mount: 'v2', resource, id, extra: [] })?.handler : undefined;

/** Parses a JSON body, keeping long integers (ids sent as numbers) as their exact digits. */
export function parseScimJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return parseExactJson(text);
  } catch {
    throw new AppError('invalid_syntax', '(#100) The request body is not valid JSON');
  }
}

/**
 * `/scim/v2/` always answers application/scim+json (RFC 7644 §3.1); Workplace's `/scim/` gives
 * plain JSON to a client that asks only for it; 1.x answers application/json.
 */
function contentType(request: FastifyRequest, mount: ScimMount): string {
  if (mount === 'v1') return 'application/json; charset=utf-8';
  if (mount === 'v2') return 'application/scim+json; charset=utf-8';
  const accept = (request.headers.accept ?? '').toLowerCase();
  if (accept.includes('application/json') && !accept.includes('application/scim+json')) return 'application/json; charset=utf-8';
  return 'application/scim+json; charset=utf-8';
}

function sendError(ctx: Context, request: FastifyRequest, reply: FastifyReply, mount: ScimMount, error: unknown): FastifyReply {
  const appError = toAppError(error);
  const traceId = newTraceId();
  if (appError.kind === 'internal') ctx.log.error({ err: error, traceId }, 'scim request failed');
  const { status, body } = formatScimError(appError, mount === 'v1' ? '1.1' : '2.0', traceId);
  if (typeof appError.details?.retryAfter === 'number') reply.header('retry-after', String(appError.details.retryAfter));
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="scim"');
  return reply.code(status).type(contentType(request, mount)).send(JSON.stringify(body));
}

export async function registerScim(app: FastifyInstance, ctx: Context, services: ScimServices): Promise<void> {
  const cursors = new ListCursors();
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, (_request, body, done) => done(null, body));
    scope.setErrorHandler((error, request, reply) => sendError(ctx, request, reply, route(request.url).mount, error));

    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      const r = route(request.raw.url ?? request.url);
      try {
        const method = request.method.toUpperCase();
        const found = handlerFor(method, r);
        if (!found) throw notFound(method, (request.raw.url ?? '').split('?')[0]);
        const base = `${publicBase(ctx.config, request)}/scim${r.mount === 'workplace' ? '' : `/${r.mount}`}`;
        const rawUrl = request.raw.url ?? '';
        const call: ScimCall = {
          ctx,
          actor: undefined as never,
          flavour: r.mount === 'v1' ? '1.1' : '2.0',
          mount: r.mount,
          base,
          linkBase: linkBase(ctx.config, request),
          method,
          id: r.id,
          query: (request.query as Record<string, unknown>) ?? {},
          rawQuery: rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '',
          body: undefined,
          ifMatch: request.headers['if-match'],
          ifNoneMatch: request.headers['if-none-match'],
          cursors,
        };
        if (!found.public) {
          const token = extractToken(request.headers.authorization, undefined);
          const proof = (name: string) => (typeof call.query[name] === 'string' ? (call.query[name] as string) : undefined);
          call.actor = await authenticate(ctx, token, { appsecret_proof: proof('appsecret_proof'), appsecret_time: proof('appsecret_time') });
          await services.limits.consume(call.actor.appId);
          services.usage.record(call.actor.appId);
          authorizeScim(call.actor);
        }
        call.body = typeof request.body === 'string' ? parseScimJson(request.body) : request.body;
        const result = await found.handler(call);
        reply.code(result.status).headers(result.headers ?? {});
        if (result.body === undefined) return reply.send();
        return reply.type(contentType(request, r.mount)).send(JSON.stringify(result.body));
      } catch (error) {
        return sendError(ctx, request, reply, r.mount, error);
      }
    };
    for (const url of ['/scim', '/scim/*']) scope.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url, handler: handle });
  });
}
