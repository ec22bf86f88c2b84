import { deleteMedia, insertMedia, type MediaRow } from '../../db/repositories/media.js';
import { discardStoredFiles } from '../../db/repositories/mediaTrash.js';
import { invalidParameter } from '../../errors.js';
import { PICTURE_SIDES, resizedKey } from '../pictureSizes.js';
import { newId } from '../../ids.js';
import { authorOf } from '../actor.js';
import { recordChange } from '../events.js';
import { sniffImage, storeMediaFile } from '../media.js';
import { imageDimensions } from '../picture.js';
import type { Write } from './shared.js';

export interface PhotoInput {
  /** A remote image URL, kept as given. */
  url?: string;
  /** Uploaded bytes (multipart `source`). */
  file?: { data: Buffer };
  caption?: string;
  /** Unpublished photos wait to be attached to a post (attached_media). */
  published: boolean;
  groupId: string | null;
}

/** Stores a photo by upload or by URL. The file is written before the row, so a failed write leaves no row. */
export async function photoUploader({ ctx, actor, trx }: Write, input: PhotoInput): Promise<MediaRow> {
  const owner = authorOf(actor);
  if (!input.url && !input.file) throw invalidParameter('A photo needs a url or an uploaded source file');
  if (input.url && !/^https?:\/\/\S+$/i.test(input.url)) throw invalidParameter('url must be an http(s) URL');
  const id = newId();
  let fileName: string | null = null;
  let mime: string | null = null;
  let size: number | null = null;
  let dimensions: { width: number; height: number } | null = null;
  if (input.file) {
    if (input.file.data.length > ctx.config.uploadLimits.photo) throw invalidParameter(`A photo has at most ${ctx.config.uploadLimits.photo} bytes`);
    const kind = sniffImage(input.file.data);
    if (!kind) throw invalidParameter('The uploaded file is not a JPEG, PNG, GIF or WebP image');
    fileName = await storeMediaFile(ctx.media, id, kind.ext, input.file.data, kind.mime);
    mime = kind.mime;
    size = input.file.data.length;
    dimensions = await imageDimensions(input.file.data);
  }
  const row: MediaRow = {
    id,
    owner_id: owner.id,
    owner_type: owner.type,
    kind: 'photo',
    source_url: input.file ? null : input.url!,
    file_name: fileName,
    mime_type: mime,
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
