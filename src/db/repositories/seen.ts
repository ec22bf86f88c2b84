import type { Db } from '../database.js';
import { keysetPage, type Page, type PageRequest } from '../keyset.js';
import type { SeenTable } from '../schema.js';

export type SeenRow = SeenTable;

export async function listSeen(db: Db, postId: string, window: { since?: number; until?: number }, page: PageRequest): Promise<Page<SeenRow>> {
  let q = db.selectFrom('seen').selectAll().where('post_id', '=', postId);
  if (window.since !== undefined) q = q.where('seen_time', '>=', window.since);
  if (window.until !== undefined) q = q.where('seen_time', '<=', window.until);
  return keysetPage(q, { sort: 'seen_time', id: 'member_id' }, page);
}

export async function countSeen(db: Db, postIds: readonly string[]): Promise<Map<string, number>> {
  if (postIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('seen')
    .select(['post_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('post_id', 'in', [...postIds])
    .groupBy('post_id')
    .execute();
  return new Map(rows.map((r) => [r.post_id, Number(r.n)]));
}

/** Records that a member saw a post; the first sighting's time is kept. */
export async function insertSeen(db: Db, row: SeenRow): Promise<boolean> {
  const result = await db
    .insertInto('seen')
    .values(row)
    .onConflict((oc) => oc.columns(['post_id', 'member_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}
