import { sql } from 'kysely';
import type { Db } from '../database.js';

/**
 * Spends `points` of the window of `key` in one statement: a window that expired starts over
 * at `now` and lasts `windowMs`. Returns the points spent in the window so far and when it ends.
 */
export async function spendBudget(db: Db, key: string, points: number, now: number, windowMs: number): Promise<{ points: number; expire_time: number }> {
  return db
    .insertInto('rate_budget')
    .values({ key, points, expire_time: now + windowMs })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        points: sql<number>`case when rate_budget.expire_time <= ${now} then excluded.points else rate_budget.points + excluded.points end`,
        expire_time: sql<number>`case when rate_budget.expire_time <= ${now} then excluded.expire_time else rate_budget.expire_time end`,
      }),
    )
    .returning(['points', 'expire_time'])
    .executeTakeFirstOrThrow();
}

export async function deleteExpiredBudgets(db: Db, before: number): Promise<void> {
  await db.deleteFrom('rate_budget').where('expire_time', '<', before).execute();
}
