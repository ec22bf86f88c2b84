import { findGroupsByIds, type GroupMembershipRow, type GroupRow, listMemberGroups, listMemberGroupsOfMany } from '../../../db/repositories/group.js';
import { findMembersByIds, listMembers, listReportsOfMany, type MemberRow } from '../../../db/repositories/member.js';
import { listFeed, listFeeds } from '../../../db/repositories/post.js';
import { graphTime } from '../../time.js';
import { authorize } from '../../../policies/graph.js';
import { loadPictures, pictureObject } from '../../../presenters/media.js';
import type { FieldSpec, NodeType, Presentation } from '../../../presenters/types.js';
import { byParent, direction, scopeIds } from '../shared.js';
import { memberBadgesEdge } from '../badge/type.js';
import { memberSkillsEdge } from '../skill/type.js';
import { memberEventsEdge } from '../event/lists.js';

/** A member, possibly seen through a group membership (role, join time). */
export type MemberView = MemberRow & { role?: GroupMembershipRow['role']; joined_time?: number };
export type GroupView = GroupRow & { joined_time?: number };

const work = 'member.work_profile' as const;
const text = (v: string | null) => v ?? undefined;
const REPORTING = ['provisioned', 'invited', 'claimed'] as const;

/** Memberships as groups seen through them (join time), in the memberships' order. */
async function withGroups(p: Presentation, lists: GroupMembershipRow[][]): Promise<GroupView[][]> {
  const groups = new Map((await findGroupsByIds(p.ctx.db, lists.flat().map((r) => r.group_id))).map((g) => [g.id, g]));
  return lists.map((rows) => rows.flatMap((r) => (groups.has(r.group_id) ? [{ ...groups.get(r.group_id)!, joined_time: r.joined_time }] : [])));
}

/** The member's fields, each with the permission the member node needs for it; profiles reuse them. */
export const memberFields: Record<string, FieldSpec<MemberView>> = {
    id: { kind: 'scalar', get: (m) => m.id },
    name: { kind: 'scalar', get: (m) => m.name },
    first_name: { kind: 'scalar', get: (m) => m.first_name },
    last_name: { kind: 'scalar', get: (m) => m.last_name || undefined },
    name_format: { kind: 'scalar', get: () => '{first} {last}' },
    email: { kind: 'scalar', action: 'member.email', get: (m) => text(m.email) },
    title: { kind: 'scalar', action: work, get: (m) => text(m.title) },
    department: { kind: 'scalar', action: work, get: (m) => text(m.department) },
    division: { kind: 'scalar', action: work, get: (m) => text(m.division) },
    organization: { kind: 'scalar', action: work, get: (m) => text(m.organization) },
    employee_number: { kind: 'scalar', action: work, get: (m) => text(m.employee_number) },
    cost_center: { kind: 'scalar', action: work, get: (m) => text(m.cost_center) },
    primary_phone: { kind: 'scalar', action: work, get: (m) => text(m.primary_phone) },
    primary_address: { kind: 'scalar', action: work, get: (m) => text(m.primary_address) },
    locale: { kind: 'scalar', action: work, get: (m) => text(m.locale) },
    external_id: { kind: 'scalar', action: work, get: (m) => text(m.external_id) },
    account_invite_time: { kind: 'scalar', action: work, get: (m) => graphTime(m.invited_time) },
    account_claim_time: { kind: 'scalar', action: work, get: (m) => graphTime(m.claimed_time) },
    account_deactivate_time: { kind: 'scalar', action: work, get: (m) => graphTime(m.deactivated_time) },
    account_state: { kind: 'scalar', action: work, get: (m) => m.state.toUpperCase() },
    active: { kind: 'scalar', action: work, get: (m) => m.state !== 'deactivated' },
    is_frontline: { kind: 'scalar', action: work, get: (m) => m.is_frontline === 1 },
    frontline: { kind: 'scalar', action: work, get: (m) => ({ is_frontline: m.is_frontline === 1 }) },
    updated_time: { kind: 'scalar', get: (m) => graphTime(m.updated_time) },
    link: { kind: 'scalar', get: (m, p) => `${p.publicBase}/profile/${m.id}` },
    administrator: { kind: 'scalar', get: (m) => (m.role === undefined ? undefined : m.role === 'admin') },
    joined: { kind: 'scalar', get: (m) => (m.joined_time === undefined ? undefined : Math.floor(m.joined_time / 1000)) },
    picture: {
      kind: 'batch',
      load: async (p, rows) => {
        const media = await loadPictures(p, rows.map((m) => m.picture_media_id));
        return rows.map((m) => pictureObject(p, media.get(m.picture_media_id ?? '')));
      },
    },
};

export const memberType: NodeType<MemberView> = {
  name: 'User',
  defaults: ['id', 'name'],
  id: (m) => m.id,
  fields: memberFields,
  edges: {
    groups: {
      target: 'group',
      authorize: (p) => authorize(p.actor, 'member.groups.read'),
      position: (g: GroupView) => ({ sort: g.joined_time ?? 0, id: g.id }),
      page: async (p, member, q) => {
        const page = await listMemberGroups(p.ctx.db, member.id, scopeIds(p), { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before });
        const [rows] = await withGroups(p, [page.rows]);
        return { ...page, rows };
      },
      many: async (p, members, q) => {
        const rows = await listMemberGroupsOfMany(p.ctx.db, members.map((m) => m.id), scopeIds(p), direction(q, 'desc'), q.limit);
        return withGroups(p, byParent(members.map((m) => m.id), rows, (r) => r.member_id));
      },
    },
    feed: {
      target: 'post',
      authorize: (p) => authorize(p.actor, 'member.feed.read'),
      paging: 'time',
      position: (post) => ({ sort: post.created_time, id: post.id }),
      page: (p, member, q) =>
        listFeed(p.ctx.db, member.id, { since: q.since, until: q.until }, { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before }),
      many: async (p, members, q) => {
        const rows = await listFeeds(p.ctx.db, members.map((m) => m.id), { since: q.since, until: q.until }, direction(q, 'desc'), q.limit);
        return byParent(members.map((m) => m.id), rows, (r) => r.feed_id);
      },
    },
    managers: {
      target: 'member',
      authorize: (p) => authorize(p.actor, 'member.org_chart'),
      position: (m) => ({ sort: m.name, id: m.id }),
      page: async (p, member) => {
        const rows = member.manager_id ? await findMembersByIds(p.ctx.db, [member.manager_id]) : [];
        return { rows, hasNext: false, hasPrevious: false };
      },
      many: async (p, members) => {
        const managers = new Map((await findMembersByIds(p.ctx.db, members.map((m) => m.manager_id).filter((x): x is string => !!x))).map((m) => [m.id, m]));
        return members.map((m) => (m.manager_id && managers.has(m.manager_id) ? [managers.get(m.manager_id)!] : []));
      },
    },
    reports: {
      target: 'member',
      authorize: (p) => authorize(p.actor, 'member.org_chart'),
      position: (m) => ({ sort: m.name, id: m.id }),
      page: (p, member, q) =>
        listMembers(p.ctx.db, { states: REPORTING, managerId: member.id }, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before }),
      many: async (p, members, q) => {
        const rows = await listReportsOfMany(p.ctx.db, members.map((m) => m.id), REPORTING, direction(q, 'asc'), q.limit);
        return byParent(members.map((m) => m.id), rows, (r) => r.manager_id ?? '');
      },
    },
    badges: memberBadgesEdge,
    skills: memberSkillsEdge,
    events: memberEventsEdge,
  },
};
