import { countGroupMembers, deleteMembership, findMembership, type GroupRow, insertMembership, updateMembershipRole } from '../../db/repositories/group.js';
import { lockKey } from '../../db/database.js';
import { deleteMemberRequest, findMemberRequest, forgetFormerMember, insertMemberRequest, recordFormerMember } from '../../db/repositories/groupMembershipHistory.js';
import { findMemberById } from '../../db/repositories/member.js';
import type { GroupRole } from '../../db/schema.js';
import { invalidParameter } from '../../errors.js';
import { recordChange } from '../events.js';
import { groupDeleter, membershipEvent } from './group.js';
import type { Write } from './shared.js';

async function activeMember(trx: Write['trx'], memberId: string) {
  const member = await findMemberById(trx, memberId);
  if (!member || member.state === 'deactivated') throw invalidParameter(`${memberId} is not an active member of the community`);
  return member;
}

/**
 * Adds a member to a group with a role, or changes the role of one already in it.
 * Returns false when nothing changed.
 */
export async function groupMemberAdder({ ctx, actor, trx }: Write, group: GroupRow, memberId: string, role: GroupRole = 'member'): Promise<boolean> {
  await activeMember(trx, memberId);
  await lockKey(trx, `group:${group.id}`);
  const existing = await findMembership(trx, group.id, memberId);
  const now = ctx.clock.now();
  if (existing) {
    // Adding someone already in the group as a plain member keeps their role.
    if (existing.role === role || role === 'member') return false;
    await updateMembershipRole(trx, group.id, memberId, role);
    await recordChange(trx, ctx, actor, {
      action: 'group.role_changed',
      target: { type: 'group', id: group.id },
      old: { member_id: memberId, role: existing.role },
      new: { member_id: memberId, role },
    });
    return true;
  }
  await insertMembership(trx, { group_id: group.id, member_id: memberId, role, joined_time: now });
  // Being added answers a pending request to join, and makes the person no longer a former member.
  const requested = await deleteMemberRequest(trx, group.id, memberId);
  await forgetFormerMember(trx, group.id, memberId);
  await recordChange(trx, ctx, actor, {
    action: 'group.member_added',
    target: { type: 'group', id: group.id },
    new: { member_id: memberId, role, ...(requested ? { request_approved: true } : {}) },
    events: [membershipEvent(group.id, memberId, 'add', actor, now)],
  });
  return true;
}

/** Takes admin or moderator rights away; the person stays a member. */
export async function groupRoleRevoker({ ctx, actor, trx }: Write, group: GroupRow, memberId: string, role: Exclude<GroupRole, 'member'>): Promise<boolean> {
  await lockKey(trx, `group:${group.id}`);
  const existing = await findMembership(trx, group.id, memberId);
  if (!existing || existing.role !== role) return false;
  await updateMembershipRole(trx, group.id, memberId, 'member');
  await recordChange(trx, ctx, actor, {
    action: 'group.role_changed',
    target: { type: 'group', id: group.id },
    old: { member_id: memberId, role },
    new: { member_id: memberId, role: 'member' },
  });
  return true;
}

/** A member asks to join a group that needs approval; asking twice changes nothing. */
export async function memberRequestCreator({ ctx, actor, trx }: Write, group: GroupRow, memberId: string): Promise<boolean> {
  await activeMember(trx, memberId);
  await lockKey(trx, `group:${group.id}`);
  if (await findMembership(trx, group.id, memberId)) return false;
  if (await findMemberRequest(trx, group.id, memberId)) return false;
  await insertMemberRequest(trx, { group_id: group.id, member_id: memberId, requested_time: ctx.clock.now() });
  await recordChange(trx, ctx, actor, { action: 'group.join_requested', target: { type: 'group', id: group.id }, new: { member_id: memberId } });
  return true;
}

/** Declines a request to join (or the member withdraws it); no request, no change. */
export async function memberRequestDecliner({ ctx, actor, trx }: Write, group: GroupRow, memberId: string): Promise<boolean> {
  await lockKey(trx, `group:${group.id}`);
  if (!(await deleteMemberRequest(trx, group.id, memberId))) return false;
  await recordChange(trx, ctx, actor, { action: 'group.join_request_declined', target: { type: 'group', id: group.id }, old: { member_id: memberId } });
  return true;
}

/** Removes a member; removing the last member deletes the group (Workplace's rule). */
export async function groupMemberRemover(write: Write, group: GroupRow, memberId: string): Promise<{ removed: boolean; groupDeleted: boolean }> {
  const { ctx, actor, trx } = write;
  await lockKey(trx, `group:${group.id}`);
  const existing = await findMembership(trx, group.id, memberId);
  if (!existing) return { removed: false, groupDeleted: false };
  const now = ctx.clock.now();
  await deleteMembership(trx, group.id, memberId);
  await recordFormerMember(trx, { group_id: group.id, member_id: memberId, left_time: now });
  await recordChange(trx, ctx, actor, {
    action: 'group.member_removed',
    target: { type: 'group', id: group.id },
    old: { member_id: memberId, role: existing.role },
    events: [membershipEvent(group.id, memberId, 'remove', actor, now)],
  });
  const left = (await countGroupMembers(trx, [group.id], ['admin', 'moderator', 'member'])).get(group.id) ?? 0;
  if (left === 0) {
    await groupDeleter(write, group.id);
    return { removed: true, groupDeleted: true };
  }
  return { removed: true, groupDeleted: false };
}
