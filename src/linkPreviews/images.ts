import type { Context } from '../context.js';
import { emptyMediaTrash } from '../media/trash.js';
import { deleteMedia } from '../db/repositories/media.js';
import { deleteUnusedPreviewMedia, insertPreviewMedia, takePreviewMedia, unusedPreviewMedia } from '../db/repositories/linkPreview.js';
import type { AppActor } from '../domain/actor.js';
import { photoUploader } from '../domain/commands/media.js';
import { transact } from '../domain/commands/shared.js';
import { recordChange } from '../domain/events.js';
import { AppError } from '../errors.js';

/** Preview photos swept per round. */
const SWEEP_BATCH = 100;

/**
 * The stored photo of an image or icon an integration answered for a preview: fetched once by the
 * server through the egress policy (ctx.remote) and kept as an unpublished photo of the
 * integration's bot page, so viewers load it from the signed `/media/…` link and never from the
 * integration's host. Previews that answer the same URL share one copy. Undefined when the URL
 * cannot be fetched or is not an image: the preview is shown without it.
 */
export async function previewImage(ctx: Context, app: AppActor, url: string | null): Promise<string | null> {
  if (!url) return null;
  const kept = await takePreviewMedia(ctx.db, app.appId, url, ctx.clock.now());
  if (kept) return kept;
  try {
    return await transact(ctx, app, async (w) => {
      const photo = await photoUploader(w, { url, published: false, groupId: null });
      await insertPreviewMedia(w.trx, { media_id: photo.id, app_id: app.appId, source_url: url, used_time: ctx.clock.now() });
      return photo.id;
    });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    ctx.log.info({ app: app.appId, reason: error.message }, 'a link preview image could not be fetched; the preview is shown without it');
    return null;
  }
}

/**
 * Removes preview photos no preview uses any more (the post, comment or message was deleted or
 * edited, the integration was removed): the row with its audit event, then the stored file.
 * Photos taken within `graceMs` are left alone, so one whose preview is being finished stays.
 */
export async function sweepPreviewImages(ctx: Context, graceMs: number): Promise<number> {
  const before = ctx.clock.now() - graceMs;
  let removed = 0;
  for (const candidate of await unusedPreviewMedia(ctx.db, before, SWEEP_BATCH)) {
    const gone = await transact(ctx, { kind: 'system' }, async ({ trx }) => {
      if (!(await deleteUnusedPreviewMedia(trx, candidate.media_id, before))) return false;
      await deleteMedia(trx, candidate.media_id, ctx.clock.now());
      await recordChange(trx, ctx, { kind: 'system' }, { action: 'media.deleted', target: { type: 'photo', id: candidate.media_id }, old: { file: candidate.file_name, reason: 'link preview image no longer used' } });
      return true;
    });
    if (gone) removed++;
  }
  // The files went to the media trash with their rows; empty it now (housekeeping retries what fails).
  if (removed) await emptyMediaTrash(ctx).catch((error: unknown) => ctx.log.error({ err: error }, 'could not empty the media trash'));
  return removed;
}
