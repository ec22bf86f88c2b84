import { deleteAlbumsOfPosts } from './album.js';
import { deleteDocsOfPosts } from './doc.js';
import { deleteVideosOfPosts } from './video.js';
import { deleteFilesOfPosts } from './groupFile.js';
import type { Db } from '../database.js';
import { indexObject } from './object.js';
import { deletePollsOfPosts, deleteVotesOfVoter } from './poll.js';
import { firstOfEach, keysetPage, type Page, type PageRequest } from '../keyset.js';
import type { PostTable } from '../schema.js';

export type PostRow = PostTable;

export interface TimeWindow {
  since?: number;
  until?: number;
}

export async function findPostById(db: Db, id: string): Promise<PostRow | undefined> {
  return db.selectFrom('post').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findPostsByIds(db: Db, ids: readonly string[]): Promise<PostRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('post').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

function feedQuery(db: Db, window: TimeWindow) {
  let q = db.selectFrom('post').selectAll();
  if (window.since !== undefined) q = q.where('created_time', '>=', window.since);
  if (window.until !== undefined) q = q.where('created_time', '<=', window.until);
  return q;
}

/** One feed (group or timeline), newest first by default, keyset-paged on (created_time, id). */
export async function listFeed(db: Db, feedId: string, window: TimeWindow, page: PageRequest): Promise<Page<PostRow>> {
  return keysetPage(feedQuery(db, window).where('feed_id', '=', feedId), { sort: 'created_time', id: 'id' }, page);
}

/** The first `limit + 1` posts of several feeds in one statement (nested `feed.limit(n)`). */
export async function listFeeds(db: Db, feedIds: readonly string[], window: TimeWindow, order: 'asc' | 'desc', limit: number): Promise<PostRow[]> {
  return firstOfEach(db, feedIds, { sort: 'created_time', id: 'id', direction: order }, (feedId) =>
    feedQuery(db, window).where('feed_id', '=', feedId).limit(limit + 1),
  );
}

export async function countFeeds(db: Db, feedIds: readonly string[], window: TimeWindow): Promise<Map<string, number>> {
  if (feedIds.length === 0) return new Map();
  let q = db.selectFrom('post').select(['feed_id', (eb) => eb.fn.countAll<number>().as('n')]).where('feed_id', 'in', [...feedIds]);
  if (window.since !== undefined) q = q.where('created_time', '>=', window.since);
  if (window.until !== undefined) q = q.where('created_time', '<=', window.until);
  const rows = await q.groupBy('feed_id').execute();
  return new Map(rows.map((r) => [r.feed_id, Number(r.n)]));
}

/** Posts by one author (a member's posts in any feed), newest first. */
export async function listPostsByAuthor(db: Db, authorId: string, window: TimeWindow, page: PageRequest): Promise<Page<PostRow>> {
  return keysetPage(feedQuery(db, window).where('author_id', '=', authorId), { sort: 'created_time', id: 'id' }, page);
}

/** The author's latest post in a feed since a time, for duplicate detection (reads only that window). */
export async function latestPostByAuthor(db: Db, feedId: string, authorId: string, since: number): Promise<PostRow | undefined> {
  return db
    .selectFrom('post')
    .selectAll()
    .where('feed_id', '=', feedId)
    .where('created_time', '>=', since)
    .where('author_id', '=', authorId)
    .orderBy('created_time', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertPost(db: Db, row: PostRow): Promise<void> {
  await db.insertInto('post').values(row).execute();
  await indexObject(db, row.id, 'post');
}

export async function updatePost(db: Db, id: string, changes: Partial<PostRow>): Promise<void> {
  await db.updateTable('post').set(changes).where('id', '=', id).execute();
}

/** Deletes posts with everything hanging off them (comments, reactions, seen, media links). */
export async function deletePostsCascade(db: Db, postIds: readonly string[]): Promise<void> {
  if (postIds.length === 0) return;
  const ids = [...postIds];
  const commentIds = db.selectFrom('comment').select('id').where('post_id', 'in', ids);
  await db.deleteFrom('reaction').where((eb) => eb.or([eb('object_id', 'in', ids), eb('object_id', 'in', commentIds)])).execute();
  await db.deleteFrom('link_preview').where((eb) => eb.or([eb.and([eb('object_type', '=', 'post'), eb('object_id', 'in', ids)]), eb.and([eb('object_type', '=', 'comment'), eb('object_id', 'in', commentIds)])])).execute();
  await db.deleteFrom('comment').where('post_id', 'in', ids).execute();
  await db.deleteFrom('seen').where('post_id', 'in', ids).execute();
  await db.deleteFrom('post_media').where('post_id', 'in', ids).execute();
  await deletePollsOfPosts(db, ids);
  // The trash time only orders the emptying, so the wall clock will do.
  await deleteFilesOfPosts(db, ids, Date.now());
  await deleteAlbumsOfPosts(db, ids);
  await deleteDocsOfPosts(db, ids);
  await deleteVideosOfPosts(db, ids, Date.now());
  await db.deleteFrom('post').where('id', 'in', ids).execute();
}

export async function postIdsOfFeed(db: Db, feedId: string): Promise<string[]> {
  const rows = await db.selectFrom('post').select('id').where('feed_id', '=', feedId).execute();
  return rows.map((r) => r.id);
}

/** Removes everything one author wrote: posts (with their threads and polls), comments, reactions and poll votes. */
export async function deleteContentOfAuthor(db: Db, authorId: string): Promise<void> {
  const posts = await db.selectFrom('post').select('id').where('author_id', '=', authorId).execute();
  await deletePostsCascade(db, posts.map((p) => p.id));
  const comments = await db.selectFrom('comment').select('id').where('author_id', '=', authorId).execute();
  const ids = comments.map((c) => c.id);
  if (ids.length) {
    await db.deleteFrom('reaction').where('object_id', 'in', ids).execute();
    await db.deleteFrom('comment').where((eb) => eb.or([eb('id', 'in', ids), eb('parent_id', 'in', ids)])).execute();
  }
  await db.deleteFrom('reaction').where('actor_id', '=', authorId).execute();
  await deleteVotesOfVoter(db, authorId);
}
