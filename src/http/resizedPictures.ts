import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.js';
import { findMediaByIds } from '../db/repositories/media.js';
import { PICTURE_SIDES, resizedPicture } from '../domain/pictureSizes.js';

/** The signed path of a resized stored picture (`picture?width=&height=` answers it). */
export function resizedPicturePath(ctx: Pick<Context, 'mediaLinks'>, media: { id: string; file_name: string }, side: number): string {
  return `/media/${media.id}/s${side}/${media.file_name}?${ctx.mediaLinks.query(`media:${media.id}:s${side}`)}`;
}

/** Cache-Control of a signed media answer: private, and never cached past the link's expiry. */
export function mediaCacheControl(ctx: Pick<Context, 'mediaLinks'>, ext: unknown): string {
  return `private, max-age=${Math.min(86_400, ctx.mediaLinks.secondsLeft(ext))}`;
}

/** GET /media/{id}/s{side}/{file}?ext=…&hash=…: a stored picture resized to one of the allowed sides. */
export function registerResizedPictures(app: FastifyInstance, ctx: Context): void {
  app.get('/media/:id/:size/:file', async (request, reply) => {
    const { id, size } = request.params as Record<string, string>;
    const { ext, hash } = request.query as Record<string, unknown>;
    const notFound = () => reply.code(404).send({ error: { code: 'not_found', message: 'No such media, or the link expired' } });
    const side = Number(/^s(\d{1,4})$/.exec(size)?.[1]);
    if (!(PICTURE_SIDES as readonly number[]).includes(side) || !(await ctx.mediaLinks.verify(`media:${id}:s${side}`, ext, hash))) return notFound();
    const [media] = await findMediaByIds(ctx.db, [id]);
    if (!media?.file_name || !media.mime_type?.startsWith('image/')) return notFound();
    const resized = await resizedPicture(ctx.media, media.file_name, side).catch(() => undefined);
    const file = resized && (await ctx.media.get(resized.key));
    if (!file) return notFound();
    reply.type(media.mime_type).header('content-length', file.size).header('cache-control', mediaCacheControl(ctx, ext)).header('x-content-type-options', 'nosniff');
    return reply.send(file.body);
  });
}
