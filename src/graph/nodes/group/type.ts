import { countGroupMembers, type GroupMembershipRow, type GroupRow, listGroupMembers, listGroupMembersOfMany } from '../../../db/repositories/group.js';
import { findMediaByIds, listGroupPhotos, listGroupPhotosOfMany } from '../../../db/repositories/media.js';
import { mediaUrl } from '../../../presenters/media.js';
import { listGroupFiles, listGroupFilesOfMany } from '../../../db/repositories/groupFile.js';
import { listGroupAlbums, listGroupAlbumsOfMany } from '../../../db/repositories/album.js';
import { listGroupDocs, listGroupDocsOfMany } from '../../../db/repositories/doc.js';
import { listGroupVideos, listGroupVideosOfMany } from '../../../db/repositories/video.js';
import { listFormerMembers, listFormerMembersOfMany, listMemberRequests, listMemberRequestsOfMany } from '../../../db/repositories/groupMembershipHistory.js';
import { findMembersByIds } from '../../../db/repositories/member.js';
import { countFeeds, listFeed, listFeeds } from '../../../db/repositories/post.js';
import type { GroupRole } from '../../../db/schema.js';
import { authorize } from '../../../policies/graph.js';
import type { EdgeQuery, EdgeSpec, NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import type { MemberView } from '../member/type.js';
import { loadProfiles } from '../profile/type.js';
import { byParent, direction } from '../shared.js';
import { groupEventsEdge } from '../event/lists.js';

/** Memberships as members seen through them (role, join time), in the memberships' order. */
async function withMembers(p: Presentation, lists: GroupMembershipRow[][]): Promise<MemberView[][]> {
  const members = new Map((await findMembersByIds(p.ctx.db, lists.flat().map((r) => r.member_id))).map((m) => [m.id, m]));
  return lists.map((rows) => rows.flatMap((r) => (members.has(r.member_id) ? [{ ...members.get(r.member_id)!, role: r.role, joined_time: r.joined_time }] : [])));
}

/**
 * A list of a group's content (photos, albums, videos, docs, files), newest first by `sort`:
 * read with `group.feed.read`, one keyset page for one group, the first page of each for many.
 */
function groupContentEdge<R extends { id: string; group_id: string | null; created_time: number; updated_time?: number }>(
  target: string,
  list: (db: Presentation['ctx']['db'], groupId: string, page: { limit: number; order: 'asc' | 'desc'; after?: EdgeQuery['after']; before?: EdgeQuery['before'] }) => Promise<{ rows: R[]; hasNext: boolean; hasPrevious: boolean }>,
  many: (db: Presentation['ctx']['db'], groupIds: readonly string[], order: 'asc' | 'desc', limit: number) => Promise<R[]>,
  sort: 'created_time' | 'updated_time',
): EdgeSpec<GroupRow, R> {
  return {
    target,
    authorize: (p, g) => authorize(p.actor, 'group.feed.read', { groupId: g.id }),
    position: (row) => ({ sort: row[sort] ?? row.created_time, id: row.id }),
    page: (p, group, q) => list(p.ctx.db, group.id, { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before }),
    many: async (p, groups, q) => byParent(groups.map((g) => g.id), await many(p.ctx.db, groups.map((g) => g.id), direction(q, 'desc'), q.limit), (row) => row.group_id ?? ''),
  };
}

function membersEdge(roles: readonly GroupRole[]): EdgeSpec<GroupRow, MemberView> {
  return {
    target: 'member',
    authorize: (p, g) => authorize(p.actor, 'group.members.read', { groupId: g.id }),
    position: (m) => ({ sort: m.joined_time ?? 0, id: m.id }),
    page: async (p, group, q) => {
      const page = await listGroupMembers(p.ctx.db, group.id, roles, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before });
      const [rows] = await withMembers(p, [page.rows]);
      return { ...page, rows };
    },
    many: async (p, groups, q) => {
      const rows = await listGroupMembersOfMany(p.ctx.db, groups.map((g) => g.id), roles, direction(q, 'asc'), q.limit);
      return withMembers(p, byParent(groups.map((g) => g.id), rows, (r) => r.group_id));
    },
    summary: async (p, groups) => {
      const counts = await countGroupMembers(p.ctx.db, groups.map((g) => g.id), roles);
      return groups.map((g) => ({ total_count: counts.get(g.id) ?? 0 }));
    },
  };
}

/**
 * Groups' covers: the stored photo as a signed link (Graph's CoverPhoto, its id the photo's);
 * a cover set before covers were fetched keeps the URL it was given.
 */
async function covers(p: Presentation, groups: GroupRow[]): Promise<({ id: string; source: string; offset_x: number; offset_y: number } | undefined)[]> {
  const media = new Map((await findMediaByIds(p.ctx.db, groups.flatMap((g) => (g.cover_media_id ? [g.cover_media_id] : [])))).map((m) => [m.id, m]));
  return groups.map((g) => {
    const photo = g.cover_media_id ? media.get(g.cover_media_id) : undefined;
    if (photo) return { id: photo.id, source: mediaUrl(p, photo), offset_x: 0, offset_y: 0 };
    return g.cover_url && !g.cover_media_id ? { id: `${g.id}_cover`, source: g.cover_url, offset_x: 0, offset_y: 0 } : undefined;
  });
}

/** A member listed with the time they asked to join or left. */
type ListedMember = MemberView & { listed_time: number };

async function listedMembers(p: Presentation, lists: { member_id: string; time: number }[][]): Promise<ListedMember[][]> {
  const members = new Map((await findMembersByIds(p.ctx.db, lists.flat().map((r) => r.member_id))).map((m) => [m.id, m]));
  return lists.map((rows) => rows.flatMap((r) => (members.has(r.member_id) ? [{ ...members.get(r.member_id)!, listed_time: r.time }] : [])));
}

/** `member_requests` (oldest first) and `former_members` (latest leavers first): people with a time, read like the members. */
function historyEdge(
  list: (p: Presentation, groupId: string, q: EdgeQuery) => Promise<{ rows: { member_id: string; time: number }[]; hasNext: boolean; hasPrevious: boolean }>,
  many: (p: Presentation, groupIds: string[], q: EdgeQuery) => Promise<{ group_id: string; member_id: string; time: number }[]>,
): EdgeSpec<GroupRow, ListedMember> {
  return {
    target: 'member',
    authorize: (p, g) => authorize(p.actor, 'group.members.read', { groupId: g.id }),
    position: (m) => ({ sort: m.listed_time, id: m.id }),
    page: async (p, group, q) => {
      const page = await list(p, group.id, q);
      const [rows] = await listedMembers(p, [page.rows]);
      return { ...page, rows };
    },
    many: async (p, groups, q) => listedMembers(p, byParent(groups.map((g) => g.id), await many(p, groups.map((g) => g.id), q), (r) => r.group_id)),
  };
}

const pageOf = (q: EdgeQuery, order: 'asc' | 'desc') => ({ limit: q.limit, order: direction(q, order), after: q.after, before: q.before });

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
    cover_url: { kind: 'batch', load: async (p, groups) => (await covers(p, groups)).map((c) => c?.source) },
    cover: { kind: 'batch', load: (p, groups) => covers(p, groups) },
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
      target: 'profile',
      key: (g) => g.owner_id,
      load: loadProfiles,
    },
  },
  edges: {
    feed: {
      target: 'post',
      authorize: (p, g) => authorize(p.actor, 'group.feed.read', { groupId: g.id }),
      paging: 'time',
      position: (post) => ({ sort: post.created_time, id: post.id }),
      page: (p, group, q) =>
        listFeed(p.ctx.db, group.id, { since: q.since, until: q.until }, { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before }),
      many: async (p, groups, q) => {
        const rows = await listFeeds(p.ctx.db, groups.map((g) => g.id), { since: q.since, until: q.until }, direction(q, 'desc'), q.limit);
        return byParent(groups.map((g) => g.id), rows, (r) => r.feed_id);
      },
      summary: async (p, groups, q) => {
        const counts = await countFeeds(p.ctx.db, groups.map((g) => g.id), { since: q.since, until: q.until });
        return groups.map((g) => ({ total_count: counts.get(g.id) ?? 0 }));
      },
    },
    members: membersEdge(['admin', 'moderator', 'member']),
    member_requests: historyEdge(
      async (p, id, q) => {
        const page = await listMemberRequests(p.ctx.db, id, pageOf(q, 'asc'));
        return { ...page, rows: page.rows.map((r) => ({ member_id: r.member_id, time: r.requested_time })) };
      },
      async (p, ids, q) => (await listMemberRequestsOfMany(p.ctx.db, ids, direction(q, 'asc'), q.limit)).map((r) => ({ group_id: r.group_id, member_id: r.member_id, time: r.requested_time })),
    ),
    former_members: historyEdge(
      async (p, id, q) => {
        const page = await listFormerMembers(p.ctx.db, id, pageOf(q, 'desc'));
        return { ...page, rows: page.rows.map((r) => ({ member_id: r.member_id, time: r.left_time })) };
      },
      async (p, ids, q) => (await listFormerMembersOfMany(p.ctx.db, ids, direction(q, 'desc'), q.limit)).map((r) => ({ group_id: r.group_id, member_id: r.member_id, time: r.left_time })),
    ),
    admins: membersEdge(['admin']),
    moderators: membersEdge(['moderator']),
    photos: groupContentEdge('photo', listGroupPhotos, listGroupPhotosOfMany, 'created_time'),
    events: groupEventsEdge,
    albums: groupContentEdge('album', listGroupAlbums, listGroupAlbumsOfMany, 'created_time'),
    videos: groupContentEdge('video', listGroupVideos, listGroupVideosOfMany, 'created_time'),
    docs: groupContentEdge('doc', listGroupDocs, listGroupDocsOfMany, 'updated_time'),
    files: groupContentEdge('group_file', listGroupFiles, listGroupFilesOfMany, 'updated_time'),
    groups: {
      // Workplace groups have no sub-groups here; the edge exists and is empty.
      target: 'group',
      position: (g) => ({ sort: g.created_time, id: g.id }),
      page: async () => ({ rows: [], hasNext: false, hasPrevious: false }),
      many: async (_p, groups) => groups.map(() => []),
    },
  },
};
