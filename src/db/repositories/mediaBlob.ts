import type { Db } from '../database.js';

export async function putMediaBlob(db: Db, key: string, data: Buffer, mimeType: string | null, now: number): Promise<void> {
  await db
    .insertInto('media_blob')
    .values({ key, data, mime_type: mimeType, size: data.length, created_time: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ data, mime_type: mimeType, size: data.length }))
    .execute();
}

export async function findMediaBlob(db: Db, key: string): Promise<{ data: Buffer; size: number } | undefined> {
  const row = await db.selectFrom('media_blob').select(['data', 'size']).where('key', '=', key).executeTakeFirst();
  return row ? { data: Buffer.from(row.data), size: row.size } : undefined;
}

export async function deleteMediaBlob(db: Db, key: string): Promise<void> {
  await db.deleteFrom('media_blob').where('key', '=', key).execute();
}
