import type { Db } from '../database.js';
import { isUniqueViolation } from '../database.js';
import type { IdNodeTable } from '../schema.js';

export async function listIdNodes(db: Db): Promise<IdNodeTable[]> {
  return db.selectFrom('id_node').selectAll().execute();
}

/** Takes a node nobody holds yet; false when another process inserted it first. */
export async function insertIdNode(db: Db, row: IdNodeTable): Promise<boolean> {
  try {
    await db.insertInto('id_node').values(row).execute();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/**
 * Takes over a lease exactly as it was read (compare-and-set on holder and expiry), so two
 * processes that both saw it expired cannot both win.
 */
export async function takeOverIdNode(db: Db, seen: IdNodeTable, next: Omit<IdNodeTable, 'node'>): Promise<boolean> {
  const result = await db
    .updateTable('id_node')
    .set(next)
    .where('node', '=', seen.node)
    .where('holder', '=', seen.holder)
    .where('expires_time', '=', seen.expires_time)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Renews (or, with expires_time 0, releases) a lease this holder still has; false when it lost it. */
export async function renewIdNode(db: Db, node: number, holder: string, expiresTime: number, lastTick: number): Promise<boolean> {
  const result = await db
    .updateTable('id_node')
    .set({ expires_time: expiresTime, last_tick: lastTick })
    .where('node', '=', node)
    .where('holder', '=', holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
