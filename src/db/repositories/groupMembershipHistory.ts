import type { Db } from '../database.js';
import type { GroupFormerMemberTable, GroupMemberRequestTable } from '../groupContentSchema.js';
import { firstOfEach, keysetPage, type Page, type PageRequest } from '../keyset.js';

export type MemberRequestRow = GroupMemberRequestTable;
export type FormerMemberRow = GroupFormerMemberTable;

export async function findMemberRequest(db: Db, groupId: string, memberId: string): Promise<MemberRequestRow | undefined> {
  return db.selectFrom('group_member_request').selectAll().where('group_id', '=', groupId).where('member_id', '=', memberId).executeTakeFirst();
}

export async function insertMemberRequest(db: Db, row: MemberRequestRow): Promise<void> {
  await db.insertInto('group_member_request').values(row).execute();
}

export async function deleteMemberRequest(db: Db, groupId: string, memberId: string): Promise<boolean> {
  const result = await db.deleteFrom('group_member_request').where('group_id', '=', groupId).where('member_id', '=', memberId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Pending requests of a group, oldest first. */
export async function listMemberRequests(db: Db, groupId: string, page: PageRequest): Promise<Page<MemberRequestRow>> {
  return keysetPage(db.selectFrom('group_member_request').selectAll().where('group_id', '=', groupId), { sort: 'requested_time', id: 'member_id' }, page);
}

export async function listMemberRequestsOfMany(db: Db, groupIds: readonly string[], order: 'asc' | 'desc', limit: number): Promise<MemberRequestRow[]> {
  return firstOfEach(db, groupIds, { sort: 'requested_time', id: 'member_id', direction: order }, (groupId) =>
    db.selectFrom('group_member_request').selectAll().where('group_id', '=', groupId).limit(limit + 1),
  );
}

/** Records (or refreshes) that someone left a group. */
export async function recordFormerMember(db: Db, row: FormerMemberRow): Promise<void> {
  await db
    .insertInto('group_former_member')
    .values(row)
    .onConflict((oc) => oc.columns(['group_id', 'member_id']).doUpdateSet({ left_time: row.left_time }))
    .execute();
}

export async function forgetFormerMember(db: Db, groupId: string, memberId: string): Promise<void> {
  await db.deleteFrom('group_former_member').where('group_id', '=', groupId).where('member_id', '=', memberId).execute();
}

/** Former members of a group, most recent leavers first. */
export async function listFormerMembers(db: Db, groupId: string, page: PageRequest): Promise<Page<FormerMemberRow>> {
  return keysetPage(db.selectFrom('group_former_member').selectAll().where('group_id', '=', groupId), { sort: 'left_time', id: 'member_id' }, page);
}

export async function listFormerMembersOfMany(db: Db, groupIds: readonly string[], order: 'asc' | 'desc', limit: number): Promise<FormerMemberRow[]> {
  return firstOfEach(db, groupIds, { sort: 'left_time', id: 'member_id', direction: order }, (groupId) =>
    db.selectFrom('group_former_member').selectAll().where('group_id', '=', groupId).limit(limit + 1),
  );
}

/** Drops a deleted group's requests and former members. */
export async function deleteMembershipHistory(db: Db, groupId: string): Promise<void> {
  await db.deleteFrom('group_member_request').where('group_id', '=', groupId).execute();
  await db.deleteFrom('group_former_member').where('group_id', '=', groupId).execute();
}
