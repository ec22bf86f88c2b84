import type { Db } from '../database.js';

/** Marks stored files for deletion, in the transaction that deletes their rows. */
export async function discardStoredFiles(db: Db, keys: readonly (string | null)[], now: number): Promise<void> {
  const unique = [...new Set(keys.filter((k): k is string => !!k))];
  if (unique.length === 0) return;
  await db
    .insertInto('media_trash')
    .values(unique.map((key) => ({ key, created_time: now })))
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

export async function trashedKeys(db: Db, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('media_trash').select('key').orderBy('created_time').limit(limit).execute();
  return rows.map((r) => r.key);
}

export async function forgetTrashedKeys(db: Db, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.deleteFrom('media_trash').where('key', 'in', [...keys]).execute();
}
