import type { Db } from '../database.js';
import { firstOfEach, keysetPage, type Page, type PageRequest } from '../keyset.js';
import type { ReactionTable } from '../schema.js';

export type ReactionRow = ReactionTable;

export interface ReactionFilter {
  /** Only this reaction type (LIKE for the likes edge). */
  type?: string;
  since?: number;
  until?: number;
}

function filtered(db: Db, filter: ReactionFilter) {
  let q = db.selectFrom('reaction').selectAll();
  if (filter.type) q = q.where('type', '=', filter.type);
  if (filter.since !== undefined) q = q.where('created_time', '>=', filter.since);
  if (filter.until !== undefined) q = q.where('created_time', '<=', filter.until);
  return q;
}

export async function listReactions(db: Db, objectId: string, filter: ReactionFilter, page: PageRequest): Promise<Page<ReactionRow>> {
  return keysetPage(filtered(db, filter).where('object_id', '=', objectId), { sort: 'created_time', id: 'actor_id' }, page);
}

/** The first `limit + 1` reactions on each of several objects, in one statement. */
export async function listReactionsOfMany(db: Db, objectIds: readonly string[], filter: ReactionFilter, order: 'asc' | 'desc', limit: number): Promise<ReactionRow[]> {
  return firstOfEach(db, objectIds, { sort: 'created_time', id: 'actor_id', direction: order }, (objectId) =>
    filtered(db, filter).where('object_id', '=', objectId).limit(limit + 1),
  );
}

export async function countReactions(db: Db, objectIds: readonly string[], filter: ReactionFilter): Promise<Map<string, number>> {
  if (objectIds.length === 0) return new Map();
  let q = db.selectFrom('reaction').select(['object_id', (eb) => eb.fn.countAll<number>().as('n')]).where('object_id', 'in', [...objectIds]);
  if (filter.type) q = q.where('type', '=', filter.type);
  if (filter.since !== undefined) q = q.where('created_time', '>=', filter.since);
  if (filter.until !== undefined) q = q.where('created_time', '<=', filter.until);
  const rows = await q.groupBy('object_id').execute();
  return new Map(rows.map((r) => [r.object_id, Number(r.n)]));
}

/** The reactions one actor left on several objects (viewer_reaction, has_liked). */
export async function reactionsOfActor(db: Db, objectIds: readonly string[], actorId: string): Promise<Map<string, string>> {
  if (objectIds.length === 0) return new Map();
  const rows = await db.selectFrom('reaction').select(['object_id', 'type']).where('object_id', 'in', [...objectIds]).where('actor_id', '=', actorId).execute();
  return new Map(rows.map((r) => [r.object_id, r.type]));
}

export async function findReaction(db: Db, objectId: string, actorId: string): Promise<ReactionRow | undefined> {
  return db.selectFrom('reaction').selectAll().where('object_id', '=', objectId).where('actor_id', '=', actorId).executeTakeFirst();
}

export async function upsertReaction(db: Db, row: ReactionRow): Promise<void> {
  await db
    .insertInto('reaction')
    .values(row)
    .onConflict((oc) => oc.columns(['object_id', 'actor_id']).doUpdateSet({ type: row.type, created_time: row.created_time }))
    .execute();
}

export async function deleteReaction(db: Db, objectId: string, actorId: string): Promise<void> {
  await db.deleteFrom('reaction').where('object_id', '=', objectId).where('actor_id', '=', actorId).execute();
}
