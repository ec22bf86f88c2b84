import type { Db } from '../database.js';
import { firstOfEach, keysetPage, type Page, type PageRequest } from '../keyset.js';
import type { SeenTable } from '../schema.js';

export type SeenRow = SeenTable;

type Window = { since?: number; until?: number };

function seenOf(db: Db, postId: string, window: Window) {
  let q = db.selectFrom('seen').selectAll().where('post_id', '=', postId);
  if (window.since !== undefined) q = q.where('seen_time', '>=', window.since);
  if (window.until !== undefined) q = q.where('seen_time', '<=', window.until);
  return q;
}

export async function listSeen(db: Db, postId: string, window: Window, page: PageRequest): Promise<Page<SeenRow>> {
  return keysetPage(seenOf(db, postId, window), { sort: 'seen_time', id: 'member_id' }, page);
}

/** The first `limit + 1` sightings of each of several posts, in one statement. */
export async function listSeenOfMany(db: Db, postIds: readonly string[], window: Window, order: 'asc' | 'desc', limit: number): Promise<SeenRow[]> {
  return firstOfEach(db, postIds, { sort: 'seen_time', id: 'member_id', direction: order }, (postId) => seenOf(db, postId, window).limit(limit + 1));
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
