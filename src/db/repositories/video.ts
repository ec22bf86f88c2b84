import type { Db } from '../database.js';
import type { VideoTable, VideoUploadTable } from '../groupContentSchema.js';
import { firstOfEach, keysetPage, type Page, type PageRequest } from '../keyset.js';
import { discardStoredFiles } from './mediaTrash.js';
import { indexObject } from './object.js';

export type VideoRow = VideoTable;
export type VideoUploadRow = VideoUploadTable;

/** The media store key of a resumable upload's chunk. */
export const chunkKey = (uploadId: string, n: number) => `${uploadId}.c${n}`;

export async function insertVideo(db: Db, row: VideoRow): Promise<void> {
  await db.insertInto('video').values(row).execute();
  await indexObject(db, row.id, 'video');
}

export async function updateVideo(db: Db, id: string, changes: Partial<VideoRow>): Promise<void> {
  await db.updateTable('video').set(changes).where('id', '=', id).execute();
}

export async function findVideosByIds(db: Db, ids: readonly string[]): Promise<VideoRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('video').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

export async function videosOfPosts(db: Db, postIds: readonly string[]): Promise<Map<string, VideoRow>> {
  if (postIds.length === 0) return new Map();
  const rows = await db.selectFrom('video').selectAll().where('post_id', 'in', [...new Set(postIds)]).execute();
  return new Map(rows.map((v) => [v.post_id!, v]));
}

/** Ready videos of a group, newest first. */
export async function listGroupVideos(db: Db, groupId: string, page: PageRequest): Promise<Page<VideoRow>> {
  return keysetPage(db.selectFrom('video').selectAll().where('group_id', '=', groupId).where('status', '=', 'ready'), { sort: 'created_time', id: 'id' }, page);
}

export async function listGroupVideosOfMany(db: Db, groupIds: readonly string[], order: 'asc' | 'desc', limit: number): Promise<VideoRow[]> {
  return firstOfEach(db, groupIds, { sort: 'created_time', id: 'id', direction: order }, (groupId) =>
    db.selectFrom('video').selectAll().where('group_id', '=', groupId).where('status', '=', 'ready').limit(limit + 1),
  );
}

/** Deletes videos (their bytes go to the trash, with any unfinished upload's chunks). */
export async function deleteVideos(db: Db, ids: readonly string[], now: number): Promise<void> {
  if (ids.length === 0) return;
  const rows = await db.selectFrom('video').select('file_name').where('id', 'in', [...ids]).execute();
  await discardStoredFiles(db, rows.map((r) => r.file_name), now);
  const uploads = await db.selectFrom('video_upload').selectAll().where('video_id', 'in', [...ids]).execute();
  for (const u of uploads) await discardStoredFiles(db, Array.from({ length: u.chunks }, (_, n) => chunkKey(u.id, n)), now);
  await db.deleteFrom('video_upload').where('video_id', 'in', [...ids]).execute();
  await db.deleteFrom('video').where('id', 'in', [...ids]).execute();
}

export async function deleteVideosOfPosts(db: Db, postIds: readonly string[], now: number): Promise<void> {
  if (postIds.length === 0) return;
  const rows = await db.selectFrom('video').select('id').where('post_id', 'in', [...postIds]).execute();
  await deleteVideos(db, rows.map((r) => r.id), now);
}

export async function insertVideoUpload(db: Db, row: VideoUploadRow): Promise<void> {
  await db.insertInto('video_upload').values(row).execute();
}

export async function findVideoUpload(db: Db, id: string): Promise<VideoUploadRow | undefined> {
  return db.selectFrom('video_upload').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Records one more chunk, only if the session is still where the caller saw it (no two chunks at one offset). */
export async function advanceVideoUpload(db: Db, id: string, from: number, to: number, chunks: number, now: number): Promise<boolean> {
  const result = await db.updateTable('video_upload').set({ received: to, chunks: chunks + 1, updated_time: now }).where('id', '=', id).where('received', '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Finishes a session: its row goes, its chunks to the trash. */
export async function closeVideoUpload(db: Db, upload: VideoUploadRow, now: number): Promise<void> {
  await discardStoredFiles(db, Array.from({ length: upload.chunks }, (_, n) => chunkKey(upload.id, n)), now);
  await db.deleteFrom('video_upload').where('id', '=', upload.id).execute();
}

/** Videos whose upload was started before `cutoff` and never finished. */
export async function abandonedVideoIds(db: Db, cutoff: number, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('video_upload').select('video_id').where('updated_time', '<', cutoff).limit(limit).execute();
  return rows.map((r) => r.video_id);
}
