import type { MemberRow } from '../../../db/repositories/member.js';
import { badgeCatalogue, badgesOf, type BadgeView } from '../../../domain/badges.js';
import { authorize } from '../../../policies/graph.js';
import type { EdgeSpec, NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';

/** A badge of the catalogue (`GET /community/badges`) or on a profile (`/{member}/badges`). */
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

/** An edge over a short list loaded whole for every parent (cursors are positions in it). */
function wholeList<Parent>(load: (p: Presentation, parents: Parent[]) => Promise<BadgeView[][]>, action: 'member.badges.read' | 'community.badges.read'): EdgeSpec<Parent, BadgeView> {
  return {
    target: 'badge',
    authorize: (p) => authorize(p.actor, action),
    position: (b) => ({ sort: b.awarded_time ?? 0, id: b.id }),
    page: async (p, parent, q) => {
      const [all] = await load(p, [parent]);
      const start = q.after ? all.findIndex((b) => b.id === q.after!.id) + 1 : 0;
      return { rows: all.slice(start, start + q.limit), hasNext: start + q.limit < all.length, hasPrevious: start > 0 };
    },
    many: async (p, parents, q) => (await load(p, parents)).map((list) => list.slice(0, q.limit + 1)),
  };
}

/** `/{member}/badges` and the `badges` field. */
export const memberBadgesEdge = wholeList<MemberRow>((p, members) => badgesOf(p.ctx, members), 'member.badges.read');

/** `/community/badges`: the catalogue. */
export const communityBadgesEdge = wholeList<unknown>(async (p, parents) => {
  const all = await badgeCatalogue(p.ctx);
  return parents.map(() => all);
}, 'community.badges.read');
