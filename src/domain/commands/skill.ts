import type { MemberRow } from '../../db/repositories/member.js';
import { deleteMemberSkill, findMemberSkill, findSkillByName, insertMemberSkill, insertSkill, type SkillRow } from '../../db/repositories/skill.js';
import { isUniqueViolation, lockKey } from '../../db/database.js';
import { invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import { recordChange } from '../events.js';
import type { Write } from './shared.js';

/** A skill name as stored: trimmed, inner spaces collapsed, 1 to 100 characters. */
export function skillName(raw: string | undefined): string {
  const name = (raw ?? '').trim().replace(/\s+/g, ' ');
  if (!name) throw invalidParameter('The parameter name is required');
  if (name.length > 100) throw invalidParameter('A skill name takes at most 100 characters');
  return name;
}

async function skillFor(w: Write, name: string): Promise<SkillRow> {
  await lockKey(w.trx, `skill:${name.toLowerCase()}`);
  const existing = await findSkillByName(w.trx, name);
  if (existing) return existing;
  const row: SkillRow = { id: newId(), name, name_lower: name.toLowerCase(), created_time: w.ctx.clock.now() };
  try {
    await insertSkill(w.trx, row);
  } catch (error) {
    if (isUniqueViolation(error)) throw invalidParameter(`The skill ${name} was added at the same moment; try again`);
    throw error;
  }
  return row;
}

/** Adds a skill to a member's profile (the skill is shared by name). Returns it and whether it was new on the profile. */
export async function skillAdder(w: Write, member: MemberRow, rawName: string | undefined): Promise<{ skill: SkillRow; added: boolean }> {
  const skill = await skillFor(w, skillName(rawName));
  if (await findMemberSkill(w.trx, member.id, skill.id)) return { skill, added: false };
  await insertMemberSkill(w.trx, { member_id: member.id, skill_id: skill.id, added_time: w.ctx.clock.now() });
  await recordChange(w.trx, w.ctx, w.actor, { action: 'skill.added', target: { type: 'member', id: member.id }, new: { skill: skill.name, skill_id: skill.id } });
  return { skill, added: true };
}

/** Takes a skill off a member's profile. False when they did not list it. */
export async function skillRemover(w: Write, member: MemberRow, rawName: string | undefined): Promise<boolean> {
  const skill = await findSkillByName(w.trx, skillName(rawName));
  if (!skill || !(await findMemberSkill(w.trx, member.id, skill.id))) return false;
  await deleteMemberSkill(w.trx, member.id, skill.id);
  await recordChange(w.trx, w.ctx, w.actor, { action: 'skill.removed', target: { type: 'member', id: member.id }, old: { skill: skill.name, skill_id: skill.id } });
  return true;
}
