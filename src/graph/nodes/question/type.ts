import type { Db } from '../../../db/database.js';
import { countVoters, findPollsByIds, findPollsOfPosts, listOptionsOfMany, listPollOptions, type PollRow } from '../../../db/repositories/poll.js';
import { findPostsByIds, type PostRow } from '../../../db/repositories/post.js';
import { authorizeContent } from '../../../policies/graph.js';
import type { NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import { postTarget } from '../post/type.js';
import { loadProfiles } from '../profile/type.js';
import { byParent } from '../shared.js';
import type { OptionRow } from '../question_option/type.js';

/** A poll (Graph's Question) with the post it sits on: the post's rules are the poll's. */
export type QuestionRow = { poll: PollRow; post: PostRow };

/** Reading a poll, its options or its votes: the rule of reading its post. */
export const readQuestion = (p: Presentation, q: Pick<QuestionRow, 'post'>) => authorizeContent(p.actor, 'read', postTarget(q.post));

/** Polls by id, with their posts. */
export async function questionsByIds(db: Db, ids: readonly string[]): Promise<QuestionRow[]> {
  const polls = await findPollsByIds(db, ids);
  const posts = new Map((await findPostsByIds(db, polls.map((x) => x.post_id))).map((x) => [x.id, x]));
  return polls.filter((x) => posts.has(x.post_id)).map((poll) => ({ poll, post: posts.get(poll.post_id)! }));
}

/** The `poll` of posts, by post id. */
export async function questionsOfPosts(p: Presentation, postIds: string[]): Promise<Map<string, QuestionRow>> {
  const polls = await findPollsOfPosts(p.ctx.db, postIds);
  const posts = new Map((await findPostsByIds(p.ctx.db, polls.map((x) => x.post_id))).map((x) => [x.id, x]));
  return new Map(polls.filter((x) => posts.has(x.post_id)).map((poll) => [poll.post_id, { poll, post: posts.get(poll.post_id)! }]));
}

/**
 * Graph's Question (the `poll` of a post): Facebook's Question fields, with `multiple_choice`
 * and `voter_count` added by Commonplace. A poll's options cannot change, so `updated_time` is
 * its creation time.
 */
export const questionType: NodeType<QuestionRow> = {
  name: 'Question',
  defaults: ['id', 'question'],
  id: (q) => q.poll.id,
  fields: {
    id: { kind: 'scalar', get: (q) => q.poll.id },
    question: { kind: 'scalar', get: (q) => q.poll.question },
    from: { kind: 'ref', target: 'profile', key: (q) => q.post.author_id, load: loadProfiles },
    created_time: { kind: 'scalar', get: (q) => graphTime(q.poll.created_time) },
    updated_time: { kind: 'scalar', get: (q) => graphTime(q.poll.created_time) },
    multiple_choice: { kind: 'scalar', get: (q) => q.poll.allow_multiple === 1 },
    voter_count: {
      kind: 'batch',
      load: async (p, rows) => {
        const counts = await countVoters(p.ctx.db, rows.map((q) => q.poll.id));
        return rows.map((q) => counts.get(q.poll.id) ?? 0);
      },
    },
  },
  edges: {
    options: {
      target: 'question_option',
      authorize: readQuestion,
      position: (o: OptionRow) => ({ sort: o.option.position, id: o.option.id }),
      page: async (p, q, e) => {
        const page = await listPollOptions(p.ctx.db, q.poll.id, { limit: e.limit, order: 'asc', after: e.after, before: e.before });
        return { ...page, rows: page.rows.map((option) => ({ option, ...q })) };
      },
      many: async (p, rows, e) => {
        const options = await listOptionsOfMany(p.ctx.db, rows.map((q) => q.poll.id), e.limit);
        return byParent(rows.map((q) => q.poll.id), options, (o) => o.poll_id).map((list, i) => list.map((option) => ({ option, ...rows[i] })));
      },
      summary: async (p, rows) => {
        const voters = await countVoters(p.ctx.db, rows.map((q) => q.poll.id));
        return rows.map((q) => ({ voter_count: voters.get(q.poll.id) ?? 0 }));
      },
    },
  },
};
