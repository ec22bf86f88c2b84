import type { CustomBadgeTable, MemberBadgeTable } from '../communitySchema.js';
import type { Db } from '../database.js';

export type CustomBadgeRow = CustomBadgeTable;
export type MemberBadgeRow = MemberBadgeTable;

/** Custom badges still in the catalogue, oldest first. */
export async function listCustomBadges(db: Db): Promise<CustomBadgeRow[]> {
  return db.selectFrom('custom_badge').selectAll().where('deleted_time', 'is', null).orderBy('created_time').orderBy('id').execute();
}

export async function findCustomBadge(db: Db, id: string): Promise<CustomBadgeRow | undefined> {
  return db.selectFrom('custom_badge').selectAll().where('id', '=', id).where('deleted_time', 'is', null).executeTakeFirst();
}

export async function insertCustomBadge(db: Db, row: CustomBadgeRow): Promise<void> {
  await db.insertInto('custom_badge').values(row).execute();
}

export async function updateCustomBadge(db: Db, id: string, changes: Partial<CustomBadgeRow>): Promise<void> {
  await db.updateTable('custom_badge').set(changes).where('id', '=', id).execute();
}

/** Badges of each member, oldest award first. */
export async function badgesOfMembers(db: Db, memberIds: readonly string[]): Promise<Map<string, MemberBadgeRow[]>> {
  const out = new Map<string, MemberBadgeRow[]>();
  if (memberIds.length === 0) return out;
  const rows = await db
    .selectFrom('member_badge')
    .selectAll()
    .where('member_id', 'in', [...new Set(memberIds)])
    .orderBy('awarded_time')
    .orderBy('badge')
    .execute();
  for (const row of rows) out.set(row.member_id, [...(out.get(row.member_id) ?? []), row]);
  return out;
}

export async function findMemberBadge(db: Db, memberId: string, badge: string): Promise<MemberBadgeRow | undefined> {
  return db.selectFrom('member_badge').selectAll().where('member_id', '=', memberId).where('badge', '=', badge).executeTakeFirst();
}

export async function insertMemberBadge(db: Db, row: MemberBadgeRow): Promise<void> {
  await db.insertInto('member_badge').values(row).execute();
}

export async function deleteMemberBadge(db: Db, memberId: string, badge: string): Promise<void> {
  await db.deleteFrom('member_badge').where('member_id', '=', memberId).where('badge', '=', badge).execute();
}

/** Takes a badge off every profile (a retired custom badge). */
export async function deleteBadgeAwards(db: Db, badge: string): Promise<number> {
  const result = await db.deleteFrom('member_badge').where('badge', '=', badge).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** How many members hold each badge. */
export async function badgeHolderCounts(db: Db): Promise<Map<string, number>> {
  const rows = await db.selectFrom('member_badge').select(['badge']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy('badge').execute();
  return new Map(rows.map((r) => [r.badge, Number(r.n)]));
}
