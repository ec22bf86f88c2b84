import { countGroupMembers, type GroupRow, listGroupMembers } from '../db/repositories/group.js';
import { listGroupPhotos } from '../db/repositories/media.js';
import { findMembersByIds } from '../db/repositories/member.js';
import { countFeeds, listFeed, listFeeds } from '../db/repositories/post.js';
import type { GroupRole } from '../db/schema.js';
import { graphTime } from '../graph/time.js';
import { authorize } from '../policies/graph.js';
import { photoType } from './media.js';
import { direction, type MemberView, memberType } from './member.js';
import { postType } from './post.js';
import { loadProfiles, type ProfileRow, profileType } from './profile.js';
import type { EdgeSpec, NodeType } from './types.js';

function membersEdge(roles: readonly GroupRole[]): EdgeSpec<GroupRow, MemberView> {
  return {
    target: () => memberType,
    authorize: (p, g) => authorize(p.actor, 'group.members.read', { groupId: g.id }),
    position: (m) => ({ sort: m.joined_time ?? 0, id: m.id }),
    page: async (p, group, q) => {
      const page = await listGroupMembers(p.ctx.db, group.id, roles, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before });
      const members = new Map((await findMembersByIds(p.ctx.db, page.rows.map((r) => r.member_id))).map((m) => [m.id, m]));
      const rows = page.rows
        .filter((r) => members.has(r.member_id))
        .map((r) => ({ ...members.get(r.member_id)!, role: r.role, joined_time: r.joined_time }));
      return { ...page, rows };
    },
    summary: async (p, groups) => {
      const counts = await countGroupMembers(p.ctx.db, groups.map((g) => g.id), roles);
      return groups.map((g) => ({ total_count: counts.get(g.id) ?? 0 }));
    },
  };
}

export const groupType: NodeType<GroupRow> = {
  name: 'Group',
  defaults: ['id', 'name', 'privacy'],
  id: (g) => g.id,
  fields: {
    id: { kind: 'scalar', get: (g) => g.id },
    name: { kind: 'scalar', get: (g) => g.name },
    description: { kind: 'scalar', get: (g) => g.description ?? undefined },
    privacy: { kind: 'scalar', get: (g) => g.privacy },
    purpose: { kind: 'scalar', get: (g) => g.purpose ?? undefined },
    post_permissions: { kind: 'scalar', get: (g) => g.post_permissions },
    join_setting: { kind: 'scalar', get: (g) => g.join_setting },
    post_requires_admin_approval: { kind: 'scalar', get: (g) => g.post_requires_admin_approval === 1 },
    archived: { kind: 'scalar', get: (g) => g.archived === 1 },
    cover_url: { kind: 'scalar', get: (g) => g.cover_url ?? undefined },
    cover: { kind: 'scalar', get: (g) => (g.cover_url ? { id: `${g.id}_cover`, source: g.cover_url, offset_x: 0, offset_y: 0 } : undefined) },
    icon: { kind: 'scalar', get: (g, p) => `${p.publicBase}/media/group-icon.svg` },
    is_workplace_default: { kind: 'scalar', get: () => false },
    is_community: { kind: 'scalar', get: () => false },
    is_official_group: { kind: 'scalar', get: () => false },
    created_time: { kind: 'scalar', get: (g) => graphTime(g.created_time) },
    updated_time: { kind: 'scalar', get: (g) => graphTime(g.updated_time) },
    permalink_url: { kind: 'scalar', get: (g, p) => `${p.publicBase}/groups/${g.id}` },
    member_count: {
      kind: 'batch',
      load: async (p, groups) => {
        const counts = await countGroupMembers(p.ctx.db, groups.map((g) => g.id), ['admin', 'moderator', 'member']);
        return groups.map((g) => counts.get(g.id) ?? 0);
      },
    },
    owner: {
      kind: 'ref',
      target: () => profileType,
      key: (g) => g.owner_id,
      load: (p, ids) => loadProfiles(p, ids) as Promise<Map<string, ProfileRow>>,
    },
  },
  edges: {
    feed: {
      target: () => postType,
      authorize: (p, g) => authorize(p.actor, 'group.feed.read', { groupId: g.id }),
      paging: 'time',
      position: (post) => ({ sort: post.created_time, id: post.id }),
      page: (p, group, q) =>
        listFeed(p.ctx.db, group.id, { since: q.since, until: q.until }, { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before }),
      many: async (p, groups, q) => {
        const rows = await listFeeds(p.ctx.db, groups.map((g) => g.id), { since: q.since, until: q.until }, direction(q, 'desc'), q.limit);
        return groups.map((g) => rows.filter((r) => r.feed_id === g.id));
      },
      summary: async (p, groups, q) => {
        const counts = await countFeeds(p.ctx.db, groups.map((g) => g.id), { since: q.since, until: q.until });
        return groups.map((g) => ({ total_count: counts.get(g.id) ?? 0 }));
      },
    },
    members: membersEdge(['admin', 'moderator', 'member']),
    admins: membersEdge(['admin']),
    moderators: membersEdge(['moderator']),
    photos: {
      target: () => photoType,
      authorize: (p, g) => authorize(p.actor, 'group.feed.read', { groupId: g.id }),
      position: (m) => ({ sort: m.created_time, id: m.id }),
      page: (p, group, q) => listGroupPhotos(p.ctx.db, group.id, { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before }),
    },
    groups: {
      // Workplace groups have no sub-groups here; the edge exists and is empty.
      target: () => groupType,
      position: (g) => ({ sort: g.created_time, id: g.id }),
      page: async () => ({ rows: [], hasNext: false, hasPrevious: false }),
    },
  },
};

/** A group as the web apps' JSON APIs show it (admin panel and member app add their own fields). */
export function groupSummary(g: GroupRow & { member_count?: number }) {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    privacy: g.privacy,
    join_setting: g.join_setting,
    post_permissions: g.post_permissions,
    archived: g.archived === 1,
    member_count: g.member_count,
  };
}
