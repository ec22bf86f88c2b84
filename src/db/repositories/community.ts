import type { Db } from '../database.js';
import { indexObject } from './object.js';
import type { CommunityTable } from '../schema.js';

export async function findCommunity(db: Db): Promise<CommunityTable | undefined> {
  return db.selectFrom('community').selectAll().limit(1).executeTakeFirst();
}

export async function insertCommunity(db: Db, row: CommunityTable): Promise<void> {
  await db.insertInto('community').values(row).execute();
  await indexObject(db, row.id, 'community');
}
