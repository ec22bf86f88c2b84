import { insertMedia } from '../../db/repositories/media.js';
import { type MemberRow, updateMember } from '../../db/repositories/member.js';
import { invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import { recordChange } from '../events.js';
import { sniffImage, storeMediaFile } from '../media.js';
import { normalizePicture } from '../picture.js';
import { remoteFile, type Write } from './shared.js';

/** A new profile picture: an uploaded image, or a public http(s) URL of one. */
export type PictureSource = { data: Buffer } | { url: string };

/**
 * Sets a member's profile picture (`POST /{member}/profile_pictures`). An upload is cropped to a
 * square and stored; a URL is fetched once through the egress policy and stored the same way
 * (the URL is kept as the picture's source). Returns the new picture's media id.
 */
export async function profilePictureSetter(w: Write, member: MemberRow, source: PictureSource, caption?: string): Promise<string> {
  const id = newId();
  const base = { id, owner_id: member.id, owner_type: 'member' as const, kind: 'photo' as const, caption: caption?.trim() || null, published: 0 as const, group_id: null, created_time: w.ctx.clock.now() };
  if ('url' in source && !/^https?:\/\/\S+$/i.test(source.url)) throw invalidParameter('image_url must be an http(s) URL');
  const given = 'url' in source ? (await remoteFile(w, source.url, 'image')).data : source.data;
  const data = await normalizePicture(given);
  const kind = sniffImage(data)!;
  const fileName = await storeMediaFile(w.ctx.media, id, kind.ext, data, kind.mime);
  await insertMedia(w.trx, { ...base, source_url: 'url' in source ? source.url : null, file_name: fileName, mime_type: kind.mime, size: data.length });
  await updateMember(w.trx, member.id, { picture_media_id: id, updated_time: Math.max(w.ctx.clock.now(), member.updated_time + 1) });
  await recordChange(w.trx, w.ctx, w.actor, {
    action: 'account.picture_changed',
    target: { type: 'member', id: member.id },
    old: { picture_media_id: member.picture_media_id },
    new: { picture_media_id: id, source: 'url' in source ? source.url : 'upload' },
  });
  return id;
}

/**
 * Removes a member's profile picture: they show the silhouette again. The stored image stays
 * (posts and audit history may refer to it). Without a picture nothing is written.
 */
export async function profilePictureRemover(w: Write, member: MemberRow): Promise<boolean> {
  if (!member.picture_media_id) return false;
  await updateMember(w.trx, member.id, { picture_media_id: null, updated_time: Math.max(w.ctx.clock.now(), member.updated_time + 1) });
  await recordChange(w.trx, w.ctx, w.actor, {
    action: 'account.picture_removed',
    target: { type: 'member', id: member.id },
    old: { picture_media_id: member.picture_media_id },
    new: { picture_media_id: null },
  });
  return true;
}
