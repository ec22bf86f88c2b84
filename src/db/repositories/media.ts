import type { Db } from '../database.js';
import { discardStoredFiles } from './mediaTrash.js';
import { chunkKey } from './video.js';
import { indexObject } from './object.js';
import { firstOfEach, keysetPage, type Page, type PageRequest } from '../keyset.js';
import type { MediaTable } from '../schema.js';

export type MediaRow = MediaTable;

export async function findMediaByIds(db: Db, ids: readonly string[]): Promise<MediaRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('media').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

export async function insertMedia(db: Db, row: MediaRow): Promise<void> {
  await db.insertInto('media').values(row).execute();
  await indexObject(db, row.id, 'photo');
}

/** Deletes a photo and its links to posts; its stored file goes to the trash in the same transaction. */
export async function deleteMedia(db: Db, id: string, now: number): Promise<void> {
  const row = await db.selectFrom('media').select('file_name').where('id', '=', id).executeTakeFirst();
  await discardStoredFiles(db, [row?.file_name ?? null], now);
  await db.deleteFrom('post_media').where('media_id', '=', id).execute();
  await db.deleteFrom('knowledge_media').where('media_id', '=', id).execute();
  await db.deleteFrom('media').where('id', '=', id).execute();
}

export async function updateMedia(db: Db, id: string, changes: Partial<MediaRow>): Promise<void> {
  await db.updateTable('media').set(changes).where('id', '=', id).execute();
}

/** Published photos of a group, newest first. */
export async function listGroupPhotos(db: Db, groupId: string, page: PageRequest): Promise<Page<MediaRow>> {
  const q = db.selectFrom('media').selectAll().where('group_id', '=', groupId).where('published', '=', 1);
  return keysetPage(q, { sort: 'created_time', id: 'id' }, page);
}

/** The first `limit + 1` published photos of each of several groups, in one statement. */
export async function listGroupPhotosOfMany(db: Db, groupIds: readonly string[], order: 'asc' | 'desc', limit: number): Promise<MediaRow[]> {
  return firstOfEach(db, groupIds, { sort: 'created_time', id: 'id', direction: order }, (groupId) =>
    db.selectFrom('media').selectAll().where('group_id', '=', groupId).where('published', '=', 1).limit(limit + 1),
  );
}

export async function attachMediaToPost(db: Db, postId: string, mediaIds: readonly string[]): Promise<void> {
  if (mediaIds.length === 0) return;
  await db.insertInto('post_media').values(mediaIds.map((media_id, position) => ({ post_id: postId, media_id, position }))).execute();
}

/** Adds one photo at the end of a post's attachments. */
export async function appendMediaToPost(db: Db, postId: string, mediaId: string): Promise<void> {
  const last = await db.selectFrom('post_media').select((eb) => eb.fn.max('position').as('p')).where('post_id', '=', postId).executeTakeFirst();
  const position = last?.p === null || last?.p === undefined ? 0 : Number(last.p) + 1;
  await db.insertInto('post_media').values({ post_id: postId, media_id: mediaId, position }).execute();
}

/** Media attached to each post, in attachment order. */
export async function mediaOfPosts(db: Db, postIds: readonly string[]): Promise<Map<string, MediaRow[]>> {
  const out = new Map<string, MediaRow[]>();
  if (postIds.length === 0) return out;
  const rows = await db
    .selectFrom('post_media')
    .innerJoin('media', 'media.id', 'post_media.media_id')
    .selectAll('media')
    .select('post_media.post_id')
    .where('post_media.post_id', 'in', [...postIds])
    .orderBy('post_media.position')
    .execute();
  for (const { post_id, ...media } of rows) out.set(post_id, [...(out.get(post_id) ?? []), media as MediaRow]);
  return out;
}

/** Every stored file name (photos, chat files, group files, videos and unfinished video chunks), for `media migrate`. */
export async function listMediaFileNames(db: Db): Promise<{ key: string; mime_type: string | null }[]> {
  const media = await db.selectFrom('media').select(['file_name', 'mime_type']).where('file_name', 'is not', null).execute();
  const chat = await db.selectFrom('chat_file').select(['file_name', 'mime_type']).where('file_name', 'is not', null).execute();
  const files = await db.selectFrom('group_file').select(['file_name', 'mime_type']).execute();
  const videos = await db.selectFrom('video').select(['file_name', 'mime_type']).where('file_name', 'is not', null).execute();
  const uploads = await db.selectFrom('video_upload').select(['id', 'chunks']).execute();
  const chunks = uploads.flatMap((u) => Array.from({ length: u.chunks }, (_, n) => ({ file_name: chunkKey(u.id, n) as string | null, mime_type: 'application/octet-stream' as string | null })));
  return [...media, ...chat, ...files, ...videos, ...chunks].map((r) => ({ key: r.file_name!, mime_type: r.mime_type }));
}

/** Photos and pictures attached by URL before the server fetched such URLs: a source URL, no stored file. */
export async function listRemoteOnlyMedia(db: Db): Promise<Pick<MediaRow, 'id' | 'source_url'>[]> {
  return db.selectFrom('media').select(['id', 'source_url']).where('file_name', 'is', null).where('source_url', 'is not', null).orderBy('id').execute();
}

/** True when some member has this media row as their profile picture. */
export async function isProfilePicture(db: Db, mediaId: string): Promise<boolean> {
  return !!(await db.selectFrom('member').select('id').where('picture_media_id', '=', mediaId).executeTakeFirst());
}
