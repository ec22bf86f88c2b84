import type { Context } from '../../context.js';
import { deleteMedia, insertMedia, isProfilePicture, listRemoteOnlyMedia, type MediaRow, updateMedia } from '../../db/repositories/media.js';
import { discardStoredFiles } from '../../db/repositories/mediaTrash.js';
import { AppError, invalidParameter } from '../../errors.js';
import { PICTURE_SIDES, resizedKey } from '../pictureSizes.js';
import { newId } from '../../ids.js';
import { authorOf } from '../actor.js';
import { recordChange } from '../events.js';
import { sniffImage, storeMediaFile } from '../media.js';
import { imageDimensions, normalizePicture } from '../picture.js';
import { remoteFile, transact, type Write } from './shared.js';

export interface PhotoInput {
  /** A remote image URL: fetched once through the egress policy and stored like an upload. */
  url?: string;
  /** Uploaded bytes (multipart `source`). */
  file?: { data: Buffer };
  caption?: string;
  /** Unpublished photos wait to be attached to a post (attached_media). */
  published: boolean;
  groupId: string | null;
}

/** Stores a photo by upload or by URL. The file is written before the row, so a failed write leaves no row. */
export async function photoUploader(w: Write, input: PhotoInput): Promise<MediaRow> {
  const { ctx, actor, trx } = w;
  const owner = authorOf(actor);
  if (!input.url && !input.file) throw invalidParameter('A photo needs a url or an uploaded source file');
  if (!input.file && !/^https?:\/\/\S+$/i.test(input.url!)) throw invalidParameter('url must be an http(s) URL');
  const data = input.file ? input.file.data : (await remoteFile(w, input.url!, 'image')).data;
  if (data.length > ctx.config.uploadLimits.photo) throw invalidParameter(`A photo has at most ${ctx.config.uploadLimits.photo} bytes`);
  const kind = sniffImage(data);
  if (!kind) throw invalidParameter('The uploaded file is not a JPEG, PNG, GIF or WebP image');
  const id = newId();
  const dimensions = await imageDimensions(data);
  const fileName = await storeMediaFile(ctx.media, id, kind.ext, data, kind.mime);
  const size = data.length;
  const row: MediaRow = {
    id,
    owner_id: owner.id,
    owner_type: owner.type,
    kind: 'photo',
    source_url: input.file ? null : input.url!,
    file_name: fileName,
    mime_type: kind.mime,
    size,
    caption: input.caption ?? null,
    published: input.published ? 1 : 0,
    group_id: input.groupId,
    created_time: ctx.clock.now(),
    width: dimensions?.width ?? null,
    height: dimensions?.height ?? null,
  };
  await insertMedia(trx, row);
  await recordChange(trx, ctx, actor, {
    action: 'media.uploaded',
    target: { type: 'photo', id },
    new: { url: row.source_url, file: fileName, size, published: input.published, group_id: input.groupId },
  });
  return row;
}

/** Deletes a photo: the row, its place in any post (the post stays) and, once committed, its stored file. */
export async function photoDeleter({ ctx, actor, trx }: Write, media: MediaRow): Promise<void> {
  await deleteMedia(trx, media.id, ctx.clock.now());
  // Resized copies made for picture?width= go with it.
  if (media.file_name) await discardStoredFiles(trx, PICTURE_SIDES.map((side) => resizedKey(media.file_name!, side)), ctx.clock.now());
  await recordChange(trx, ctx, actor, {
    action: 'media.deleted',
    target: { type: 'photo', id: media.id },
    old: { url: media.source_url, file: media.file_name, group_id: media.group_id },
  });
}

export interface RemoteImportSummary {
  imported: number;
  /** Rows whose URL could not be fetched: they stay as they were, to be tried again. */
  failed: { id: string; url: string; reason: string }[];
}

/**
 * Fetches and stores the photos and profile pictures that were attached by URL before the server
 * fetched such URLs itself (they have a source URL and no stored file, and the web apps' CSP no
 * longer lets a browser load them). Each fetch goes through the egress policy like a new upload;
 * each stored file is one transaction with its audit event. Run again to retry the failures.
 */
export async function remoteMediaImporter(ctx: Context, onProgress: (done: number, total: number) => void): Promise<RemoteImportSummary> {
  const rows = await listRemoteOnlyMedia(ctx.db);
  const summary: RemoteImportSummary = { imported: 0, failed: [] };
  onProgress(0, rows.length);
  for (const [i, row] of rows.entries()) {
    const url = row.source_url!;
    try {
      const fetched = await ctx.remote.fetch(url, 'image');
      const data = (await isProfilePicture(ctx.db, row.id)) ? await normalizePicture(fetched.data) : fetched.data;
      const kind = sniffImage(data);
      if (!kind) throw new AppError('invalid_image');
      const dimensions = await imageDimensions(data);
      const fileName = await storeMediaFile(ctx.media, row.id, kind.ext, data, kind.mime);
      await transact(ctx, { kind: 'system' }, async ({ trx }) => {
        await updateMedia(trx, row.id, { file_name: fileName, mime_type: kind.mime, size: data.length, width: dimensions?.width ?? null, height: dimensions?.height ?? null });
        await recordChange(trx, ctx, { kind: 'system' }, { action: 'media.imported', target: { type: 'photo', id: row.id }, old: { file: null }, new: { url, file: fileName, size: data.length } });
      });
      summary.imported++;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      summary.failed.push({ id: row.id, url, reason: error.message });
    }
    onProgress(i + 1, rows.length);
  }
  return summary;
}
