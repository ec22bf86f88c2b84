import type { Db } from '../database.js';
import { indexObject } from './object.js';
import { firstOfEach, keysetPage, type Page, type PageRequest } from '../keyset.js';
import type { CommentTable } from '../schema.js';
import type { TimeWindow } from './post.js';

export type CommentRow = CommentTable;

export async function findCommentById(db: Db, id: string): Promise<CommentRow | undefined> {
  return db.selectFrom('comment').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findCommentsByIds(db: Db, ids: readonly string[]): Promise<CommentRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('comment').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

function ownedBy(db: Db, window: TimeWindow) {
  let q = db.selectFrom('comment').selectAll();
  if (window.since !== undefined) q = q.where('created_time', '>=', window.since);
  if (window.until !== undefined) q = q.where('created_time', '<=', window.until);
  return q;
}

/** Comments on a post or replies to a comment, keyset-paged on (created_time, id). */
export async function listComments(db: Db, ownerId: string, window: TimeWindow, page: PageRequest): Promise<Page<CommentRow>> {
  return keysetPage(ownedBy(db, window).where('owner_id', '=', ownerId), { sort: 'created_time', id: 'id' }, page);
}

/** The first `limit + 1` comments under each of several owners, in one statement. */
export async function listCommentsOfMany(db: Db, ownerIds: readonly string[], window: TimeWindow, order: 'asc' | 'desc', limit: number): Promise<CommentRow[]> {
  return firstOfEach(db, ownerIds, { sort: 'created_time', id: 'id', direction: order }, (ownerId) =>
    ownedBy(db, window).where('owner_id', '=', ownerId).limit(limit + 1),
  );
}

export async function countComments(db: Db, ownerIds: readonly string[]): Promise<Map<string, number>> {
  if (ownerIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('comment')
    .select(['owner_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('owner_id', 'in', [...ownerIds])
    .groupBy('owner_id')
    .execute();
  return new Map(rows.map((r) => [r.owner_id, Number(r.n)]));
}

export async function insertComment(db: Db, row: CommentRow): Promise<void> {
  await db.insertInto('comment').values(row).execute();
  await indexObject(db, row.id, 'comment');
}

export async function updateComment(db: Db, id: string, changes: Partial<CommentRow>): Promise<void> {
  await db.updateTable('comment').set(changes).where('id', '=', id).execute();
}

/** Deletes a comment, its replies and their reactions. */
export async function deleteCommentCascade(db: Db, id: string): Promise<void> {
  const replies = db.selectFrom('comment').select('id').where('parent_id', '=', id);
  await db.deleteFrom('reaction').where((eb) => eb.or([eb('object_id', '=', id), eb('object_id', 'in', replies)])).execute();
  await db.deleteFrom('link_preview').where('object_type', '=', 'comment').where((eb) => eb.or([eb('object_id', '=', id), eb('object_id', 'in', replies)])).execute();
  await db.deleteFrom('comment').where((eb) => eb.or([eb('id', '=', id), eb('parent_id', '=', id)])).execute();
}
