import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.js';
import { MAX_HOOK_BODY, receiveHook } from './hooks.js';
import { SlackRefusal } from './slack.js';

/**
 * `POST /hooks/{key}`: incoming webhooks. The body is read as raw bytes (GitHub signs the exact
 * bytes) and answered in Slack's plain-text style, errors included, never as a Graph error.
 */
export async function registerHookRoutes(app: FastifyInstance, ctx: Context): Promise<void> {
  await app.register(async (hooks) => {
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_HOOK_BODY }, (_req, body, done) => done(null, body));
    hooks.setErrorHandler((error, request, reply) => {
      const tooLarge = (error as { statusCode?: number }).statusCode === 413;
      if (!tooLarge) request.log.error({ err: error }, 'incoming webhook failed');
      const refusal = tooLarge ? new SlackRefusal('request_too_large') : undefined;
      reply.code(refusal?.status ?? 500).type('text/plain; charset=utf-8').send(refusal?.answer ?? 'internal_error');
    });
    hooks.post('/hooks/:key', async (request, reply) => {
      const { key } = request.params as { key: string };
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const result = await receiveHook(ctx, { key, body, contentType: String(request.headers['content-type'] ?? ''), headers: request.headers });
      if (result.retryAfter) reply.header('retry-after', String(result.retryAfter));
      return reply.code(result.status).type('text/plain; charset=utf-8').send(result.body);
    });
  });
}
