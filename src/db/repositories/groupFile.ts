import type { Db } from '../database.js';
import type { GroupFileTable } from '../groupContentSchema.js';
import { firstOfEach, keysetPage, type Page, type PageRequest } from '../keyset.js';
import { indexObject } from './object.js';
import { discardStoredFiles } from './mediaTrash.js';

export type GroupFileRow = GroupFileTable;

export async function insertGroupFile(db: Db, row: GroupFileRow): Promise<void> {
  await db.insertInto('group_file').values(row).execute();
  await indexObject(db, row.id, 'group_file');
}

export async function findGroupFilesByIds(db: Db, ids: readonly string[]): Promise<GroupFileRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('group_file').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

/** Attaches files to a post in a group, in the order given. */
export async function attachFilesToPost(db: Db, postId: string, groupId: string, fileIds: readonly string[], now: number): Promise<void> {
  if (fileIds.length === 0) return;
  await db.updateTable('group_file').set({ post_id: postId, group_id: groupId, updated_time: now }).where('id', 'in', [...fileIds]).execute();
}

/** The files of a group (attached to a post), most recently updated first. */
export async function listGroupFiles(db: Db, groupId: string, page: PageRequest): Promise<Page<GroupFileRow>> {
  const q = db.selectFrom('group_file').selectAll().where('group_id', '=', groupId).where('post_id', 'is not', null);
  return keysetPage(q, { sort: 'updated_time', id: 'id' }, page);
}

/** The first `limit + 1` files of each of several groups, in one statement. */
export async function listGroupFilesOfMany(db: Db, groupIds: readonly string[], order: 'asc' | 'desc', limit: number): Promise<GroupFileRow[]> {
  return firstOfEach(db, groupIds, { sort: 'updated_time', id: 'id', direction: order }, (groupId) =>
    db.selectFrom('group_file').selectAll().where('group_id', '=', groupId).where('post_id', 'is not', null).limit(limit + 1),
  );
}

/** Files attached to each post, oldest first (the order they were attached in). */
export async function filesOfPosts(db: Db, postIds: readonly string[]): Promise<Map<string, GroupFileRow[]>> {
  const out = new Map<string, GroupFileRow[]>();
  if (postIds.length === 0) return out;
  const rows = await db.selectFrom('group_file').selectAll().where('post_id', 'in', [...new Set(postIds)]).orderBy('created_time').orderBy('id').execute();
  for (const row of rows) out.set(row.post_id!, [...(out.get(row.post_id!) ?? []), row]);
  return out;
}

/** Deletes files by id; their stored bytes go to the trash in the same transaction. */
export async function deleteGroupFiles(db: Db, ids: readonly string[], now: number): Promise<void> {
  if (ids.length === 0) return;
  const rows = await db.selectFrom('group_file').select('file_name').where('id', 'in', [...ids]).execute();
  await discardStoredFiles(db, rows.map((r) => r.file_name), now);
  await db.deleteFrom('group_file').where('id', 'in', [...ids]).execute();
}

/** Deletes the files attached to posts (called when the posts are deleted). */
export async function deleteFilesOfPosts(db: Db, postIds: readonly string[], now: number): Promise<void> {
  if (postIds.length === 0) return;
  const rows = await db.selectFrom('group_file').select('id').where('post_id', 'in', [...postIds]).execute();
  await deleteGroupFiles(db, rows.map((r) => r.id), now);
}

/** Ids of files uploaded before `cutoff` and never attached to a post. */
export async function unattachedGroupFileIds(db: Db, cutoff: number, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('group_file').select('id').where('post_id', 'is', null).where('created_time', '<', cutoff).limit(limit).execute();
  return rows.map((r) => r.id);
}
