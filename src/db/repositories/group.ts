import type { Db } from '../database.js';
import { indexObject } from './object.js';
import { firstOfEach, keysetPage, type Page, type PageRequest } from '../keyset.js';
import type { GroupMemberTable, GroupRole, GroupTable } from '../schema.js';

export type GroupRow = GroupTable;
export type GroupMembershipRow = GroupMemberTable;

export async function findGroupsByIds(db: Db, ids: readonly string[]): Promise<GroupRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('work_group').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

export async function findGroupById(db: Db, id: string): Promise<GroupRow | undefined> {
  return db.selectFrom('work_group').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Groups newest first; `onlyIds` restricts to a group scope. */
export async function listGroups(db: Db, onlyIds: readonly string[] | null, page: PageRequest): Promise<Page<GroupRow>> {
  let q = db.selectFrom('work_group').selectAll();
  if (onlyIds) q = q.where('id', 'in', onlyIds.length ? [...onlyIds] : ['']);
  return keysetPage(q, { sort: 'created_time', id: 'id' }, page);
}

export async function insertGroup(db: Db, row: GroupRow): Promise<void> {
  await db.insertInto('work_group').values(row).execute();
  await indexObject(db, row.id, 'group');
}

export async function updateGroup(db: Db, id: string, changes: Partial<GroupRow>): Promise<void> {
  await db.updateTable('work_group').set(changes).where('id', '=', id).execute();
}

export async function deleteGroup(db: Db, id: string): Promise<void> {
  await db.deleteFrom('work_group').where('id', '=', id).execute();
  await db.deleteFrom('app_group').where('group_id', '=', id).execute();
}

export async function findMembership(db: Db, groupId: string, memberId: string): Promise<GroupMembershipRow | undefined> {
  return db.selectFrom('group_member').selectAll().where('group_id', '=', groupId).where('member_id', '=', memberId).executeTakeFirst();
}

/** Members of a group in join order, keyset-paged on (joined_time, member_id). */
export async function listGroupMembers(
  db: Db,
  groupId: string,
  roles: readonly GroupRole[],
  page: PageRequest,
): Promise<Page<GroupMembershipRow>> {
  const q = db.selectFrom('group_member').selectAll().where('group_id', '=', groupId).where('role', 'in', [...roles]);
  return keysetPage(q, { sort: 'joined_time', id: 'member_id' }, page);
}

/** The first `limit + 1` memberships with these roles of each of several groups, in one statement. */
export async function listGroupMembersOfMany(db: Db, groupIds: readonly string[], roles: readonly GroupRole[], order: 'asc' | 'desc', limit: number): Promise<GroupMembershipRow[]> {
  return firstOfEach(db, groupIds, { sort: 'joined_time', id: 'member_id', direction: order }, (groupId) =>
    db.selectFrom('group_member').selectAll().where('group_id', '=', groupId).where('role', 'in', [...roles]).limit(limit + 1),
  );
}

export async function countGroupMembers(db: Db, groupIds: readonly string[], roles: readonly GroupRole[]): Promise<Map<string, number>> {
  if (groupIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('group_member')
    .select(['group_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('group_id', 'in', [...groupIds])
    .where('role', 'in', [...roles])
    .groupBy('group_id')
    .execute();
  return new Map(rows.map((r) => [r.group_id, Number(r.n)]));
}

/** Groups a member belongs to, newest membership first. */
export async function listMemberGroups(db: Db, memberId: string, onlyIds: readonly string[] | null, page: PageRequest): Promise<Page<GroupMembershipRow>> {
  let q = db.selectFrom('group_member').selectAll().where('member_id', '=', memberId);
  if (onlyIds) q = q.where('group_id', 'in', onlyIds.length ? [...onlyIds] : ['']);
  return keysetPage(q, { sort: 'joined_time', id: 'group_id' }, page);
}

/** The first `limit + 1` memberships of each of several members, in one statement. */
export async function listMemberGroupsOfMany(db: Db, memberIds: readonly string[], onlyIds: readonly string[] | null, order: 'asc' | 'desc', limit: number): Promise<GroupMembershipRow[]> {
  return firstOfEach(db, memberIds, { sort: 'joined_time', id: 'group_id', direction: order }, (memberId) => {
    let q = db.selectFrom('group_member').selectAll().where('member_id', '=', memberId);
    if (onlyIds) q = q.where('group_id', 'in', onlyIds.length ? [...onlyIds] : ['']);
    return q.limit(limit + 1);
  });
}

export async function insertMembership(db: Db, row: GroupMembershipRow): Promise<void> {
  await db.insertInto('group_member').values(row).execute();
}

export async function updateMembershipRole(db: Db, groupId: string, memberId: string, role: GroupRole): Promise<void> {
  await db.updateTable('group_member').set({ role }).where('group_id', '=', groupId).where('member_id', '=', memberId).execute();
}

export async function deleteMembership(db: Db, groupId: string, memberId: string): Promise<void> {
  await db.deleteFrom('group_member').where('group_id', '=', groupId).where('member_id', '=', memberId).execute();
}
