import type { Db } from '../database.js';
import { indexObject } from './object.js';
import type { AppTable, PageTable } from '../schema.js';

export type AppRow = AppTable;
export type PageRow = PageTable;

export async function findAppByTokenHash(db: Db, tokenHash: string): Promise<AppRow | undefined> {
  return db.selectFrom('app').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function findAppById(db: Db, id: string): Promise<AppRow | undefined> {
  return db.selectFrom('app').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findAppsByIds(db: Db, ids: readonly string[]): Promise<AppRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('app').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

/** The apps that own these bot pages. */
export async function findAppsByPageIds(db: Db, pageIds: readonly string[]): Promise<AppRow[]> {
  if (pageIds.length === 0) return [];
  return db.selectFrom('app').selectAll().where('page_id', 'in', [...new Set(pageIds)]).execute();
}

export async function listApps(db: Db): Promise<AppRow[]> {
  return db.selectFrom('app').selectAll().orderBy('created_time', 'asc').orderBy('id', 'asc').execute();
}

export async function insertApp(db: Db, row: AppRow): Promise<void> {
  await db.insertInto('app').values(row).execute();
  await indexObject(db, row.id, 'app');
}

export async function updateApp(db: Db, id: string, changes: Partial<AppRow>): Promise<void> {
  await db.updateTable('app').set(changes).where('id', '=', id).execute();
}

export async function deleteApp(db: Db, id: string): Promise<void> {
  await db.deleteFrom('app').where('id', '=', id).execute();
  await db.deleteFrom('app_group').where('app_id', '=', id).execute();
  await db.deleteFrom('app_usage').where('app_id', '=', id).execute();
}

export async function findAppGroupIds(db: Db, appId: string): Promise<string[]> {
  const rows = await db.selectFrom('app_group').select('group_id').where('app_id', '=', appId).execute();
  return rows.map((r) => r.group_id);
}

export async function findAppGroupIdsForApps(db: Db, appIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (appIds.length === 0) return out;
  const rows = await db.selectFrom('app_group').selectAll().where('app_id', 'in', [...appIds]).execute();
  for (const r of rows) out.set(r.app_id, [...(out.get(r.app_id) ?? []), r.group_id]);
  return out;
}

export async function replaceAppGroups(db: Db, appId: string, groupIds: readonly string[]): Promise<void> {
  await db.deleteFrom('app_group').where('app_id', '=', appId).execute();
  if (groupIds.length) await db.insertInto('app_group').values(groupIds.map((group_id) => ({ app_id: appId, group_id }))).execute();
}

export async function findPagesByIds(db: Db, ids: readonly string[]): Promise<PageRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('page').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

export async function insertPage(db: Db, row: PageRow): Promise<void> {
  await db.insertInto('page').values(row).execute();
  await indexObject(db, row.id, 'page');
}

export async function updatePage(db: Db, id: string, changes: Partial<PageRow>): Promise<void> {
  await db.updateTable('page').set(changes).where('id', '=', id).execute();
}

export async function deletePage(db: Db, id: string): Promise<void> {
  await db.deleteFrom('page').where('id', '=', id).execute();
}

/** Adds request counts per app and UTC day, and moves last_request_time forward. */
export async function addUsage(db: Db, appId: string, day: string, requests: number, lastRequestTime: number): Promise<void> {
  await db
    .insertInto('app_usage')
    .values({ app_id: appId, day, requests })
    .onConflict((oc) => oc.columns(['app_id', 'day']).doUpdateSet((eb) => ({ requests: eb('app_usage.requests', '+', requests) })))
    .execute();
  await db
    .updateTable('app')
    .set({ last_request_time: lastRequestTime })
    .where('id', '=', appId)
    .where((eb) => eb.or([eb('last_request_time', 'is', null), eb('last_request_time', '<', lastRequestTime)]))
    .execute();
}

export async function usageSince(db: Db, appIds: readonly string[], firstDay: string): Promise<{ app_id: string; day: string; requests: number }[]> {
  if (appIds.length === 0) return [];
  return db.selectFrom('app_usage').selectAll().where('app_id', 'in', [...appIds]).where('day', '>=', firstDay).execute();
}
