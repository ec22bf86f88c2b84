import { lockKey } from '../../db/database.js';
import { deleteVotes, insertPoll, insertVotes, optionsOfPolls, type PollOptionRow, type PollRow, votesOf } from '../../db/repositories/poll.js';
import type { PostRow } from '../../db/repositories/post.js';
import { invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import { authorOf } from '../actor.js';
import { type OutboxEvent, recordChange } from '../events.js';
import { authorName, postWireId } from './post.js';
import type { Write } from './shared.js';

// Polls on group posts: a question with 2 to 20 options, one answer or several. Workplace's
// Graph API reads polls (`poll{options{name,vote_count,votes}}`) and has no call that creates one
// or votes, so polls are made and answered in the member app; every vote sends the
// Commonplace webhook field group/poll_votes (Workplace documents no field for votes).

export const POLL_LIMITS = { minOptions: 2, maxOptions: 20, question: 500, option: 200 } as const;

/** A poll as a post write gives it. */
export interface PollInput {
  question: string;
  options: readonly string[];
  /** Voters may pick several options (Workplace's "Allow people to choose multiple options"). */
  multiple_choice?: boolean;
}

/** Checks a poll's question and options; returns them trimmed. */
export function checkPoll(input: PollInput): { question: string; options: string[]; multiple: boolean } {
  const question = typeof input.question === 'string' ? input.question.trim() : '';
  if (!question) throw invalidParameter('A poll needs a question');
  if (question.length > POLL_LIMITS.question) throw invalidParameter(`A poll question has at most ${POLL_LIMITS.question} characters`);
  if (!Array.isArray(input.options) || input.options.some((o) => typeof o !== 'string')) throw invalidParameter('Poll options must be a list of texts');
  const options = input.options.map((o) => o.trim()).filter((o) => o !== '');
  if (options.length < POLL_LIMITS.minOptions || options.length > POLL_LIMITS.maxOptions) {
    throw invalidParameter(`A poll has ${POLL_LIMITS.minOptions} to ${POLL_LIMITS.maxOptions} options, got ${options.length}`);
  }
  const long = options.find((o) => o.length > POLL_LIMITS.option);
  if (long) throw invalidParameter(`A poll option has at most ${POLL_LIMITS.option} characters`);
  const seen = new Set<string>();
  for (const o of options) {
    const key = o.toLocaleLowerCase();
    if (seen.has(key)) throw invalidParameter(`The poll option "${o.slice(0, 40)}" is given twice`);
    seen.add(key);
  }
  if (input.multiple_choice !== undefined && typeof input.multiple_choice !== 'boolean') throw invalidParameter('multiple_choice must be true or false');
  return { question, options, multiple: input.multiple_choice === true };
}

/** Stores the (checked) poll of a post being created, in the post's transaction. */
export async function pollInserter(trx: Write['trx'], post: PostRow, poll: ReturnType<typeof checkPoll>): Promise<PollRow> {
  const row: PollRow = { id: newId(), post_id: post.id, question: poll.question, allow_multiple: poll.multiple ? 1 : 0, created_time: post.created_time };
  const options: PollOptionRow[] = poll.options.map((name, position) => ({ id: newId(), poll_id: row.id, name, position }));
  await insertPoll(trx, row, options);
  return row;
}

/** The group/poll_votes webhook of a voter's new answer. */
function voteEvents(post: PostRow, poll: PollRow, verb: 'add' | 'edit' | 'remove', chosen: PollOptionRow[], voter: { id: string; name: string | null }, time: number): OutboxEvent[] {
  if (post.feed_type !== 'group') return [];
  const value = {
    verb,
    post_id: postWireId(post),
    question_id: poll.id,
    question: poll.question,
    options: chosen.map((o) => ({ id: o.id, name: o.name })),
    from: { id: voter.id, ...(voter.name ? { name: voter.name } : {}) },
    created_time: Math.floor(time / 1000),
  };
  return [{ topic: 'group', field: 'poll_votes', entryId: post.feed_id, orderingKey: post.feed_id, value }];
}

/**
 * Sets the caller's answer to a poll to exactly `optionIds` (empty removes it). A poll without
 * multiple choice takes one option; answering as before records nothing. Returns whether anything changed.
 */
export async function pollVoteSetter({ ctx, actor, trx }: Write, post: PostRow, poll: PollRow, optionIds: readonly string[]): Promise<boolean> {
  const voter = authorOf(actor);
  const options = await optionsOfPolls(trx, [poll.id]);
  const wanted = [...new Set(optionIds)];
  for (const id of wanted) if (!options.some((o) => o.id === id)) throw invalidParameter(`${String(id).slice(0, 32)} is not an option of this poll`);
  if (!poll.allow_multiple && wanted.length > 1) throw invalidParameter('This poll takes one answer; pick a single option');
  // One voter's answers to one poll change one at a time (a single-choice poll keeps one vote).
  await lockKey(trx, `poll:${poll.id}:${voter.id}`);
  const before = (await votesOf(trx, [poll.id], voter.id)).get(poll.id) ?? [];
  const added = wanted.filter((id) => !before.includes(id));
  const removed = before.filter((id) => !wanted.includes(id));
  if (added.length === 0 && removed.length === 0) return false;
  const now = ctx.clock.now();
  await deleteVotes(trx, voter.id, removed);
  await insertVotes(trx, added.map((option_id) => ({ option_id, poll_id: poll.id, voter_id: voter.id, voter_type: voter.type, time: now })));
  const inOrder = (ids: readonly string[]) => options.filter((o) => ids.includes(o.id));
  const verb = wanted.length === 0 ? 'remove' : before.length === 0 ? 'add' : 'edit';
  await recordChange(trx, ctx, actor, {
    action: verb === 'remove' ? 'poll.vote_removed' : 'poll.voted',
    target: { type: 'question', id: poll.id },
    old: { post_id: postWireId(post), option_ids: inOrder(before).map((o) => o.id) },
    new: { post_id: postWireId(post), option_ids: inOrder(wanted).map((o) => o.id) },
    events: voteEvents(post, poll, verb, inOrder(wanted), { id: voter.id, name: await authorName(trx, actor) }, now),
  });
  return true;
}
