import type { Db } from '../database.js';
import type { FeedItemTable, FeedSubscriptionTable } from '../automationSchema.js';
import { isUniqueViolation } from '../database.js';

export type FeedRow = FeedSubscriptionTable;
export type FeedItemRow = FeedItemTable;

export async function insertFeed(db: Db, row: FeedRow): Promise<void> {
  await db.insertInto('feed_subscription').values(row).execute();
}

export async function updateFeed(db: Db, id: string, changes: Partial<FeedRow>): Promise<void> {
  await db.updateTable('feed_subscription').set(changes).where('id', '=', id).execute();
}

export async function deleteFeed(db: Db, id: string): Promise<void> {
  await db.deleteFrom('feed_item').where('feed_id', '=', id).execute();
  await db.deleteFrom('feed_subscription').where('id', '=', id).execute();
}

export async function findFeedById(db: Db, id: string): Promise<FeedRow | undefined> {
  return db.selectFrom('feed_subscription').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findFeedByUrl(db: Db, groupId: string, url: string): Promise<FeedRow | undefined> {
  return db.selectFrom('feed_subscription').selectAll().where('group_id', '=', groupId).where('url', '=', url).executeTakeFirst();
}

export async function listFeeds(db: Db, groupId?: string): Promise<FeedRow[]> {
  let q = db.selectFrom('feed_subscription').selectAll();
  if (groupId) q = q.where('group_id', '=', groupId);
  return q.orderBy('created_time', 'desc').orderBy('id', 'desc').execute();
}

/** Ids of active feeds due for a poll and not leased by a live poller. */
export async function dueFeedIds(db: Db, now: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('feed_subscription')
    .select('id')
    .where('paused_reason', 'is', null)
    .where('next_poll_time', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .orderBy('next_poll_time')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Takes a feed's lease when nobody holds a live one: a compare-and-set on the row, so of several
 * processes sharing the database exactly one polls the feed.
 */
export async function leaseFeed(db: Db, id: string, owner: string, now: number, until: number): Promise<FeedRow | undefined> {
  const result = await db
    .updateTable('feed_subscription')
    .set({ lease_owner: owner, lease_until: until })
    .where('id', '=', id)
    .where('paused_reason', 'is', null)
    .where('next_poll_time', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  return findFeedById(db, id);
}

/** Records an item as seen; false when it already was (by guid, across restarts). */
export async function claimFeedItem(db: Db, row: FeedItemRow): Promise<boolean> {
  const existing = await db.selectFrom('feed_item').select('guid').where('feed_id', '=', row.feed_id).where('guid', '=', row.guid).executeTakeFirst();
  if (existing) return false;
  try {
    await db.insertInto('feed_item').values(row).execute();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

export async function setFeedItemPost(db: Db, feedId: string, guid: string, postId: string): Promise<void> {
  await db.updateTable('feed_item').set({ post_id: postId }).where('feed_id', '=', feedId).where('guid', '=', guid).execute();
}

export async function countFeedItems(db: Db, feedId: string): Promise<number> {
  const row = await db.selectFrom('feed_item').select((eb) => eb.fn.countAll<number>().as('n')).where('feed_id', '=', feedId).executeTakeFirst();
  return Number(row?.n ?? 0);
}
