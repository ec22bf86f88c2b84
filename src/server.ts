import multipart from '@fastify/multipart';
import type { Readable } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { registerAdminApi } from './admin/routes.js';
import { registerHookRoutes } from './automation/routes.js';
import { AutomationWorker } from './automation/worker.js';
import type { Context } from './context.js';
import { databaseReachable } from './db/database.js';
import { findMediaByIds } from './db/repositories/media.js';
import { migrationsCurrent } from './db/migrations.js';
import { registerGroupFileDownloads } from './http/groupFiles.js';
import { registerMemberGroupContentApi } from './member/groupContent.js';
import { bufferPart, isSpooledFile, largestUpload, removeSpools, type SpooledFile, spoolPart, uploadKindOf } from './http/uploads.js';
import { safeEqual } from './domain/secrets.js';
import { AppError, formatGraphError, newTraceId, toAppError } from './errors.js';
import { RateLimits, UsageRecorder } from './graph/auth.js';
import { batchRunner } from './graph/batch.js';
import { RequestBudget } from './graph/budget.js';
import { dispatch, type GraphServices } from './graph/dispatch.js';
import { type UploadedFile, parseJsonBody, parseQueryString, sniffBody } from './graph/params.js';
import { isLoopbackAddress, linkBase, publicBase } from './http/links.js';
import { startHousekeeping } from './housekeeping.js';
import { registerIdempotency } from './http/idempotency.js';
import { Metrics, surfaceOf } from './http/metrics.js';
import { defaultSender, MailDelivery } from './mail/delivery.js';
import { registerScim } from './scim/plugin.js';
import { WebhookWorker } from './webhooks/worker.js';
import { registerExportDownloads } from './exports/download.js';
import { mediaCacheControl, registerResizedPictures } from './http/resizedPictures.js';
import { ExportRunner } from './exports/runner.js';
import { LinkUnfurler } from './linkPreviews/unfurler.js';
import { registerMemberApi } from './chat/memberApi.js';
import { registerWebApps } from './web/assets.js';
import { memberSessionAuth } from './member/auth.js';
import { registerMemberEvents } from './member/events.js';
import { registerMemberAppApi } from './member/routes.js';
import { registerMemberCommunityApi } from './member/community.js';
import { registerMemberPictureApi } from './member/profilePicture.js';
import { registerMemberKnowledgeApi } from './member/knowledge.js';
import { registerMemberEventsApi } from './member/groupEvents.js';

export interface Server {
  app: FastifyInstance;
  services: GraphServices;
  /** The webhook delivery worker (started unless COMMONPLACE_WEBHOOK_WORKER=0). */
  webhooks: WebhookWorker;
  /** Feed polling and the membership rule schedule (started unless COMMONPLACE_AUTOMATION_WORKER=0). */
  automation: AutomationWorker;
  /** The background data export runner. */
  exports: ExportRunner;
  unfurler: LinkUnfurler;
  /** Sends the mail outbox when SMTP_URL is set. */
  mail: MailDelivery | undefined;
  metrics: Metrics;
  /** Makes /readyz answer 503 so load balancers stop sending before the port closes. */
  drain(): void;
  close(): Promise<void>;
}

type MultipartPart = { type: 'file' | 'field'; fieldname: string; filename?: string; mimetype?: string; value?: unknown };

/**
 * Turns @fastify/multipart's attached parts into plain values and uploaded files. Text fields go
 * through the same query-string parser as form bodies, so bracket notation nests the same way.
 */
function flattenMultipart(body: Record<string, unknown>): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  const fields = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) {
    for (const part of (Array.isArray(value) ? value : [value]) as MultipartPart[]) {
      if (part.type === 'file') {
        const file: UploadedFile | SpooledFile = isSpooledFile(part.value)
          ? part.value
          : { filename: part.filename ?? 'upload', mimetype: part.mimetype ?? 'application/octet-stream', data: part.value as Buffer };
        files[key] = file;
      } else fields.append(key, String(part.value ?? ''));
    }
  }
  return { ...parseQueryString(fields.toString()), ...files };
}

/** Reads a body that arrived on a GET (fastify parses bodies only for other methods). */
async function getBody(request: FastifyRequest): Promise<Record<string, unknown>> {
  const length = Number(request.headers['content-length'] ?? 0);
  if (!length && !request.headers['transfer-encoding']) return {};
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > 4 * 1024 * 1024) throw new AppError('payload_too_large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = String(request.headers['content-type'] ?? '');
  if (type.includes('json')) return parseJsonBody(text);
  if (type.includes('x-www-form-urlencoded')) return parseQueryString(text);
  return sniffBody(text);
}

function bodyObject(request: FastifyRequest): Record<string, unknown> {
  const body = request.body as unknown;
  if (body === undefined || body === null) return {};
  if (typeof body === 'string') return sniffBody(body);
  if (request.isMultipart()) return flattenMultipart(body as Record<string, unknown>);
  if (typeof body !== 'object' || Array.isArray(body)) return {};
  return body as Record<string, unknown>;
}

const SILHOUETTE = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 50 50"><rect width="50" height="50" fill="#c9ccd1"/><circle cx="25" cy="19" r="9" fill="#fff"/><path d="M8 46c2-10 9-15 17-15s15 5 17 15z" fill="#fff"/></svg>`;
const GROUP_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#4267b2"/><circle cx="11" cy="13" r="4" fill="#fff"/><circle cx="21" cy="13" r="4" fill="#fff"/><path d="M4 26c1-5 4-7 7-7s6 2 7 7zM14 26c1-5 4-7 7-7s6 2 7 7z" fill="#fff"/></svg>`;
const POST_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#4267b2"/><path d="M4 4h8v1.5H4zM4 7h8v1.5H4zM4 10h5v1.5H4z" fill="#fff"/></svg>`;

const FILE_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><path d="M14 4h26l12 12v44H14z" fill="#e4e6eb"/><path d="M40 4v12h12z" fill="#bcc0c4"/><path d="M22 30h20v3H22zM22 38h20v3H22zM22 46h14v3H22z" fill="#65676b"/></svg>`;

const DOC_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#4267b2"/><path d="M9 6h10l5 5v15H9z" fill="#fff"/><path d="M12 15h9v1.5h-9zM12 19h9v1.5h-9zM12 23h6v1.5h-6z" fill="#4267b2"/></svg>`;

const VIDEO_NO_THUMBNAIL = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 90"><title>No thumbnail was made for this video</title><rect width="160" height="90" fill="#1c1e21"/><circle cx="80" cy="45" r="20" fill="#fff" opacity=".85"/><path d="M74 35v20l17-10z" fill="#1c1e21"/></svg>`;

let requestCounter = 0;

const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

export async function buildServer(ctx: Context): Promise<Server> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 4 * 1024 * 1024,
    // A hop count trusts that many proxies in front of us (what fastify does with a number at run time).
    trustProxy: typeof ctx.config.trustProxy === 'number' ? trustHops(ctx.config.trustProxy) : ctx.config.trustProxy,
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true, maxParamLength: 1000, querystringParser: (text: string) => parseQueryString(text) },
    return503OnClosing: true,
    genReqId: () => `r${(requestCounter++).toString(36)}`,
    // Errors fastify raises before routing (a bad percent-escape in the URL) get the Graph error shape.
    frameworkErrors: (error, _request, reply) => {
      const appError = new AppError('invalid_parameter', `(#100) Malformed request: ${error.message}`);
      (reply as FastifyReply).code(appError.status).send(formatGraphError(appError, newTraceId()));
    },
  });
  const metrics = new Metrics();
  const services: GraphServices = { usage: new UsageRecorder(ctx), limits: new RateLimits(ctx, ctx.config.rateLimitPerMinute) };
  services.usage.start();
  const runBatch = batchRunner(services);
  await ctx.bus.listen();
  const webhooks = new WebhookWorker(ctx);
  if (ctx.config.webhookWorker) await webhooks.start();
  const automation = new AutomationWorker(ctx);
  if (ctx.config.automationWorker) automation.start();
  const exports = new ExportRunner(ctx);
  exports.start();
  const unfurler = new LinkUnfurler(ctx);
  unfurler.start();
  const mail = ctx.config.smtpUrl ? new MailDelivery(ctx, { smtpUrl: ctx.config.smtpUrl, from: ctx.config.mailFrom ?? defaultSender(ctx.config.publicUrl) }) : undefined;
  mail?.start();
  const housekeeping = startHousekeeping(ctx);
  let draining = false;
  // Webhook events and export jobs wake their workers through the bus when they commit; a write
  // request may have queued mail or link previews.
  app.addHook('onResponse', async (request) => {
    await removeSpools(request);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      unfurler.nudge();
      mail?.nudge();
    }
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, parseQueryString(body as string)));
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  await app.register(multipart, {
    attachFieldsToBody: true,
    // The parser's hard stop sits one byte past the largest limit, so the per-kind check speaks first.
    limits: { fileSize: largestUpload(ctx.config.uploadLimits) + 1, files: 10, fields: 200 },
    // Large kinds (group files) are spooled to disk as they arrive; the rest are small and buffered.
    async onFile(this: FastifyRequest, part: { file: Readable; filename?: string; mimetype?: string; value?: unknown }) {
      const kind = uploadKindOf(this.url);
      const limit = ctx.config.uploadLimits[kind];
      part.value = kind === 'photo' ? await bufferPart(part, kind, limit) : await spoolPart(this, ctx.config, part, kind, limit);
    },
  } as never);

  registerIdempotency(app, ctx);

  app.addHook('onResponse', async (request, reply) => {
    const surface = surfaceOf(request.url);
    metrics.requests.inc({ surface, method: request.method, status: `${Math.floor(reply.statusCode / 100)}xx` });
    metrics.duration.observe({ surface }, reply.elapsedTime / 1000);
    if (ctx.log.isLevelEnabled('debug')) request.log.debug({ req: request.raw, res: reply.raw, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request completed');
  });

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('x-content-type-options')) reply.header('x-content-type-options', 'nosniff');
  });

  // Graph and SCIM are called from browsers with bearer tokens: open CORS (no cookies involved).
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/graph') && !request.url.startsWith('/scim')) return;
    reply.header('access-control-allow-origin', '*');
    reply.header('access-control-expose-headers', 'x-app-usage, retry-after, www-authenticate, location, etag');
    if (request.method === 'OPTIONS') {
      reply
        .header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS')
        .header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? 'authorization, content-type')
        .header('access-control-max-age', '86400')
        .code(204)
        .send();
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.kind === 'internal' && request.isMultipart()) {
      request.log.warn({ err: error }, 'malformed multipart body');
      const bad = new AppError('invalid_parameter', '(#100) The multipart body could not be read');
      return reply.code(bad.status).send(formatGraphError(bad, newTraceId()));
    }
    const traceId = newTraceId();
    if (appError.kind === 'internal') request.log.error({ err: error, traceId }, 'request failed');
    reply.code(appError.status).send(formatGraphError(appError, traceId));
  });

  const graph = async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.raw.url ?? '/graph';
    const path = raw.split('?')[0].replace(/^\/+graph/, '');
    let body: Record<string, unknown>;
    try {
      body = request.method === 'GET' ? await getBody(request) : bodyObject(request);
    } catch (error) {
      const appError = toAppError(error);
      return reply.code(appError.status).send(formatGraphError(appError, newTraceId()));
    }
    const budget = new RequestBudget(ctx.config.requestMaxRows);
    const result = await dispatch(
      ctx,
      services,
      {
        budget,
        method: request.method,
        path,
        query: (request.query as Record<string, unknown>) ?? {},
        body,
        authorization: request.headers.authorization,
        publicBase: publicBase(ctx.config, request),
        linkBase: linkBase(ctx.config, request),
      },
      runBatch,
    ).finally(() => budget.finish());
    reply.code(result.status).headers(result.headers);
    if (result.status >= 300 && result.status < 400) return reply.send();
    const text = JSON.stringify(result.body);
    try {
      budget.checkAnswer(text.length);
    } catch (error) {
      const appError = toAppError(error);
      return reply.code(appError.status).type('application/json; charset=UTF-8').send(JSON.stringify(formatGraphError(appError, newTraceId())));
    }
    return reply.type('application/json; charset=UTF-8').send(text);
  };
  app.all('/graph', graph);
  app.all('/graph/*', graph);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (draining) return reply.code(503).send({ status: 'stopping' });
    const reachable = await databaseReachable(ctx.db);
    const current = reachable && (await migrationsCurrent(ctx.db, ctx.schema).catch(() => false));
    reply.code(reachable && current ? 200 : 503);
    return { status: reachable && current ? 'ready' : 'not ready', database: reachable ? 'reachable' : 'unreachable', migrations: current ? 'current' : 'pending' };
  });
  // With COMMONPLACE_METRICS_TOKEN, anyone with the token; without it, only clients on this machine.
  app.get('/metrics', async (request, reply) => {
    if (ctx.config.metricsToken) {
      const given = (request.headers.authorization ?? '').replace(/^bearer\s+/i, '');
      if (!safeEqual(given, ctx.config.metricsToken)) return reply.code(401).send({ error: { code: 'not_authenticated', message: 'Give the metrics token as a Bearer token.' } });
    } else if (!isLoopbackAddress(request.ip)) {
      return reply.code(403).send({ error: { code: 'action_not_allowed', message: 'Metrics are served to this machine only; set COMMONPLACE_METRICS_TOKEN to scrape them from elsewhere.' } });
    }
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  app.get('/media/silhouette.svg', async (_request, reply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(SILHOUETTE));
  app.get('/media/group-icon.svg', async (_request, reply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(GROUP_ICON));
  app.get('/media/post-icon.svg', async (_request, reply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(POST_ICON));
  app.get('/media/doc-icon.svg', async (_request, reply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(DOC_ICON));
  app.get('/media/video-no-thumbnail.svg', async (_request, reply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(VIDEO_NO_THUMBNAIL));
  app.get('/media/file-icon.svg', async (_request, reply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(FILE_ICON));
  app.get('/media/:id/:file', async (request, reply) => {
    const { id } = request.params as { id: string };
    const { ext, hash } = request.query as Record<string, unknown>;
    if (!(await ctx.mediaLinks.verify(`media:${id}`, ext, hash))) return reply.code(404).send({ error: { code: 'not_found', message: 'No such media, or the link expired' } });
    const [media] = await findMediaByIds(ctx.db, [id]);
    if (!media?.file_name) return reply.code(404).send({ error: { code: 'not_found', message: 'No such media' } });
    const stored = await ctx.media.get(media.file_name);
    if (!stored) return reply.code(404).send({ error: { code: 'not_found', message: 'No such media' } });
    reply.type(media.mime_type ?? 'application/octet-stream').header('cache-control', mediaCacheControl(ctx, ext)).header('x-content-type-options', 'nosniff');
    if (stored.size) reply.header('content-length', stored.size);
    return reply.send(stored.body);
  });

  await registerAdminApi(app, ctx);
  await registerMemberApi(app, ctx);
  await registerMemberAppApi(app, ctx, memberSessionAuth(ctx));
  await registerMemberCommunityApi(app, ctx, memberSessionAuth(ctx));
  await registerMemberPictureApi(app, ctx, memberSessionAuth(ctx));
  await registerMemberKnowledgeApi(app, ctx, memberSessionAuth(ctx));
  await registerMemberEventsApi(app, ctx, memberSessionAuth(ctx));
  await registerMemberGroupContentApi(app, ctx, memberSessionAuth(ctx));
  await registerMemberEvents(app, ctx, memberSessionAuth(ctx));
  await registerScim(app, ctx, services);
  await registerHookRoutes(app, ctx);
  registerExportDownloads(app, ctx);
  registerResizedPictures(app, ctx);
  registerGroupFileDownloads(app, ctx);
  await registerWebApps(app);

  app.setNotFoundHandler((request, reply) => {
    const error = new AppError('unknown_path', `No route for ${request.method} ${request.url.split('?')[0]}`);
    reply.code(404).send({ error: { code: error.kind, message: error.message } });
  });

  return {
    app,
    services,
    metrics,
    webhooks,
    automation,
    exports,
    unfurler,
    mail,
    drain() {
      draining = true;
    },
    async close() {
      draining = true;
      housekeeping.stop();
      await app.close();
      await automation.stop();
      await exports.stop();
      await unfurler.stop();
      await webhooks.stop();
      await mail?.stop();
      await services.usage.stop();
    },
  };
}
