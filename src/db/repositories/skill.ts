import type { MemberSkillTable, SkillTable } from '../communitySchema.js';
import type { Db } from '../database.js';
import { firstOfEach, keysetPage, type Page, type PageRequest } from '../keyset.js';
import { indexObject } from './object.js';
import type { MemberTable } from '../schema.js';

export type SkillRow = SkillTable;
export type MemberSkillRow = MemberSkillTable;

export async function findSkillById(db: Db, id: string): Promise<SkillRow | undefined> {
  return db.selectFrom('skill').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findSkillByName(db: Db, name: string): Promise<SkillRow | undefined> {
  return db.selectFrom('skill').selectAll().where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
}

export async function insertSkill(db: Db, row: SkillRow): Promise<void> {
  await db.insertInto('skill').values(row).execute();
  await indexObject(db, row.id, 'skill');
}

export async function findSkillsByIds(db: Db, ids: readonly string[]): Promise<SkillRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('skill').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

/** The skills a member lists, in the order they were added. */
export async function skillsOfMember(db: Db, memberId: string, page: PageRequest): Promise<Page<SkillRow & { added_time: number }>> {
  const q = db
    .selectFrom('member_skill')
    .innerJoin('skill', 'skill.id', 'member_skill.skill_id')
    .selectAll('skill')
    .select('member_skill.added_time')
    .where('member_skill.member_id', '=', memberId);
  return keysetPage(q, { sort: 'member_skill.added_time', id: 'skill.id' }, page);
}

/** The first `limit + 1` skills of each member, in one statement (nested `skills` edges). */
export async function skillsOfMembers(db: Db, memberIds: readonly string[], order: 'asc' | 'desc', limit: number): Promise<(SkillRow & { added_time: number; member_id: string })[]> {
  return firstOfEach(db, memberIds, { sort: 'added_time', id: 'id', direction: order }, (memberId) =>
    db
      .selectFrom('member_skill')
      .innerJoin('skill', 'skill.id', 'member_skill.skill_id')
      .select(['skill.id as id', 'skill.name as name', 'skill.name_lower as name_lower', 'skill.created_time as created_time', 'member_skill.added_time as added_time', 'member_skill.member_id as member_id'])
      .where('member_skill.member_id', '=', memberId)
      .limit(limit + 1),
  );
}

/** The first `limit + 1` current members listing each skill, in one statement (nested `users` edges). */
export async function membersWithSkills(db: Db, skillIds: readonly string[], order: 'asc' | 'desc', limit: number): Promise<(MemberTable & { added_time: number; skill_id: string })[]> {
  return firstOfEach(db, skillIds, { sort: 'added_time', id: 'id', direction: order }, (skillId) =>
    db
      .selectFrom('member_skill')
      .innerJoin('member', 'member.id', 'member_skill.member_id')
      .selectAll('member')
      .select(['member_skill.added_time as added_time', 'member_skill.skill_id as skill_id'])
      .where('member_skill.skill_id', '=', skillId)
      .where('member.state', '!=', 'deactivated')
      .limit(limit + 1),
  );
}

/** Every skill of each member (profiles, exports). */
export async function skillNamesOfMembers(db: Db, memberIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (memberIds.length === 0) return out;
  const rows = await db
    .selectFrom('member_skill')
    .innerJoin('skill', 'skill.id', 'member_skill.skill_id')
    .select(['member_skill.member_id', 'skill.name'])
    .where('member_skill.member_id', 'in', [...new Set(memberIds)])
    .orderBy('member_skill.added_time')
    .orderBy('skill.id')
    .execute();
  for (const row of rows) out.set(row.member_id, [...(out.get(row.member_id) ?? []), row.name]);
  return out;
}

/** Skills of the community that at least one member lists, by name. */
export async function listSkills(db: Db, page: PageRequest, prefix?: string): Promise<Page<SkillRow>> {
  let q = db
    .selectFrom('skill')
    .selectAll()
    .where((eb) => eb.exists(eb.selectFrom('member_skill').select('member_skill.skill_id').whereRef('member_skill.skill_id', '=', 'skill.id')));
  if (prefix) q = q.where('name_lower', 'like', `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  return keysetPage(q, { sort: 'name_lower', id: 'id' }, page);
}

/** Members who list a skill (current accounts only), in the order they added it. */
export async function membersWithSkill(db: Db, skillId: string, page: PageRequest): Promise<Page<MemberTable & { added_time: number }>> {
  const q = db
    .selectFrom('member_skill')
    .innerJoin('member', 'member.id', 'member_skill.member_id')
    .selectAll('member')
    .select('member_skill.added_time')
    .where('member_skill.skill_id', '=', skillId)
    .where('member.state', '!=', 'deactivated');
  return keysetPage(q, { sort: 'member_skill.added_time', id: 'member.id' }, page);
}

export async function findMemberSkill(db: Db, memberId: string, skillId: string): Promise<MemberSkillRow | undefined> {
  return db.selectFrom('member_skill').selectAll().where('member_id', '=', memberId).where('skill_id', '=', skillId).executeTakeFirst();
}

export async function insertMemberSkill(db: Db, row: MemberSkillRow): Promise<void> {
  await db.insertInto('member_skill').values(row).execute();
}

export async function deleteMemberSkill(db: Db, memberId: string, skillId: string): Promise<void> {
  await db.deleteFrom('member_skill').where('member_id', '=', memberId).where('skill_id', '=', skillId).execute();
}
