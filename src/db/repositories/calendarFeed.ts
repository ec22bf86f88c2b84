import type { Db } from '../database.js';
import type { CalendarFeedTable } from '../eventsSchema.js';

export type CalendarFeedRow = CalendarFeedTable;

export async function findCalendarFeed(db: Db, id: string): Promise<CalendarFeedRow | undefined> {
  return db.selectFrom('calendar_feed').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listCalendarFeeds(db: Db, memberId: string): Promise<CalendarFeedRow[]> {
  return db.selectFrom('calendar_feed').selectAll().where('member_id', '=', memberId).orderBy('created_time').orderBy('id').execute();
}

/** The member's feed for a group (null: their own), if any. */
export async function findCalendarFeedOf(db: Db, memberId: string, groupId: string | null): Promise<CalendarFeedRow | undefined> {
  const q = db.selectFrom('calendar_feed').selectAll().where('member_id', '=', memberId);
  return (groupId === null ? q.where('group_id', 'is', null) : q.where('group_id', '=', groupId)).executeTakeFirst();
}

export async function insertCalendarFeed(db: Db, row: CalendarFeedRow): Promise<void> {
  await db.insertInto('calendar_feed').values(row).execute();
}

export async function deleteCalendarFeed(db: Db, id: string): Promise<void> {
  await db.deleteFrom('calendar_feed').where('id', '=', id).execute();
}

export async function touchCalendarFeed(db: Db, id: string, time: number): Promise<void> {
  await db.updateTable('calendar_feed').set({ last_used_time: time }).where('id', '=', id).execute();
}
