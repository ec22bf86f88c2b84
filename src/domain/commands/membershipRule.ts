import type { Context } from '../../context.js';
import { lockKey } from '../../db/database.js';
import { findGroupById, type GroupRow } from '../../db/repositories/group.js';
import type { MemberRow } from '../../db/repositories/member.js';
import {
  activeMembers,
  addRuleMembership,
  deleteRule,
  findRule,
  listRules,
  type MembershipRuleRow,
  membersByIds,
  membershipsOf,
  removeRuleMembership,
  ruleMemberIds,
  saveRule,
  touchRule,
} from '../../db/repositories/membershipRule.js';
import { AppError, invalidParameter } from '../../errors.js';
import { type Directory, matchesRule, parseRule, readsManagerChain, type RuleNode, RuleSyntaxError } from '../../automation/rules.js';
import type { Actor } from '../actor.js';
import { recordChange } from '../events.js';
import { groupMemberAdder, groupMemberRemover } from './groupMembership.js';
import type { Write } from './shared.js';

/** Why a rule was applied, as the audit log says it. */
export type RuleReason = 'rule_change' | 'profile_change' | 'schedule' | 'admin';

export interface RuleInput {
  expression: string;
  /** Members added by hand stay when they do not match (default true). */
  keepManual?: boolean;
  enabled?: boolean;
  /** Apply even when the guard would refuse. */
  force?: boolean;
}

/** Who a rule would add and take out of a group. */
export interface RulePlan {
  joins: MemberRow[];
  leaves: MemberRow[];
  matching: number;
  groupSize: number;
}

/** Thrown when a rule change would remove too much of a large group; carries the audit event. */
export class RuleGuardRefused extends AppError {
  constructor(
    message: string,
    readonly plan: RulePlan,
    readonly groupId: string,
  ) {
    super('conflict', message, { leaves: plan.leaves.length, group_size: plan.groupSize });
  }
}

/** Parses a rule, turning a syntax error into the surface's invalid-parameter error. */
export function checkRule(expression: string): RuleNode {
  try {
    return parseRule(expression);
  } catch (error) {
    if (error instanceof RuleSyntaxError) throw invalidParameter(`The membership rule is not valid: ${error.message}`);
    throw error;
  }
}

async function directory(trx: Write['trx']): Promise<{ members: MemberRow[]; dir: Directory }> {
  const members = await activeMembers(trx);
  return { members, dir: { byId: new Map(members.map((m) => [m.id, m])) } };
}

/**
 * Works out who a rule adds and removes. Only people the rule added leave when manual members
 * are kept; group admins and moderators never leave by rule, nor deactivated accounts.
 */
export async function planRule(trx: Write['trx'], groupId: string, rule: RuleNode, keepManual: boolean, only?: ReadonlySet<string>): Promise<RulePlan> {
  const [{ members, dir }, memberships, byRule] = await Promise.all([directory(trx), membershipsOf(trx, groupId), ruleMemberIds(trx, groupId)]);
  const current = new Map(memberships.map((m) => [m.member_id, m]));
  const joins: MemberRow[] = [];
  const leaves: MemberRow[] = [];
  let matching = 0;
  for (const member of members) {
    const matches = matchesRule(rule, member, dir);
    if (matches) matching++;
    if (only && !only.has(member.id)) continue;
    const membership = current.get(member.id);
    if (matches && !membership) joins.push(member);
    else if (!matches && membership && membership.role === 'member' && (!keepManual || byRule.has(member.id))) leaves.push(member);
  }
  return { joins, leaves, matching, groupSize: memberships.length };
}

/** The guard: at most the configured share of a group of at least the configured size leaves at once. */
function guardLimit(ctx: Context, groupSize: number): number | undefined {
  const percent = ctx.config.ruleGuardPercent;
  if (percent <= 0 || groupSize < ctx.config.ruleGuardMinimum) return undefined;
  return Math.max(1, Math.floor((groupSize * percent) / 100));
}

export function guardVerdict(ctx: Context, plan: RulePlan): { refused: boolean; limit: number | null } {
  const limit = guardLimit(ctx, plan.groupSize);
  return { refused: limit !== undefined && plan.leaves.length > limit, limit: limit ?? null };
}

/** Adds and removes as planned (the last member never leaves: that would delete the group). */
async function applyPlan(w: Write, group: GroupRow, plan: RulePlan, reason: RuleReason): Promise<{ joined: string[]; left: string[] }> {
  const { ctx, trx } = w;
  const now = ctx.clock.now();
  const joined: string[] = [];
  const left: string[] = [];
  for (const member of plan.joins) {
    if (await groupMemberAdder(w, group, member.id)) joined.push(member.id);
    await addRuleMembership(trx, { group_id: group.id, member_id: member.id, added_time: now });
  }
  let size = plan.groupSize + joined.length;
  for (const member of plan.leaves) {
    if (size <= 1) break;
    const { removed } = await groupMemberRemover(w, group, member.id);
    await removeRuleMembership(trx, group.id, member.id);
    if (removed) {
      left.push(member.id);
      size--;
    }
  }
  await touchRule(trx, group.id, now);
  if (joined.length || left.length) {
    await recordChange(trx, ctx, w.actor, { action: 'membership_rule.applied', target: { type: 'group', id: group.id }, new: { reason, joined, left } });
  }
  return { joined, left };
}

async function requireGroup(trx: Write['trx'], groupId: string): Promise<GroupRow> {
  const group = /^\d{1,20}$/.test(groupId) ? await findGroupById(trx, groupId) : undefined;
  if (!group) throw new AppError('unknown_object', `No group with id ${groupId}`);
  return group;
}

/**
 * Saves a group's rule and applies it at once. Refuses (RuleGuardRefused) when the change would
 * take more than the guard allows out of a large group, unless `force` is given.
 */
export async function membershipRuleSaver(w: Write, groupId: string, input: RuleInput): Promise<{ rule: MembershipRuleRow; joined: string[]; left: string[] }> {
  const { ctx, actor, trx } = w;
  const group = await requireGroup(trx, groupId);
  const expression = input.expression.trim();
  const rule = checkRule(expression);
  await lockKey(trx, `membership_rule:${group.id}`);
  const before = await findRule(trx, group.id);
  const keepManual = input.keepManual ?? (before ? before.keep_manual === 1 : true);
  const enabled = input.enabled ?? (before ? before.enabled === 1 : true);
  const now = ctx.clock.now();
  const row: MembershipRuleRow = {
    group_id: group.id,
    expression,
    keep_manual: keepManual ? 1 : 0,
    enabled: enabled ? 1 : 0,
    last_evaluated_time: before?.last_evaluated_time ?? null,
    created_by: before?.created_by ?? (actor.kind === 'member' ? actor.memberId : actor.kind === 'integration' || actor.kind === 'app' ? actor.appId : null),
    created_time: before?.created_time ?? now,
    updated_time: now,
  };
  const plan = enabled ? await planRule(trx, group.id, rule, keepManual) : undefined;
  if (plan && !input.force) {
    const verdict = guardVerdict(ctx, plan);
    if (verdict.refused) {
      throw new RuleGuardRefused(
        `(#100) Refused: this rule would remove ${plan.leaves.length} of ${plan.groupSize} members of group ${group.id}; the guard allows ${verdict.limit} (${ctx.config.ruleGuardPercent}% of groups of ${ctx.config.ruleGuardMinimum} or more). Check the preview, then save with force to apply it.`,
        plan,
        group.id,
      );
    }
  }
  await saveRule(trx, row);
  await recordChange(trx, ctx, actor, {
    action: 'membership_rule.saved',
    target: { type: 'group', id: group.id },
    old: before ? { expression: before.expression, keep_manual: before.keep_manual === 1, enabled: before.enabled === 1 } : undefined,
    new: { expression, keep_manual: keepManual, enabled, forced: !!input.force },
  });
  const applied = plan ? await applyPlan(w, group, plan, 'rule_change') : { joined: [], left: [] };
  return { rule: { ...row, last_evaluated_time: plan ? now : row.last_evaluated_time }, ...applied };
}

/**
 * Runs a rule save and, when the guard refuses it, records the refusal in an audit event of its
 * own (the save's transaction is rolled back) before rethrowing.
 */
export async function withRuleGuard<T>(ctx: Context, actor: Actor, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RuleGuardRefused) {
      await ctx.db.transaction().execute((trx) =>
        recordChange(trx, ctx, actor, { action: 'membership_rule.refused', target: { type: 'group', id: error.groupId }, new: { would_remove: error.plan.leaves.map((m) => m.id), group_size: error.plan.groupSize } }),
      );
    }
    throw error;
  }
}

/** Removes a group's rule; the members it added stay (they become ordinary members). */
export async function membershipRuleDeleter({ ctx, actor, trx }: Write, groupId: string): Promise<boolean> {
  const before = await findRule(trx, groupId);
  if (!before) return false;
  await deleteRule(trx, groupId);
  await recordChange(trx, ctx, actor, { action: 'membership_rule.deleted', target: { type: 'group', id: groupId }, old: { expression: before.expression } });
  return true;
}

/** Re-applies one saved rule (schedule, admin "apply now"); skipped when disabled. */
export async function membershipRuleApplier(w: Write, rule: MembershipRuleRow, reason: RuleReason): Promise<{ joined: string[]; left: string[] }> {
  if (rule.enabled !== 1) return { joined: [], left: [] };
  const group = await findGroupById(w.trx, rule.group_id);
  if (!group || group.archived) return { joined: [], left: [] };
  await lockKey(w.trx, `membership_rule:${group.id}`);
  const plan = await planRule(w.trx, group.id, checkRule(rule.expression), rule.keep_manual === 1);
  return applyPlan(w, group, plan, reason);
}

/**
 * Keeps rule-based groups in step after a member's profile changed (Graph, SCIM, admin panel):
 * the member joins or leaves each group whose rule now says otherwise. A rule that reads the
 * manager chain is re-applied whole, since the member's reports move with them. Rule-driven
 * changes are made by the system, not by whoever changed the profile.
 */
export async function membershipRulesFollowProfile(w: Write, memberId: string): Promise<void> {
  const rules = await listRules(w.trx, true);
  if (rules.length === 0) return;
  const [member] = await membersByIds(w.trx, [memberId]);
  if (!member || member.state === 'deactivated') return;
  const system: Write = { ...w, actor: { kind: 'system' } };
  for (const rule of rules) {
    const group = await findGroupById(w.trx, rule.group_id);
    if (!group || group.archived) continue;
    const parsed = checkRule(rule.expression);
    const plan = await planRule(w.trx, group.id, parsed, rule.keep_manual === 1, readsManagerChain(parsed) ? undefined : new Set([memberId]));
    if (plan.joins.length || plan.leaves.length) await applyPlan(system, group, plan, 'profile_change');
  }
}

/** The preview the admin panel shows before saving: who joins, who leaves, what the guard says. */
export async function membershipRulePreview(ctx: Context, groupId: string, input: { expression: string; keepManual?: boolean }) {
  const group = await requireGroup(ctx.db, groupId);
  const rule = checkRule(input.expression);
  const saved = await findRule(ctx.db, group.id);
  const plan = await planRule(ctx.db, group.id, rule, input.keepManual ?? (saved ? saved.keep_manual === 1 : true));
  return { plan, guard: guardVerdict(ctx, plan) };
}
