import { badgesOfMembers, listCustomBadges } from '../db/repositories/badge.js';
import type { MemberRow } from '../db/repositories/member.js';
import { type Badge, builtInBadges, customBadge } from '../domain/badges.js';
import { graphTime } from '../graph/time.js';
import { authorize } from '../policies/graph.js';
import type { EdgeSpec, NodeType, Presentation } from './types.js';

/** A badge, and when it was awarded when seen on a profile. */
export type BadgeView = Badge & { awarded_time?: number };

export const badgeType: NodeType<BadgeView> = {
  name: 'Badge',
  defaults: ['id', 'name', 'description', 'icon', 'category'],
  id: (b) => b.id,
  fields: {
    id: { kind: 'scalar', get: (b) => b.id },
    name: { kind: 'scalar', get: (b) => b.name },
    description: { kind: 'scalar', get: (b) => b.description },
    icon: { kind: 'scalar', get: (b) => b.icon },
    category: { kind: 'scalar', get: (b) => b.category },
    awarded_time: { kind: 'scalar', get: (b) => graphTime(b.awarded_time) },
  },
  edges: {},
};

/** The whole catalogue: built-in badges, then custom ones oldest first. */
export async function badgeCatalogue(p: Pick<Presentation, 'ctx'>): Promise<Badge[]> {
  return [...builtInBadges, ...(await listCustomBadges(p.ctx.db)).map(customBadge)];
}

/** Badges on each member's profile, oldest award first (retired custom badges are gone). */
export async function badgesOf(p: Pick<Presentation, 'ctx'>, members: readonly MemberRow[]): Promise<BadgeView[][]> {
  const awards = await badgesOfMembers(p.ctx.db, members.map((m) => m.id));
  const catalogue = new Map((await badgeCatalogue(p)).map((b) => [b.id, b]));
  return members.map((m) =>
    (awards.get(m.id) ?? []).flatMap((a) => {
      const badge = catalogue.get(a.badge);
      return badge ? [{ ...badge, awarded_time: a.awarded_time }] : [];
    }),
  );
}

/** A list edge over a short, fully loaded list (no cursors beyond position in it). */
function wholeList<Parent>(load: (p: Presentation, parents: Parent[]) => Promise<BadgeView[][]>, action: 'member.badges.read' | 'community.badges.read'): EdgeSpec<Parent, BadgeView> {
  return {
    target: () => badgeType,
    authorize: (p) => authorize(p.actor, action),
    position: (b) => ({ sort: b.awarded_time ?? 0, id: b.id }),
    page: async (p, parent, q) => {
      const [all] = await load(p, [parent]);
      const start = q.after ? all.findIndex((b) => b.id === q.after!.id) + 1 : 0;
      const rows = all.slice(start, start + q.limit);
      return { rows, hasNext: start + q.limit < all.length, hasPrevious: start > 0 };
    },
    many: async (p, parents, q) => (await load(p, parents)).map((list) => list.slice(0, q.limit + 1)),
  };
}

/** `/{member}/badges` and the `badges` field. */
export const memberBadgesEdge = wholeList<MemberRow>((p, members) => badgesOf(p, members), 'member.badges.read');

/** `/community/badges`: the catalogue. */
export const communityBadgesEdge = wholeList<unknown>(async (p, parents) => {
  const all = await badgeCatalogue(p);
  return parents.map(() => all);
}, 'community.badges.read');


