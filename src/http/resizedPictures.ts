import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.js';
import { findMediaByIds } from '../db/repositories/media.js';
import { PICTURE_SIDES, resizedPicture } from '../domain/pictureSizes.js';
import { safeEqual } from '../domain/secrets.js';

/** The signed path of a resized stored picture (`picture?width=&height=` answers it). */
export function resizedPicturePath(ctx: Pick<Context, 'secrets'>, media: { id: string; file_name: string }, side: number): string {
  return `/media/${media.id}/${ctx.secrets.sign(`${media.id}:${side}`)}/s${side}/${media.file_name}`;
}

/** GET /media/{id}/{sig}/s{side}/{file}: a stored picture resized to one of the allowed sides. */
export function registerResizedPictures(app: FastifyInstance, ctx: Context): void {
  app.get('/media/:id/:sig/:size/:file', async (request, reply) => {
    const { id, sig, size } = request.params as Record<string, string>;
    const notFound = () => reply.code(404).send({ error: { code: 'not_found', message: 'No such media' } });
    const side = Number(/^s(\d{1,4})$/.exec(size)?.[1]);
    if (!(PICTURE_SIDES as readonly number[]).includes(side) || !safeEqual(sig, ctx.secrets.sign(`${id}:${side}`))) return notFound();
    const [media] = await findMediaByIds(ctx.db, [id]);
    if (!media?.file_name || !media.mime_type?.startsWith('image/')) return notFound();
    const resized = await resizedPicture(ctx.media, media.file_name, side).catch(() => undefined);
    const file = resized && (await ctx.media.get(resized.key));
    if (!file) return notFound();
    reply.type(media.mime_type).header('content-length', file.size).header('cache-control', 'private, max-age=86400').header('x-content-type-options', 'nosniff');
    return reply.send(file.body);
  });
}
