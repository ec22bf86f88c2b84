import type { Db } from '../database.js';
import { isUniqueViolation } from '../database.js';
import type { IdempotencyKeyTable } from '../scaleOutSchema.js';

export type IdempotencyRow = IdempotencyKeyTable;

/** Claims a key for a request; returns the row that holds it when another request got there first. */
export async function claimIdempotencyKey(db: Db, row: Pick<IdempotencyRow, 'scope' | 'key' | 'request_hash' | 'created_time'>, expiredBefore: number): Promise<IdempotencyRow | undefined> {
  await db.deleteFrom('idempotency_key').where('scope', '=', row.scope).where('key', '=', row.key).where('created_time', '<', expiredBefore).execute();
  try {
    await db.insertInto('idempotency_key').values({ ...row, status: null, content_type: null, headers: null, body: null }).execute();
    return undefined;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  return db.selectFrom('idempotency_key').selectAll().where('scope', '=', row.scope).where('key', '=', row.key).executeTakeFirst();
}

export async function completeIdempotencyKey(db: Db, scope: string, key: string, response: Pick<IdempotencyRow, 'status' | 'content_type' | 'headers' | 'body'>): Promise<void> {
  await db.updateTable('idempotency_key').set(response).where('scope', '=', scope).where('key', '=', key).execute();
}

/** Lets a key be used again (the request it held failed before writing anything). */
export async function releaseIdempotencyKey(db: Db, scope: string, key: string): Promise<void> {
  await db.deleteFrom('idempotency_key').where('scope', '=', scope).where('key', '=', key).where('status', 'is', null).execute();
}

export async function deleteExpiredIdempotencyKeys(db: Db, before: number): Promise<void> {
  await db.deleteFrom('idempotency_key').where('created_time', '<', before).execute();
}
