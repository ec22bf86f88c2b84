import { communityEventsEdge } from '../event/lists.js';
import type { CommunityTable } from '../../../db/schema.js';
import { listGroups } from '../../../db/repositories/group.js';
import { countMembers, listMembers, type MemberListFilter } from '../../../db/repositories/member.js';
import { authorize, type GraphAction } from '../../../policies/graph.js';
import type { EdgeQuery, EdgeSpec, NodeType } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import type { MemberView } from '../member/type.js';
import { direction, scopeIds } from '../shared.js';
import { communityBadgesEdge } from '../badge/type.js';
import { communityReportsEdge } from '../reported_content/type.js';
import { communitySkillsEdge } from '../skill/type.js';
import { communityCategoriesEdge } from '../knowledge_category/type.js';
import { communityQuickLinksEdge } from '../knowledge_quick_link/type.js';

export type CommunityRow = CommunityTable;

const ACTIVE = ['provisioned', 'invited', 'claimed'] as const;
const absent = { kind: 'scalar' as const, get: () => undefined };

// There is one community: a nested list reads once and serves every parent.
function memberList(action: GraphAction, filter: (q: EdgeQuery) => MemberListFilter, params?: readonly string[]): EdgeSpec<CommunityRow, MemberView> {
  return {
    target: 'member',
    params,
    authorize: (p) => authorize(p.actor, action),
    position: (m) => ({ sort: m.name, id: m.id }),
    page: (p, _c, q) => listMembers(p.ctx.db, filter(q), { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before }),
    many: async (p, communities, q) => {
      const { rows } = await listMembers(p.ctx.db, filter(q), { limit: q.limit + 1, order: direction(q, 'asc') });
      return communities.map(() => rows);
    },
    summary: async (p, communities, q) => {
      const n = await countMembers(p.ctx.db, filter(q));
      return communities.map(() => ({ total_count: n }));
    },
  };
}

/** `external_ids=a,b` or `external_ids=["a","b"]`; absent or empty means every member. */
function externalIdsOf(text: string | undefined): string[] | undefined {
  const t = (text ?? '').trim();
  if (!t) return undefined;
  let list: unknown[] = t.split(',');
  if (t.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(t);
      if (Array.isArray(parsed)) list = parsed;
    } catch {
      // not JSON: a comma-separated list that happens to start with a bracket
    }
  }
  const ids = list.map((v) => String(v).trim()).filter(Boolean);
  return ids.length ? ids : undefined;
}

/** The community (alias `company`): a group-like root node. */
export const communityType: NodeType<CommunityRow> = {
  name: 'Group',
  defaults: ['id', 'name', 'privacy'],
  id: (c) => c.id,
  fields: {
    id: { kind: 'scalar', get: (c) => c.id },
    name: { kind: 'scalar', get: (c) => c.name },
    privacy: { kind: 'scalar', get: () => 'CLOSED' },
    is_community: { kind: 'scalar', get: () => true },
    is_workplace_default: { kind: 'scalar', get: () => true },
    created_time: { kind: 'scalar', get: (c) => graphTime(c.created_time) },
    updated_time: { kind: 'scalar', get: (c) => graphTime(c.created_time) },
    // The community answers as a Group: the group fields it has no value for are left out.
    icon: { kind: 'scalar', get: (_c, p) => `${p.publicBase}/media/group-icon.svg` },
    permalink_url: { kind: 'scalar', get: (_c, p) => `${p.publicBase}/` },
    archived: { kind: 'scalar', get: () => false },
    is_official_group: { kind: 'scalar', get: () => false },
    post_requires_admin_approval: { kind: 'scalar', get: () => false },
    member_count: {
      kind: 'batch',
      load: async (p, communities) => {
        const n = await countMembers(p.ctx.db, { states: ACTIVE });
        return communities.map(() => n);
      },
    },
    description: absent,
    cover: absent,
    cover_url: absent,
    owner: absent,
    purpose: absent,
    post_permissions: absent,
    join_setting: absent,
  },
  edges: {
    groups: {
      target: 'group',
      authorize: (p) => authorize(p.actor, 'community.groups.read'),
      position: (g) => ({ sort: g.created_time, id: g.id }),
      page: (p, _c, q) => listGroups(p.ctx.db, scopeIds(p), { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before }),
      many: async (p, communities, q) => {
        const { rows } = await listGroups(p.ctx.db, scopeIds(p), { limit: q.limit + 1, order: direction(q, 'desc') });
        return communities.map(() => rows);
      },
    },
    members: memberList('community.members.read', (q) => ({ states: ACTIVE, externalIds: externalIdsOf(q.extra?.external_ids) }), ['external_ids']),
    organization_members: memberList(
      'community.organization_members.read',
      (q) => ({ states: ['1', 'true'].includes(q.extra?.inactive ?? '') ? ['deactivated'] : ACTIVE }),
      ['inactive'],
    ),
    former_members: memberList('community.former_members.read', () => ({ states: ['deactivated'] })),
    admins: memberList('community.admins.read', () => ({ states: ACTIVE, adminsOnly: true })),
    badges: communityBadgesEdge,
    events: communityEventsEdge,
    skills: communitySkillsEdge,
    reported_content: communityReportsEdge,
    knowledge_library_categories: communityCategoriesEdge,
    knowledge_quick_links: communityQuickLinksEdge,
  },
};
