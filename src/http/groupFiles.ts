import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.js';
import { findGroupFilesByIds } from '../db/repositories/groupFile.js';
import { findVideosByIds } from '../db/repositories/video.js';
import type { ByteRange } from '../media/store.js';
import { mediaCacheControl } from './resizedPictures.js';

const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** The one range of a `Range: bytes=…` header within `size` bytes; null when unsatisfiable, undefined when absent or not a single byte range (the whole file is sent). */
export function parseRange(header: string | undefined, size: number): ByteRange | null | undefined {
  const match = header && /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return suffix === 0 || size === 0 ? null : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  return start >= size || end < start ? null : { start, end };
}

/** `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): an ASCII fallback and the exact name. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * GET /group-files/{id}/{name}?ext=&hash=: a group file by its signed, expiring link (the photos' rule: whoever
 * holds the link may download; a deleted file is gone). Images the upload sniffed as such open
 * inline; everything else downloads, sandboxed so nothing in it runs on this origin.
 */
export function registerGroupFileDownloads(app: FastifyInstance, ctx: Context): void {
  // GET /videos/{id}/{file}?ext=&hash=: an uploaded video by its signed, expiring link, played inline, with HTTP Range so players can seek.
  app.get('/videos/:id/:file', async (request, reply) => {
    const { id } = request.params as Record<string, string>;
    const { ext, hash } = request.query as Record<string, unknown>;
    const notFound = () => reply.code(404).send({ error: { code: 'not_found', message: 'No such video, or the link expired' } });
    if (!/^\d{1,20}$/.test(id) || !(await ctx.mediaLinks.verify(`video:${id}`, ext, hash))) return notFound();
    const [video] = await findVideosByIds(ctx.db, [id]);
    const whole = video?.file_name && video.status === 'ready' ? await ctx.media.get(video.file_name) : undefined;
    if (!video || !whole) return notFound();
    reply.type(video.mime_type ?? 'application/octet-stream').header('accept-ranges', 'bytes').header('cache-control', mediaCacheControl(ctx, ext)).header('x-content-type-options', 'nosniff');
    // Players seek with a byte range; the size comes from the store, which knows it for every backend.
    const range = parseRange(request.headers.range, whole.size);
    if (range === null) {
      if (!Buffer.isBuffer(whole.body)) whole.body.destroy();
      return reply.code(416).header('content-range', `bytes */${whole.size}`).send();
    }
    if (!range) return reply.header('content-length', whole.size).send(whole.body);
    if (!Buffer.isBuffer(whole.body)) whole.body.destroy();
    const part = await ctx.media.get(video.file_name!, range);
    if (!part) return notFound();
    return reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${whole.size}`).header('content-length', range.end - range.start + 1).send(part.body);
  });

  app.get('/group-files/:id/:name', async (request, reply) => {
    const { id } = request.params as Record<string, string>;
    const { ext, hash } = request.query as Record<string, unknown>;
    const notFound = () => reply.code(404).send({ error: { code: 'not_found', message: 'No such file, or the link expired' } });
    if (!/^\d{1,20}$/.test(id) || !(await ctx.mediaLinks.verify(`file:${id}`, ext, hash))) return notFound();
    const [file] = await findGroupFilesByIds(ctx.db, [id]);
    const stored = file && (await ctx.media.get(file.file_name));
    if (!file || !stored) return notFound();
    reply
      .type(file.mime_type)
      .header('content-disposition', contentDisposition(INLINE.has(file.mime_type) ? 'inline' : 'attachment', file.name))
      .header('content-security-policy', "sandbox; default-src 'none'")
      .header('cache-control', mediaCacheControl(ctx, ext))
      .header('x-content-type-options', 'nosniff');
    if (stored.size) reply.header('content-length', stored.size);
    return reply.send(stored.body);
  });
}
