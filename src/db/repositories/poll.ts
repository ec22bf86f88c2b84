import type { Db } from '../database.js';
import type { PollOptionTable, PollTable, PollVoteTable } from '../eventsSchema.js';
import { firstOfEach, keysetPage, type Page, type PageRequest } from '../keyset.js';
import { indexObject } from './object.js';

export type PollRow = PollTable;
export type PollOptionRow = PollOptionTable;
export type PollVoteRow = PollVoteTable;

/** A poll with its options, as one write stores it. */
export async function insertPoll(db: Db, poll: PollRow, options: readonly PollOptionRow[]): Promise<void> {
  await db.insertInto('poll').values(poll).execute();
  await indexObject(db, poll.id, 'question');
  await db.insertInto('poll_option').values([...options]).execute();
  for (const o of options) await indexObject(db, o.id, 'question_option');
}

export async function findPollsByIds(db: Db, ids: readonly string[]): Promise<PollRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('poll').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

export async function findPollsOfPosts(db: Db, postIds: readonly string[]): Promise<PollRow[]> {
  if (postIds.length === 0) return [];
  return db.selectFrom('poll').selectAll().where('post_id', 'in', [...new Set(postIds)]).execute();
}

export async function findPollOptionsByIds(db: Db, ids: readonly string[]): Promise<PollOptionRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('poll_option').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

/** The options of several polls, in each poll's order. */
export async function optionsOfPolls(db: Db, pollIds: readonly string[]): Promise<PollOptionRow[]> {
  if (pollIds.length === 0) return [];
  return db.selectFrom('poll_option').selectAll().where('poll_id', 'in', [...new Set(pollIds)]).orderBy('poll_id').orderBy('position').execute();
}

/** One poll's options, keyset-paged on (position, id). */
export async function listPollOptions(db: Db, pollId: string, page: PageRequest): Promise<Page<PollOptionRow>> {
  return keysetPage(db.selectFrom('poll_option').selectAll().where('poll_id', '=', pollId), { sort: 'position', id: 'id' }, page);
}

/** Votes per option. */
export async function countVotes(db: Db, optionIds: readonly string[]): Promise<Map<string, number>> {
  if (optionIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('poll_vote')
    .select(['option_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('option_id', 'in', [...new Set(optionIds)])
    .groupBy('option_id')
    .execute();
  return new Map(rows.map((r) => [r.option_id, Number(r.n)]));
}

/** Distinct voters per poll. */
export async function countVoters(db: Db, pollIds: readonly string[]): Promise<Map<string, number>> {
  if (pollIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('poll_vote')
    .select(['poll_id', (eb) => eb.fn.count<number>('voter_id').distinct().as('n')])
    .where('poll_id', 'in', [...new Set(pollIds)])
    .groupBy('poll_id')
    .execute();
  return new Map(rows.map((r) => [r.poll_id, Number(r.n)]));
}

/** The options one voter chose, per poll. */
export async function votesOf(db: Db, pollIds: readonly string[], voterId: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (pollIds.length === 0) return out;
  const rows = await db.selectFrom('poll_vote').select(['poll_id', 'option_id']).where('poll_id', 'in', [...new Set(pollIds)]).where('voter_id', '=', voterId).execute();
  for (const r of rows) out.set(r.poll_id, [...(out.get(r.poll_id) ?? []), r.option_id]);
  return out;
}

export async function insertVotes(db: Db, rows: readonly PollVoteRow[]): Promise<void> {
  if (rows.length) await db.insertInto('poll_vote').values([...rows]).execute();
}

export async function deleteVotes(db: Db, voterId: string, optionIds: readonly string[]): Promise<void> {
  if (optionIds.length) await db.deleteFrom('poll_vote').where('voter_id', '=', voterId).where('option_id', 'in', [...optionIds]).execute();
}

/** Who voted for one option, oldest vote first by default, keyset-paged on (time, voter). */
export async function listVotes(db: Db, optionId: string, page: PageRequest): Promise<Page<PollVoteRow>> {
  return keysetPage(db.selectFrom('poll_vote').selectAll().where('option_id', '=', optionId), { sort: 'time', id: 'voter_id' }, page);
}

/** The first `limit + 1` votes of each of several options, in one statement. */
export async function listVotesOfMany(db: Db, optionIds: readonly string[], order: 'asc' | 'desc', limit: number): Promise<PollVoteRow[]> {
  return firstOfEach(db, optionIds, { sort: 'time', id: 'voter_id', direction: order }, (optionId) =>
    db.selectFrom('poll_vote').selectAll().where('option_id', '=', optionId).limit(limit + 1),
  );
}

/** The first `limit + 1` options of each of several polls, in one statement. */
export async function listOptionsOfMany(db: Db, pollIds: readonly string[], limit: number): Promise<PollOptionRow[]> {
  return firstOfEach(db, pollIds, { sort: 'position', id: 'id', direction: 'asc' }, (pollId) =>
    db.selectFrom('poll_option').selectAll().where('poll_id', '=', pollId).limit(limit + 1),
  );
}

/** Removes the polls of posts being deleted, with their options and votes. */
export async function deletePollsOfPosts(db: Db, postIds: readonly string[]): Promise<void> {
  if (postIds.length === 0) return;
  const polls = db.selectFrom('poll').select('id').where('post_id', 'in', [...postIds]);
  await db.deleteFrom('poll_vote').where('poll_id', 'in', polls).execute();
  await db.deleteFrom('poll_option').where('poll_id', 'in', polls).execute();
  await db.deleteFrom('poll').where('post_id', 'in', [...postIds]).execute();
}

/** Removes every vote one voter cast (their content is being deleted). */
export async function deleteVotesOfVoter(db: Db, voterId: string): Promise<void> {
  await db.deleteFrom('poll_vote').where('voter_id', '=', voterId).execute();
}
