import { sql } from 'kysely';
import type { Db } from '../database.js';
import type { AccountState, AuditEventTable, GroupRole, GroupTable, MemberTable, PageTable } from '../schema.js';

// Searches behind the admin panel and the member app: people and bot pages by name, groups a
// member can see, the audit log by actor, type and time.

/** `%text%` for LIKE, with LIKE's own wildcards escaped. */
function containing(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface PeopleSearch {
  /** Matches name, email, title or department (case-insensitive). */
  q?: string;
  states: readonly AccountState[];
  adminsOnly?: boolean;
  limit: number;
  offset?: number;
}

function peopleQuery(db: Db, s: PeopleSearch) {
  let q = db.selectFrom('member').where('state', 'in', [...s.states]);
  if (s.adminsOnly) q = q.where('is_admin', '=', 1);
  if (s.q?.trim()) {
    const pattern = containing(s.q.trim());
    q = q.where((eb) =>
      eb.or(
        (['name', 'email_lower', 'title', 'department'] as const).map((c) => eb(sql`lower(coalesce(${sql.ref(c)}, ''))`, 'like', sql`${pattern} escape '\\'`)),
      ),
    );
  }
  return q;
}

/** People in name order. */
export async function searchMembers(db: Db, s: PeopleSearch): Promise<MemberTable[]> {
  return peopleQuery(db, s)
    .selectAll()
    .orderBy(sql`lower(name)`)
    .orderBy('id')
    .limit(s.limit)
    .offset(s.offset ?? 0)
    .execute();
}

export async function countSearchMembers(db: Db, s: PeopleSearch): Promise<number> {
  const row = await peopleQuery(db, s).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Bot pages whose name contains the text (for the @mention picker). */
export async function searchPages(db: Db, text: string, limit: number): Promise<PageTable[]> {
  let q = db.selectFrom('page').selectAll();
  if (text.trim()) q = q.where(sql`lower(name)`, 'like', sql`${containing(text.trim())} escape '\\'`);
  return q.orderBy(sql`lower(name)`).orderBy('id').limit(limit).execute();
}

/** Direct reports of a manager, in name order. */
export async function listReports(db: Db, managerId: string): Promise<MemberTable[]> {
  return db.selectFrom('member').selectAll().where('manager_id', '=', managerId).where('state', '!=', 'deactivated').orderBy(sql`lower(name)`).orderBy('id').limit(500).execute();
}

export type VisibleGroup = GroupTable & { role: GroupRole | null; member_count: number };

/**
 * Groups a member can see: every OPEN and CLOSED group, and SECRET groups they belong to, each
 * with the member's role (null when not a member) and the member count.
 */
export async function listVisibleGroups(db: Db, memberId: string, options: { q?: string; joinedOnly?: boolean; includeArchived?: boolean; limit: number }): Promise<VisibleGroup[]> {
  let q = db
    .selectFrom('work_group as g')
    .leftJoin('group_member as me', (join) => join.onRef('me.group_id', '=', 'g.id').on('me.member_id', '=', memberId))
    .selectAll('g')
    .select(['me.role as role', (eb) => eb.selectFrom('group_member as c').select((e) => e.fn.countAll<number>().as('n')).whereRef('c.group_id', '=', 'g.id').as('member_count')])
    .where((eb) => eb.or([eb('g.privacy', '!=', 'SECRET'), eb('me.member_id', 'is not', null)]));
  if (options.joinedOnly) q = q.where('me.member_id', 'is not', null);
  if (!options.includeArchived) q = q.where('g.archived', '=', 0);
  if (options.q?.trim()) q = q.where(sql`lower(g.name)`, 'like', sql`${containing(options.q.trim())} escape '\\'`);
  const rows = await q.orderBy(sql`lower(g.name)`).orderBy('g.id').limit(options.limit).execute();
  return rows.map((r) => ({ ...r, role: (r.role as GroupRole | null) ?? null, member_count: Number(r.member_count ?? 0) }));
}

/** Every group with its member count, for the admin panel. */
export async function listGroupsWithCounts(db: Db, options: { q?: string; limit: number }): Promise<(GroupTable & { member_count: number })[]> {
  let q = db
    .selectFrom('work_group as g')
    .selectAll('g')
    .select((eb) => eb.selectFrom('group_member as c').select((e) => e.fn.countAll<number>().as('n')).whereRef('c.group_id', '=', 'g.id').as('member_count'));
  if (options.q?.trim()) q = q.where(sql`lower(g.name)`, 'like', sql`${containing(options.q.trim())} escape '\\'`);
  const rows = await q.orderBy(sql`lower(g.name)`).orderBy('g.id').limit(options.limit).execute();
  return rows.map((r) => ({ ...r, member_count: Number(r.member_count ?? 0) }));
}

/** Members of a group with their roles, admins first, then by name. */
export async function listGroupRoster(db: Db, groupId: string, limit: number): Promise<(MemberTable & { role: GroupRole; joined_time: number })[]> {
  const rows = await db
    .selectFrom('group_member as gm')
    .innerJoin('member as m', 'm.id', 'gm.member_id')
    .selectAll('m')
    .select(['gm.role as role', 'gm.joined_time as joined_time'])
    .where('gm.group_id', '=', groupId)
    .orderBy(sql`case gm.role when 'admin' then 0 when 'moderator' then 1 else 2 end`)
    .orderBy(sql`lower(m.name)`)
    .limit(limit)
    .execute();
  return rows as (MemberTable & { role: GroupRole; joined_time: number })[];
}

export interface AuditSearch {
  actorIds?: readonly string[];
  targetId?: string;
  /** An exact action (`integration.created`) or a prefix ending in a dot (`integration.`). */
  type?: string;
  since?: number;
  until?: number;
  /** Only events older than this (time, id) position: the next page. */
  before?: { time: number; id: string };
  limit: number;
}

/** Audit events newest first. */
export async function searchAuditEvents(db: Db, s: AuditSearch): Promise<AuditEventTable[]> {
  let q = db.selectFrom('audit_event').selectAll();
  if (s.actorIds) q = q.where('actor_id', 'in', s.actorIds.length ? [...s.actorIds] : ['']);
  if (s.targetId) q = q.where('target_id', '=', s.targetId);
  if (s.type) q = s.type.endsWith('.') ? q.where('action', 'like', `${s.type}%`) : q.where('action', '=', s.type);
  if (s.since !== undefined) q = q.where('time', '>=', s.since);
  if (s.until !== undefined) q = q.where('time', '<=', s.until);
  const before = s.before;
  if (before) q = q.where((eb) => eb.or([eb('time', '<', before.time), eb.and([eb('time', '=', before.time), eb('id', '<', before.id)])]));
  return q.orderBy('time', 'desc').orderBy('id', 'desc').limit(s.limit).execute();
}

/** Names of the actors and targets an audit page mentions (members, apps, groups). */
export async function namesOf(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter(Boolean))];
  if (unique.length === 0) return new Map();
  const [members, apps, groups] = await Promise.all([
    db.selectFrom('member').select(['id', 'name']).where('id', 'in', unique).execute(),
    db.selectFrom('app').select(['id', 'name']).where('id', 'in', unique).execute(),
    db.selectFrom('work_group').select(['id', 'name']).where('id', 'in', unique).execute(),
  ]);
  return new Map([...members, ...apps, ...groups].map((r) => [r.id, r.name]));
}

/** Reaction counts per object and type. */
export async function reactionCounts(db: Db, objectIds: readonly string[]): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  if (objectIds.length === 0) return out;
  const rows = await db
    .selectFrom('reaction')
    .select(['object_id', 'type', (eb) => eb.fn.countAll<number>().as('n')])
    .where('object_id', 'in', [...new Set(objectIds)])
    .groupBy(['object_id', 'type'])
    .execute();
  for (const r of rows) out.set(r.object_id, { ...(out.get(r.object_id) ?? {}), [r.type]: Number(r.n) });
  return out;
}

/** Posts of the groups a member belongs to, newest first, keyset-paged on (created_time, id). */
export async function listMemberHomeFeed(db: Db, memberId: string, before: { time: number; id: string } | undefined, limit: number) {
  let q = db
    .selectFrom('post')
    .selectAll('post')
    .where('post.feed_type', '=', 'group')
    .where('post.feed_id', 'in', db.selectFrom('group_member').select('group_id').where('member_id', '=', memberId));
  if (before) q = q.where((eb) => eb.or([eb('post.created_time', '<', before.time), eb.and([eb('post.created_time', '=', before.time), eb('post.id', '<', before.id)])]));
  const rows = await q.orderBy('post.created_time', 'desc').orderBy('post.id', 'desc').limit(limit + 1).execute();
  const more = rows.length > limit;
  return { rows: rows.slice(0, limit), hasNext: more };
}
