import { sql } from 'kysely';
import type { AccountCondition, AccountField, Condition, ListPosition, ListRequest } from '../../domain/accountQuery.js';
import { type ColumnSpec, compileCondition, selectPage } from '../condition.js';
import type { Db } from '../database.js';
import { indexObject } from './object.js';
import type { AccountInviteTable, MailOutboxTable, MemberEmailTable } from '../schema.js';
import type { MemberRow } from './member.js';

export type InviteRow = AccountInviteTable;
export type MailRow = MailOutboxTable;
export type MemberEmailRow = MemberEmailTable;
/** A listed account; in a sorted list with the value it was sorted by. */
export type ListedAccount = MemberRow & { sort_key?: ListPosition['sortKey'] };

const m = (column: string) => sql.ref(`member.${column}`);

/** How each account field reads in SQL (table `member`). */
const accountColumns: Record<AccountField, ColumnSpec> = {
  id: { expr: m('id'), kind: 'exact' },
  userName: {
    expr: sql`coalesce(${m('user_name_lower')}, ${m('email_lower')})`,
    kind: 'text',
    eq: (v) => sql<boolean>`(${m('user_name_lower')} = ${v} or (${m('user_name_lower')} is null and ${m('email_lower')} = ${v}))`,
  },
  email: { expr: m('email_lower'), kind: 'text', eq: (v) => sql<boolean>`(${m('email_lower')} = ${v})` },
  externalId: { expr: m('external_id'), kind: 'exact', eq: (v) => sql<boolean>`(${m('external_id')} = ${v})` },
  displayName: { expr: sql`coalesce(${m('display_name')}, ${m('name')})`, kind: 'text' },
  formattedName: { expr: m('name'), kind: 'text' },
  givenName: { expr: sql`nullif(${m('first_name')}, '')`, kind: 'text' },
  familyName: { expr: sql`nullif(${m('last_name')}, '')`, kind: 'text' },
  middleName: { expr: m('middle_name'), kind: 'text' },
  honorificPrefix: { expr: m('honorific_prefix'), kind: 'text' },
  honorificSuffix: { expr: m('honorific_suffix'), kind: 'text' },
  nickName: { expr: m('nick_name'), kind: 'text' },
  profileUrl: { expr: m('profile_url'), kind: 'exact' },
  title: { expr: m('title'), kind: 'text' },
  userType: { expr: m('user_type'), kind: 'text' },
  preferredLanguage: { expr: m('preferred_language'), kind: 'text' },
  locale: { expr: m('locale'), kind: 'text' },
  timezone: { expr: m('timezone'), kind: 'text' },
  active: { expr: sql`${m('state')} <> 'deactivated'`, kind: 'boolean' },
  created: { expr: m('created_time'), kind: 'time' },
  lastModified: { expr: m('updated_time'), kind: 'time' },
  employeeNumber: { expr: m('employee_number'), kind: 'exact' },
  costCenter: { expr: m('cost_center'), kind: 'text' },
  organization: { expr: m('organization'), kind: 'text' },
  division: { expr: m('division'), kind: 'text' },
  department: { expr: m('department'), kind: 'text' },
  managerId: { expr: m('manager_id'), kind: 'exact' },
  invited: { expr: sql`${m('invited_time')} is not null`, kind: 'boolean' },
  claimed: { expr: sql`${m('claimed_time')} is not null`, kind: 'boolean' },
  inviteDate: { expr: m('invited_time'), kind: 'time' },
  claimDate: { expr: m('claimed_time'), kind: 'time' },
  authMethod: { expr: m('auth_method'), kind: 'text' },
  startDate: { expr: m('start_time'), kind: 'time' },
  termDate: { expr: m('term_time'), kind: 'time' },
  isFrontline: { expr: sql`${m('is_frontline')} = 1`, kind: 'boolean' },
  primaryPhone: { expr: m('primary_phone'), kind: 'text' },
  primaryAddress: { expr: m('primary_address'), kind: 'text' },
};

const e = (column: string) => sql.ref(`member_email.${column}`);
const emailColumns: Record<string, ColumnSpec> = {
  value: { expr: e('value_lower'), kind: 'text', eq: (v) => sql<boolean>`(${e('value_lower')} = ${v})` },
  type: { expr: e('type'), kind: 'text' },
  primary: { expr: sql`${e('is_primary')} = 1`, kind: 'boolean' },
};

/** The SQL boolean expression of an account condition (exported for the filter tests). */
export function accountWhere(condition: AccountCondition) {
  return compileCondition(condition, accountColumns, {
    // An IN list rather than EXISTS, so an `or` with indexed conditions can still use indexes.
    emails: (where: Condition<string>) => sql<boolean>`(${m('id')} in (select ${e('member_id')} from member_email where ${compileCondition(where, emailColumns, {})}))`,
  });
}

/** One page of accounts matching a condition, in the requested order (default: creation, via id). */
export async function listAccounts(db: Db, condition: AccountCondition | undefined, request: ListRequest<AccountField>): Promise<ListedAccount[]> {
  let q = db.selectFrom('member').selectAll('member');
  if (condition) q = q.where(accountWhere(condition));
  const spec = request.sort ? accountColumns[request.sort.field] : undefined;
  return selectPage(q, m('id'), spec, request.sort?.descending ?? false, request) as Promise<ListedAccount[]>;
}

export async function countAccounts(db: Db, condition: AccountCondition | undefined): Promise<number> {
  let q = db.selectFrom('member').select((eb) => eb.fn.countAll<number>().as('n'));
  if (condition) q = q.where(accountWhere(condition));
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Accounts other than `exceptId` that already hold one of these identifiers. */
export async function findIdentifierHolders(
  db: Db,
  keys: { userNameLower?: string | null; emailLower?: string | null; externalId?: string | null },
  exceptId?: string,
): Promise<{ field: 'userName' | 'email' | 'externalId'; id: string }[]> {
  const found: { field: 'userName' | 'email' | 'externalId'; id: string }[] = [];
  const probe = async (field: 'userName' | 'email' | 'externalId', where: ReturnType<typeof accountWhere>) => {
    let q = db.selectFrom('member').select('id').where(where);
    if (exceptId) q = q.where('id', '!=', exceptId);
    const row = await q.limit(1).executeTakeFirst();
    if (row) found.push({ field, id: row.id });
  };
  if (keys.userNameLower) {
    const v = keys.userNameLower;
    await probe('userName', sql<boolean>`(${m('user_name_lower')} = ${v} or ${m('email_lower')} = ${v})`);
  }
  // The login email is usually the userName itself: then the first probe covered it.
  if (keys.emailLower && keys.emailLower !== keys.userNameLower) {
    const v = keys.emailLower;
    await probe('email', sql<boolean>`(${m('email_lower')} = ${v} or ${m('user_name_lower')} = ${v})`);
  }
  if (keys.externalId) await probe('externalId', sql<boolean>`(${m('external_id')} = ${keys.externalId})`);
  return found;
}

/** Inserts an account unless one of its unique keys is taken meanwhile; true when inserted. */
export async function insertAccount(db: Db, row: MemberRow): Promise<boolean> {
  const result = await db.insertInto('member').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  const inserted = Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  if (inserted) await indexObject(db, row.id, 'member');
  return inserted;
}

export async function updateAccount(db: Db, id: string, changes: Partial<MemberRow>): Promise<void> {
  if (Object.keys(changes).length) await db.updateTable('member').set(changes).where('id', '=', id).execute();
}

/** Replaces a member's email rows; `fresh` (a member just inserted) has none to delete. */
export async function replaceMemberEmails(db: Db, memberId: string, rows: readonly Omit<MemberEmailRow, 'member_id'>[], fresh = false): Promise<void> {
  if (!fresh) await db.deleteFrom('member_email').where('member_id', '=', memberId).execute();
  if (rows.length) await db.insertInto('member_email').values(rows.map((r) => ({ ...r, member_id: memberId }))).execute();
}

/** The chain of managers above a member, nearest first (at most `limit`; stops at a repeat). */
export async function managerChain(db: Db, startId: string, limit = 500): Promise<string[]> {
  const result = await sql<{ id: string; depth: number }>`
    with recursive chain(id, depth) as (
      select manager_id, 1 from member where id = ${startId} and manager_id is not null
      union all
      select member.manager_id, chain.depth + 1 from chain join member on member.id = chain.id
      where member.manager_id is not null and chain.depth < ${limit}
    )
    select id, depth from chain order by depth`.execute(db);
  const seen: string[] = [];
  for (const row of result.rows) {
    if (seen.includes(row.id)) break;
    seen.push(row.id);
  }
  return seen;
}

export async function countActiveMembers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('member')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', '!=', 'deactivated')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deactivations an integration made since a time (read from the audit log). */
export async function countDeactivationsBy(db: Db, appId: string, since: number): Promise<number> {
  const row = await db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('actor_id', '=', appId)
    .where('time', '>', since)
    .where('actor_type', '=', 'integration')
    .where('action', '=', 'account.deactivated')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Removes an account and everything that only exists because of it; its reports lose their manager. */
export async function deleteAccountRows(db: Db, memberId: string, now: number): Promise<void> {
  await db.deleteFrom('member_email').where('member_id', '=', memberId).execute();
  await db.deleteFrom('account_invite').where('member_id', '=', memberId).execute();
  await db.deleteFrom('people_set_member').where('member_id', '=', memberId).execute();
  await db.deleteFrom('group_member').where('member_id', '=', memberId).execute();
  await db.deleteFrom('session').where('member_id', '=', memberId).execute();
  await db.deleteFrom('mail_outbox').where('member_id', '=', memberId).where('sent_time', 'is', null).execute();
  await db.updateTable('member').set({ manager_id: null, updated_time: now }).where('manager_id', '=', memberId).execute();
  await db.deleteFrom('member').where('id', '=', memberId).execute();
}

export async function replaceInvite(db: Db, row: InviteRow): Promise<void> {
  await db.deleteFrom('account_invite').where('member_id', '=', row.member_id).execute();
  await db.insertInto('account_invite').values(row).execute();
}

export async function findInvitesOf(db: Db, memberIds: readonly string[]): Promise<InviteRow[]> {
  if (memberIds.length === 0) return [];
  return db.selectFrom('account_invite').selectAll().where('member_id', 'in', [...new Set(memberIds)]).execute();
}

export async function findInviteByHash(db: Db, hash: string): Promise<InviteRow | undefined> {
  return db.selectFrom('account_invite').selectAll().where((eb) => eb.or([eb('token_hash', '=', hash), eb('access_code_hash', '=', hash)])).executeTakeFirst();
}

export async function deleteInvite(db: Db, memberId: string): Promise<void> {
  await db.deleteFrom('account_invite').where('member_id', '=', memberId).execute();
}

export async function insertMail(db: Db, row: MailRow): Promise<void> {
  await db.insertInto('mail_outbox').values(row).execute();
}

/** Mail, newest first; `unsentOnly` keeps what still waits to be sent. */
export async function listMail(db: Db, options: { limit: number; unsentOnly?: boolean }): Promise<MailRow[]> {
  let q = db.selectFrom('mail_outbox').selectAll();
  if (options.unsentOnly) q = q.where('sent_time', 'is', null);
  return q.orderBy('created_time', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

export async function findMail(db: Db, id: string): Promise<MailRow | undefined> {
  return db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function markMailSent(db: Db, id: string, time: number): Promise<void> {
  await db.updateTable('mail_outbox').set({ sent_time: time }).where('id', '=', id).execute();
}

/** Mail due for an SMTP attempt at `now`, oldest first. */
export async function dueMail(db: Db, now: number, limit: number): Promise<MailRow[]> {
  return db
    .selectFrom('mail_outbox')
    .selectAll()
    .where('sent_time', 'is', null)
    .where('failed_time', 'is', null)
    .where((eb) => eb.or([eb('next_attempt_time', 'is', null), eb('next_attempt_time', '<=', now)]))
    .orderBy('created_time')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/**
 * Takes a due mail for one attempt: moves its next attempt to `leaseUntil` only if it is still due,
 * so of several processes exactly one sends it. False when another got it first.
 */
export async function claimMail(db: Db, id: string, now: number, leaseUntil: number): Promise<boolean> {
  const result = await db
    .updateTable('mail_outbox')
    .set({ next_attempt_time: leaseUntil })
    .where('id', '=', id)
    .where('sent_time', 'is', null)
    .where('failed_time', 'is', null)
    .where((eb) => eb.or([eb('next_attempt_time', 'is', null), eb('next_attempt_time', '<=', now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records an attempt: sent, retry at `retryAt`, or given up (`failed`). */
export async function recordMailAttempt(db: Db, id: string, outcome: { sentTime?: number; retryAt?: number; failedTime?: number; error?: string; attempts: number }): Promise<void> {
  await db
    .updateTable('mail_outbox')
    .set({
      attempts: outcome.attempts,
      sent_time: outcome.sentTime ?? null,
      next_attempt_time: outcome.retryAt ?? null,
      failed_time: outcome.failedTime ?? null,
      last_error: outcome.error ?? null,
    })
    .where('id', '=', id)
    .execute();
}

/** Puts mail that gave up back in line for delivery. */
export async function retryMail(db: Db, id: string): Promise<boolean> {
  const result = await db.updateTable('mail_outbox').set({ failed_time: null, next_attempt_time: null }).where('id', '=', id).where('sent_time', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
