import type { Db } from '../database.js';
import type { JobLeaseTable, MembershipRuleTable, RuleMembershipTable } from '../automationSchema.js';

export type MembershipRuleRow = MembershipRuleTable;
export type RuleMembershipRow = RuleMembershipTable;

export async function findRule(db: Db, groupId: string): Promise<MembershipRuleRow | undefined> {
  return db.selectFrom('membership_rule').selectAll().where('group_id', '=', groupId).executeTakeFirst();
}

export async function listRules(db: Db, onlyEnabled = false): Promise<MembershipRuleRow[]> {
  let q = db.selectFrom('membership_rule').selectAll();
  if (onlyEnabled) q = q.where('enabled', '=', 1);
  return q.orderBy('created_time').execute();
}

export async function saveRule(db: Db, row: MembershipRuleRow): Promise<void> {
  await db
    .insertInto('membership_rule')
    .values(row)
    .onConflict((oc) => oc.column('group_id').doUpdateSet({ expression: row.expression, keep_manual: row.keep_manual, enabled: row.enabled, updated_time: row.updated_time }))
    .execute();
}

export async function touchRule(db: Db, groupId: string, time: number): Promise<void> {
  await db.updateTable('membership_rule').set({ last_evaluated_time: time }).where('group_id', '=', groupId).execute();
}

export async function deleteRule(db: Db, groupId: string): Promise<void> {
  await db.deleteFrom('membership_rule').where('group_id', '=', groupId).execute();
  await db.deleteFrom('rule_membership').where('group_id', '=', groupId).execute();
}

export async function ruleMemberIds(db: Db, groupId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('rule_membership').select('member_id').where('group_id', '=', groupId).execute();
  return new Set(rows.map((r) => r.member_id));
}

export async function addRuleMembership(db: Db, row: RuleMembershipRow): Promise<void> {
  await db.insertInto('rule_membership').values(row).onConflict((oc) => oc.columns(['group_id', 'member_id']).doNothing()).execute();
}

export async function removeRuleMembership(db: Db, groupId: string, memberId: string): Promise<void> {
  await db.deleteFrom('rule_membership').where('group_id', '=', groupId).where('member_id', '=', memberId).execute();
}

/**
 * Takes the named job's turn until `until` when the previous turn is over (compare-and-set), so
 * among processes sharing the database one runs the job per period. False when it is not due.
 */
export async function takeJobLease(db: Db, name: string, owner: string, now: number, until: number): Promise<boolean> {
  await db.insertInto('job_lease').values({ name, owner: null, until: 0, last_run_time: null } satisfies JobLeaseTable).onConflict((oc) => oc.column('name').doNothing()).execute();
  const result = await db
    .updateTable('job_lease')
    .set({ owner, until })
    .where('name', '=', name)
    .where('until', '<=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function finishJob(db: Db, name: string, owner: string, time: number): Promise<void> {
  await db.updateTable('job_lease').set({ last_run_time: time }).where('name', '=', name).where('owner', '=', owner).execute();
}

export async function findJobLease(db: Db, name: string): Promise<JobLeaseTable | undefined> {
  return db.selectFrom('job_lease').selectAll().where('name', '=', name).executeTakeFirst();
}

/** Every member not deactivated: what rules are evaluated over. */
export async function activeMembers(db: Db) {
  return db.selectFrom('member').selectAll().where('state', '!=', 'deactivated').execute();
}

export async function membersByIds(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('member').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

/** A group's memberships, every role. */
export async function membershipsOf(db: Db, groupId: string) {
  return db.selectFrom('group_member').selectAll().where('group_id', '=', groupId).execute();
}
