import { countReactions, listReactions, listReactionsOfMany, type ReactionFilter, reactionsOfActor, type ReactionRow } from '../../../db/repositories/reaction.js';
import { countSeen, listSeen, listSeenOfMany } from '../../../db/repositories/seen.js';
import { authorOf } from '../../../domain/actor.js';
import type { EdgeQuery, EdgeSpec, NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import { loadProfiles, type ProfileRow, profileId, profileType } from '../profile/type.js';
import { byParent, direction } from '../shared.js';

/** A profile with what it did to an object: a reaction type, or the time it saw a post. */
export type ReactorRow = { profile: ProfileRow; type?: string; time: number; seen?: boolean };

const profileFields = profileType.fields;

export const reactorType: NodeType<ReactorRow> = {
  name: 'Profile',
  defaults: ['id', 'name'],
  id: (r) => profileId(r.profile),
  fields: {
    ...Object.fromEntries(
      Object.entries(profileFields).map(([name, spec]) => {
        if (spec.kind === 'scalar') return [name, { ...spec, get: (r: ReactorRow, p: Presentation) => spec.get(r.profile, p) }];
        if (spec.kind === 'batch') return [name, { ...spec, load: (p: Presentation, rows: ReactorRow[]) => spec.load(p, rows.map((r) => r.profile)) }];
        return [name, { ...spec, key: (r: ReactorRow) => spec.key(r.profile) }];
      }),
    ),
    type: { kind: 'scalar', get: (r) => r.type },
    seen_time: { kind: 'scalar', get: (r) => (r.seen ? graphTime(r.time) : undefined) },
  } as NodeType<ReactorRow>['fields'],
  edges: {},
};

async function withProfiles(p: Presentation, rows: { actor_id: string; type?: string; time: number; seen?: boolean }[]): Promise<ReactorRow[]> {
  const profiles = await loadProfiles(p, rows.map((r) => r.actor_id));
  return rows.filter((r) => profiles.has(r.actor_id)).map((r) => ({ profile: profiles.get(r.actor_id)!, type: r.type, time: r.time, seen: r.seen }));
}

const fromReaction = (r: ReactionRow) => ({ actor_id: r.actor_id, type: r.type, time: r.created_time });
const fromSeen = (r: { member_id: string; seen_time: number }) => ({ actor_id: r.member_id, time: r.seen_time, seen: true });

/**
 * The likes (only LIKE) or reactions (every type, `type` filters) of posts or comments.
 * `idOf` gives the stored object id of a parent.
 */
export function reactionsEdge<Parent>(kind: 'likes' | 'reactions', idOf: (parent: Parent) => string, authorizeRead: (p: Presentation, parent: Parent) => void): EdgeSpec<Parent, ReactorRow> {
  const filterOf = (q: EdgeQuery): ReactionFilter => ({ type: kind === 'likes' ? 'LIKE' : q.type && q.type !== 'NONE' ? q.type : undefined, since: q.since, until: q.until });
  return {
    target: 'reactor',
    authorize: authorizeRead,
    position: (r) => ({ sort: r.time, id: profileId(r.profile) }),
    page: async (p, parent, q) => {
      const page = await listReactions(p.ctx.db, idOf(parent), filterOf(q), { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before });
      return { ...page, rows: await withProfiles(p, page.rows.map(fromReaction)) };
    },
    many: async (p, parents, q) => {
      const rows = await listReactionsOfMany(p.ctx.db, parents.map(idOf), filterOf(q), direction(q, 'desc'), q.limit);
      const profiles = await loadProfiles(p, rows.map((r) => r.actor_id));
      const byObject = new Map<string, ReactorRow[]>();
      for (const r of rows) {
        const profile = profiles.get(r.actor_id);
        if (!profile) continue;
        const list = byObject.get(r.object_id) ?? [];
        list.push({ profile, type: r.type, time: r.created_time });
        byObject.set(r.object_id, list);
      }
      return parents.map((parent) => byObject.get(idOf(parent)) ?? []);
    },
    summary: async (p, parents, q) => {
      const ids = parents.map(idOf);
      const counts = await countReactions(p.ctx.db, ids, filterOf(q));
      const viewer = p.actor.kind === 'system' ? new Map<string, string>() : await reactionsOfActor(p.ctx.db, ids, authorOf(p.actor).id);
      return ids.map((id) =>
        kind === 'likes'
          ? { total_count: counts.get(id) ?? 0, can_like: true, has_liked: viewer.get(id) === 'LIKE' }
          : { total_count: counts.get(id) ?? 0, viewer_reaction: viewer.get(id) ?? 'NONE' },
      );
    },
  };
}

/** Who saw a post, and when. */
export function seenEdge<Parent>(idOf: (parent: Parent) => string, authorizeRead: (p: Presentation, parent: Parent) => void): EdgeSpec<Parent, ReactorRow> {
  return {
    target: 'reactor',
    authorize: authorizeRead,
    position: (r) => ({ sort: r.time, id: profileId(r.profile) }),
    page: async (p, parent, q) => {
      const page = await listSeen(p.ctx.db, idOf(parent), { since: q.since, until: q.until }, { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before });
      return { ...page, rows: await withProfiles(p, page.rows.map(fromSeen)) };
    },
    many: async (p, parents, q) => {
      const rows = await listSeenOfMany(p.ctx.db, parents.map(idOf), { since: q.since, until: q.until }, direction(q, 'desc'), q.limit);
      const profiles = await loadProfiles(p, rows.map((r) => r.member_id));
      const lists = byParent(parents.map(idOf), rows, (r) => r.post_id);
      return lists.map((list) => list.flatMap((r) => (profiles.has(r.member_id) ? [{ profile: profiles.get(r.member_id)!, time: r.seen_time, seen: true }] : [])));
    },
    summary: async (p, parents) => {
      const counts = await countSeen(p.ctx.db, parents.map(idOf));
      return parents.map((parent) => ({ total_count: counts.get(idOf(parent)) ?? 0 }));
    },
  };
}
