import type { Db } from '../database.js';
import { indexObject } from './object.js';
import { firstOfEach, keysetPage, type Page, type PageRequest } from '../keyset.js';
import type { AccountState, MemberTable } from '../schema.js';

export type MemberRow = MemberTable;

export async function findMembersByIds(db: Db, ids: readonly string[]): Promise<MemberRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('member').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

export async function findMemberById(db: Db, id: string): Promise<MemberRow | undefined> {
  return db.selectFrom('member').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findMemberByEmail(db: Db, email: string): Promise<MemberRow | undefined> {
  return db.selectFrom('member').selectAll().where('email_lower', '=', email.toLowerCase()).executeTakeFirst();
}

export async function findMembersByEmails(db: Db, emails: readonly string[]): Promise<MemberRow[]> {
  if (emails.length === 0) return [];
  return db.selectFrom('member').selectAll().where('email_lower', 'in', emails.map((e) => e.toLowerCase())).execute();
}

export interface MemberListFilter {
  states: readonly AccountState[];
  externalIds?: readonly string[];
  adminsOnly?: boolean;
  managerId?: string;
}

/** Members in name order, keyset-paged on (name, id). */
export async function listMembers(db: Db, filter: MemberListFilter, page: PageRequest): Promise<Page<MemberRow>> {
  let q = db.selectFrom('member').selectAll().where('state', 'in', [...filter.states]);
  if (filter.externalIds) q = q.where('external_id', 'in', filter.externalIds.length ? [...filter.externalIds] : ['']);
  if (filter.adminsOnly) q = q.where('is_admin', '=', 1);
  if (filter.managerId !== undefined) q = q.where('manager_id', '=', filter.managerId);
  return keysetPage(q, { sort: 'name', id: 'id' }, page);
}

/** The first `limit + 1` direct reports of each of several managers, in name order, in one statement. */
export async function listReportsOfMany(db: Db, managerIds: readonly string[], states: readonly AccountState[], order: 'asc' | 'desc', limit: number): Promise<MemberRow[]> {
  return firstOfEach(db, managerIds, { sort: 'name', id: 'id', direction: order }, (managerId) =>
    db.selectFrom('member').selectAll().where('state', 'in', [...states]).where('manager_id', '=', managerId).limit(limit + 1),
  );
}

export async function countMembers(db: Db, filter: MemberListFilter): Promise<number> {
  let q = db.selectFrom('member').select((eb) => eb.fn.countAll<number>().as('n')).where('state', 'in', [...filter.states]);
  if (filter.adminsOnly) q = q.where('is_admin', '=', 1);
  if (filter.managerId !== undefined) q = q.where('manager_id', '=', filter.managerId);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertMember(db: Db, row: MemberRow): Promise<void> {
  await db.insertInto('member').values(row).execute();
  await indexObject(db, row.id, 'member');
}

export async function updateMember(db: Db, id: string, changes: Partial<MemberRow>): Promise<void> {
  await db.updateTable('member').set(changes).where('id', '=', id).execute();
}

export async function countAdmins(db: Db): Promise<number> {
  const row = await db
    .selectFrom('member')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('is_admin', '=', 1)
    .where('state', '!=', 'deactivated')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
