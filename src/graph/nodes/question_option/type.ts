import { countVotes, listVotes, listVotesOfMany, type PollOptionRow, type PollVoteRow } from '../../../db/repositories/poll.js';
import type { NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import { loadProfiles, profileId } from '../profile/type.js';
import { type QuestionRow, readQuestion } from '../question/type.js';
import type { ReactorRow } from '../reactor/type.js';
import { byParent, direction } from '../shared.js';

/** One option of a poll, with its poll and post. */
export type OptionRow = QuestionRow & { option: PollOptionRow };

async function voters(p: Presentation, votes: PollVoteRow[]): Promise<(ReactorRow & { option_id: string })[]> {
  const profiles = await loadProfiles(p, votes.map((v) => v.voter_id));
  return votes.filter((v) => profiles.has(v.voter_id)).map((v) => ({ profile: profiles.get(v.voter_id)!, time: v.time, option_id: v.option_id }));
}

/** Graph's QuestionOption: its name, its votes and who cast them (`votes`, oldest first). */
export const questionOptionType: NodeType<OptionRow> = {
  name: 'QuestionOption',
  defaults: ['id', 'name', 'vote_count'],
  id: (o) => o.option.id,
  fields: {
    id: { kind: 'scalar', get: (o) => o.option.id },
    name: { kind: 'scalar', get: (o) => o.option.name },
    vote_count: {
      kind: 'batch',
      load: async (p, rows) => {
        const counts = await countVotes(p.ctx.db, rows.map((o) => o.option.id));
        return rows.map((o) => counts.get(o.option.id) ?? 0);
      },
    },
    from: { kind: 'ref', target: 'profile', key: (o) => o.post.author_id, load: loadProfiles },
    created_time: { kind: 'scalar', get: (o) => graphTime(o.poll.created_time) },
    /** The poll the option belongs to. */
    question: { kind: 'scalar', get: (o) => ({ id: o.poll.id }) },
  },
  edges: {
    votes: {
      target: 'reactor',
      authorize: readQuestion,
      defaultOrder: 'chronological',
      position: (r: ReactorRow) => ({ sort: r.time, id: profileId(r.profile) }),
      page: async (p, o, q) => {
        const page = await listVotes(p.ctx.db, o.option.id, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before });
        return { ...page, rows: await voters(p, page.rows) };
      },
      many: async (p, rows, q) => {
        const all = await voters(p, await listVotesOfMany(p.ctx.db, rows.map((o) => o.option.id), direction(q, 'asc'), q.limit));
        return byParent(rows.map((o) => o.option.id), all, (r) => r.option_id);
      },
      summary: async (p, rows) => {
        const counts = await countVotes(p.ctx.db, rows.map((o) => o.option.id));
        return rows.map((o) => ({ total_count: counts.get(o.option.id) ?? 0 }));
      },
    },
  },
};
