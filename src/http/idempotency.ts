import { createHash, type Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../db/repositories/idempotency.js';
import { sha256Hex } from '../domain/secrets.js';
import { AppError, formatGraphError, formatScimError, newTraceId } from '../errors.js';
import { extractToken } from '../graph/auth.js';

/** How long a response is kept for its key. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** A key whose first request never finished (the process died) may be used again after this. */
const STALE_CLAIM_MS = 60_000;
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REPLAYED_HEADERS = ['location', 'etag', 'x-app-usage'];

interface Claim {
  body: Hash;
  scope?: string;
  key?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: Claim;
  }
}

const surfaceOf = (url: string) => (url.startsWith('/scim') ? 'scim' : url.startsWith('/graph') ? 'graph' : undefined);

function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  const traceId = newTraceId();
  if (surfaceOf(request.url) === 'scim') {
    const { status, body } = formatScimError(error, request.url.startsWith('/scim/v1') ? '1.1' : '2.0', traceId);
    return reply.code(status).type('application/scim+json').send(JSON.stringify(body));
  }
  return reply.code(error.status).type('application/json; charset=UTF-8').send(JSON.stringify(formatGraphError(error, traceId)));
}

/**
 * `Idempotency-Key` on Graph and SCIM writes: the first request with a key runs and its response
 * is kept for 24 hours; a retry with the same key and the same request (method, path, query and
 * body bytes) gets that response again (with `Idempotent-Replayed: true`) and writes nothing; the
 * same key with a different request is refused. Keys belong to the credentials that sent them and
 * live in the database, so every process sees them.
 */
export function registerIdempotency(app: FastifyInstance, ctx: Context): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (!WRITES.has(request.method) || !surfaceOf(request.url) || request.headers['idempotency-key'] === undefined) return payload;
    const claim: Claim = { body: createHash('sha256') };
    request.idempotency = claim;
    const tee = new Transform({
      transform(chunk, _encoding, done) {
        claim.body.update(chunk as Buffer);
        done(null, chunk);
      },
    });
    (tee as unknown as { receivedEncodedLength?: number }).receivedEncodedLength = (payload as unknown as { receivedEncodedLength?: number }).receivedEncodedLength;
    return payload.pipe(tee);
  });

  app.addHook('preHandler', async (request, reply) => {
    const claim = request.idempotency;
    if (!claim) return;
    const key = String(request.headers['idempotency-key']);
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) return sendError(request, reply, new AppError('invalid_parameter', '(#100) Idempotency-Key must be 1 to 255 printable ASCII characters'));
    const query = request.query as Record<string, unknown> | undefined;
    const body = request.body as Record<string, unknown> | undefined;
    const token = extractToken(request.headers.authorization, query?.access_token ?? (body && typeof body === 'object' ? body.access_token : undefined));
    if (!token) return;
    const scope = sha256Hex(`credentials:${token}`);
    const requestHash = sha256Hex(`${request.method} ${request.url}\n${request.headers['content-type'] ?? ''}\n${claim.body.digest('hex')}`);
    const now = ctx.clock.now();
    let held = await claimIdempotencyKey(ctx.db, { scope, key, request_hash: requestHash, created_time: now }, now - IDEMPOTENCY_TTL_MS);
    if (held && held.status === null && held.created_time < now - STALE_CLAIM_MS) {
      await releaseIdempotencyKey(ctx.db, scope, key);
      held = await claimIdempotencyKey(ctx.db, { scope, key, request_hash: requestHash, created_time: now }, now - IDEMPOTENCY_TTL_MS);
    }
    if (!held) {
      claim.scope = scope;
      claim.key = key;
      return;
    }
    if (held.request_hash !== requestHash) {
      return sendError(request, reply, new AppError('idempotency_key_reused'));
    }
    if (held.status === null) return sendError(request, reply.header('retry-after', '1'), new AppError('idempotency_key_in_progress'));
    reply.code(held.status).headers({ ...(JSON.parse(held.headers ?? '{}') as Record<string, string>), 'idempotent-replayed': 'true' });
    if (held.content_type) reply.type(held.content_type);
    return reply.send(held.body ?? '');
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim?.key || !claim.scope) return payload;
    const { scope, key } = claim;
    claim.key = undefined;
    if (reply.statusCode >= 500 || (payload !== null && payload !== undefined && typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
      await releaseIdempotencyKey(ctx.db, scope, key);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    const contentType = reply.getHeader('content-type');
    await completeIdempotencyKey(ctx.db, scope, key, {
      status: reply.statusCode,
      content_type: contentType === undefined ? null : String(contentType),
      headers: JSON.stringify(headers),
      body: payload === null || payload === undefined ? '' : payload.toString(),
    });
    return payload;
  });

  app.addHook('onError', async (request) => {
    const claim = request.idempotency;
    if (claim?.key && claim.scope) {
      const { scope, key } = claim;
      claim.key = undefined;
      await releaseIdempotencyKey(ctx.db, scope, key).catch(() => undefined);
    }
  });
}
