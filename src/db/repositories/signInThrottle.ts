import { sql } from 'kysely';
import type { Db } from '../database.js';

/**
 * Adds one attempt to the key's window in one statement (a fresh window when the last one has
 * ended), so parallel attempts each see their own count. Returns the count and when the window began.
 */
export async function reserveAttempt(db: Db, key: string, now: number, windowMs: number): Promise<{ failures: number; windowStart: number }> {
  const expired = sql<boolean>`sign_in_throttle.window_start <= ${now - windowMs}`;
  const row = await db
    .insertInto('sign_in_throttle')
    .values({ key, failures: 1, window_start: now })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: sql<number>`case when ${expired} then 1 else sign_in_throttle.failures + 1 end`,
        window_start: sql<number>`case when ${expired} then ${now} else sign_in_throttle.window_start end`,
      }),
    )
    .returning(['failures', 'window_start'])
    .executeTakeFirstOrThrow();
  return { failures: Number(row.failures), windowStart: Number(row.window_start) };
}

/** Gives back an attempt that turned out not to be a failure (a success, or one refused unseen). */
export async function refundAttempt(db: Db, key: string): Promise<void> {
  await db.updateTable('sign_in_throttle').set({ failures: sql<number>`failures - 1` }).where('key', '=', key).where('failures', '>', 0).execute();
}

export async function clearAttempts(db: Db, key: string): Promise<void> {
  await db.deleteFrom('sign_in_throttle').where('key', '=', key).execute();
}

/** Drops windows that ended before `before`. */
export async function pruneAttempts(db: Db, before: number): Promise<void> {
  await db.deleteFrom('sign_in_throttle').where('window_start', '<', before).execute();
}
