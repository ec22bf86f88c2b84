import { sql } from 'kysely';
import type { Db } from '../database.js';
import type { HookDeliveryTable, HookThreadTable, IncomingHookTable } from '../automationSchema.js';

export type IncomingHookRow = IncomingHookTable;
export type HookDeliveryRow = HookDeliveryTable;
export type HookThreadRow = HookThreadTable;

export async function insertHook(db: Db, row: IncomingHookRow): Promise<void> {
  await db.insertInto('incoming_hook').values(row).execute();
}

export async function updateHook(db: Db, id: string, changes: Partial<IncomingHookRow>): Promise<void> {
  await db.updateTable('incoming_hook').set(changes).where('id', '=', id).execute();
}

export async function findHookById(db: Db, id: string): Promise<IncomingHookRow | undefined> {
  return db.selectFrom('incoming_hook').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findHookByKeyHash(db: Db, keyHash: string): Promise<IncomingHookRow | undefined> {
  return db.selectFrom('incoming_hook').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

export interface HookFilter {
  targetId?: string;
  appId?: string;
}

/** Hooks newest first, revoked ones included (they say so). */
export async function listHooks(db: Db, filter: HookFilter = {}): Promise<IncomingHookRow[]> {
  let q = db.selectFrom('incoming_hook').selectAll();
  if (filter.targetId) q = q.where('target_id', '=', filter.targetId);
  if (filter.appId) q = q.where('app_id', '=', filter.appId);
  return q.orderBy('created_time', 'desc').orderBy('id', 'desc').execute();
}

/**
 * Counts one request in the hook's current one-minute window and returns the count so far,
 * atomically, so processes sharing the database share the limit.
 */
export async function countHookRequest(db: Db, id: string, windowStart: number): Promise<number> {
  const row = await db
    .updateTable('incoming_hook')
    .set({
      rate_window_count: sql`case when rate_window_start = ${windowStart} then rate_window_count + 1 else 1 end`,
      rate_window_start: windowStart,
    })
    .where('id', '=', id)
    .returning('rate_window_count')
    .executeTakeFirst();
  return row?.rate_window_count ?? 0;
}

/** Moves a hook's counters after a request: last use, and one more post or error. */
export async function recordHookUse(db: Db, id: string, time: number, ok: boolean): Promise<void> {
  await db
    .updateTable('incoming_hook')
    .set(ok ? { last_used_time: time, post_count: sql`post_count + 1` } : { last_used_time: time, error_count: sql`error_count + 1` })
    .where('id', '=', id)
    .execute();
}

export async function insertHookDelivery(db: Db, row: HookDeliveryRow): Promise<void> {
  await db.insertInto('hook_delivery').values(row).execute();
}

export async function listHookDeliveries(db: Db, hookId: string, limit: number): Promise<HookDeliveryRow[]> {
  return db.selectFrom('hook_delivery').selectAll().where('hook_id', '=', hookId).orderBy('time', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function pruneHookDeliveries(db: Db, before: number): Promise<void> {
  await db.deleteFrom('hook_delivery').where('time', '<', before).execute();
}

export async function findHookThread(db: Db, hookId: string, key: string): Promise<HookThreadRow | undefined> {
  return db.selectFrom('hook_thread').selectAll().where('hook_id', '=', hookId).where('external_key', '=', key).executeTakeFirst();
}

export async function saveHookThread(db: Db, row: HookThreadRow): Promise<void> {
  await db
    .insertInto('hook_thread')
    .values(row)
    .onConflict((oc) => oc.columns(['hook_id', 'external_key']).doUpdateSet({ post_id: row.post_id, state: row.state, updated_time: row.updated_time }))
    .execute();
}

/** The page a hook posts as when a payload names another sender (`username`), if made before. */
export async function findHookPersona(db: Db, hookId: string, name: string) {
  return db.selectFrom('page').selectAll().where('app_id', '=', hookId).where('name', '=', name).executeTakeFirst();
}
