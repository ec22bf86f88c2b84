import type { Db } from '../database.js';
import type { MediaKeyTable } from '../scaleOutSchema.js';

export type MediaKeyRow = MediaKeyTable;

/** Every key, newest first. */
export async function listMediaKeys(db: Db): Promise<MediaKeyRow[]> {
  const rows = await db.selectFrom('media_key').selectAll().execute();
  return rows.sort((a, b) => Number(b.id) - Number(a.id));
}

/** Adds a key unless one with this id exists (two processes starting at once); true when added. */
export async function insertMediaKey(db: Db, row: MediaKeyRow): Promise<boolean> {
  const result = await db.insertInto('media_key').values(row).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function retireMediaKeys(db: Db, exceptId: string, now: number): Promise<void> {
  await db.updateTable('media_key').set({ retired_time: now }).where('id', '!=', exceptId).where('retired_time', 'is', null).execute();
}

/** Drops keys retired before `before` (their links have all expired). */
export async function deleteMediaKeysRetiredBefore(db: Db, before: number): Promise<number> {
  const result = await db.deleteFrom('media_key').where('retired_time', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
