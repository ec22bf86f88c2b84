import { sql } from 'kysely';
import type { Condition, ListPosition, ListRequest, PeopleSetCondition, peopleSetFields } from '../../domain/accountQuery.js';
import { type ColumnSpec, compileCondition, selectPage } from '../condition.js';
import type { Db } from '../database.js';
import type { PeopleSetTable } from '../schema.js';

export type PeopleSetRow = PeopleSetTable;
/** A listed set; in a sorted list with the value it was sorted by. */
export type ListedPeopleSet = PeopleSetRow & { sort_key?: ListPosition['sortKey'] };
export interface SetMemberView {
  set_id: string;
  member_id: string;
  name: string;
}

type PeopleSetField = keyof typeof peopleSetFields;
const s = (column: string) => sql.ref(`people_set.${column}`);

const setColumns: Record<PeopleSetField, ColumnSpec> = {
  id: { expr: s('id'), kind: 'exact' },
  displayName: { expr: s('display_name'), kind: 'text', eq: (v) => sql<boolean>`(${s('display_name_lower')} = ${v})` },
  externalId: { expr: s('external_id'), kind: 'exact' },
  created: { expr: s('created_time'), kind: 'time' },
  lastModified: { expr: s('updated_time'), kind: 'time' },
};
const memberColumns: Record<string, ColumnSpec> = { value: { expr: sql.ref('people_set_member.member_id'), kind: 'exact' } };

/** The SQL boolean expression of a people-set condition (exported for the filter tests). */
export function peopleSetWhere(condition: PeopleSetCondition) {
  return compileCondition(condition, setColumns, {
    members: (where: Condition<string>) =>
      sql<boolean>`(exists (select 1 from people_set_member where people_set_member.set_id = ${s('id')} and ${compileCondition(where, memberColumns, {})}))`,
  });
}

export async function listPeopleSets(db: Db, condition: PeopleSetCondition | undefined, request: ListRequest<PeopleSetField>): Promise<ListedPeopleSet[]> {
  let q = db.selectFrom('people_set').selectAll('people_set');
  if (condition) q = q.where(peopleSetWhere(condition));
  const spec = request.sort ? setColumns[request.sort.field] : undefined;
  return selectPage(q, s('id'), spec, request.sort?.descending ?? false, request) as Promise<ListedPeopleSet[]>;
}

export async function countPeopleSets(db: Db, condition: PeopleSetCondition | undefined): Promise<number> {
  let q = db.selectFrom('people_set').select((eb) => eb.fn.countAll<number>().as('n'));
  if (condition) q = q.where(peopleSetWhere(condition));
  return Number((await q.executeTakeFirstOrThrow()).n);
}

export async function findPeopleSetById(db: Db, id: string): Promise<PeopleSetRow | undefined> {
  return db.selectFrom('people_set').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A set other than `exceptId` already holding the name or external id. */
export async function findPeopleSetHolder(db: Db, keys: { displayNameLower?: string; externalId?: string | null }, exceptId?: string): Promise<{ field: 'displayName' | 'externalId'; id: string } | undefined> {
  for (const [field, column, value] of [
    ['displayName', 'display_name_lower', keys.displayNameLower],
    ['externalId', 'external_id', keys.externalId],
  ] as const) {
    if (!value) continue;
    let q = db.selectFrom('people_set').select('id').where(column, '=', value);
    if (exceptId) q = q.where('id', '!=', exceptId);
    const row = await q.executeTakeFirst();
    if (row) return { field, id: row.id };
  }
  return undefined;
}

export async function insertPeopleSet(db: Db, row: PeopleSetRow): Promise<boolean> {
  const result = await db.insertInto('people_set').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function updatePeopleSet(db: Db, id: string, changes: Partial<PeopleSetRow>): Promise<void> {
  await db.updateTable('people_set').set(changes).where('id', '=', id).execute();
}

export async function deletePeopleSet(db: Db, id: string): Promise<void> {
  await db.deleteFrom('people_set_member').where('set_id', '=', id).execute();
  await db.deleteFrom('people_set').where('id', '=', id).execute();
}

/** Members of each set with their names, in the order they were added. */
export async function listSetMembers(db: Db, setIds: readonly string[]): Promise<SetMemberView[]> {
  if (setIds.length === 0) return [];
  return db
    .selectFrom('people_set_member')
    .innerJoin('member', 'member.id', 'people_set_member.member_id')
    .select(['people_set_member.set_id', 'people_set_member.member_id', 'member.name'])
    .where('people_set_member.set_id', 'in', [...new Set(setIds)])
    .orderBy('people_set_member.added_time')
    .orderBy('people_set_member.member_id')
    .execute();
}

/** The sets each member belongs to, by set name. */
export async function listSetsOfMembers(db: Db, memberIds: readonly string[]): Promise<{ member_id: string; set_id: string; display_name: string }[]> {
  if (memberIds.length === 0) return [];
  return db
    .selectFrom('people_set_member')
    .innerJoin('people_set', 'people_set.id', 'people_set_member.set_id')
    .select(['people_set_member.member_id', 'people_set_member.set_id', 'people_set.display_name'])
    .where('people_set_member.member_id', 'in', [...new Set(memberIds)])
    .orderBy('people_set.display_name_lower')
    .orderBy('people_set.id')
    .execute();
}

export async function setMemberIds(db: Db, setId: string): Promise<string[]> {
  return (await db.selectFrom('people_set_member').select('member_id').where('set_id', '=', setId).execute()).map((r) => r.member_id);
}

export async function addSetMembers(db: Db, setId: string, memberIds: readonly string[], now: number): Promise<void> {
  if (memberIds.length === 0) return;
  await db
    .insertInto('people_set_member')
    .values(memberIds.map((member_id) => ({ set_id: setId, member_id, added_time: now })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function removeSetMembers(db: Db, setId: string, memberIds: readonly string[]): Promise<void> {
  if (memberIds.length === 0) return;
  await db.deleteFrom('people_set_member').where('set_id', '=', setId).where('member_id', 'in', [...memberIds]).execute();
}
