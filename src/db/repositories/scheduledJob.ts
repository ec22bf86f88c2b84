import type { Db } from '../database.js';

/**
 * Takes the run of `name` that is due at `now` for `owner`, so that across all processes exactly
 * one runs it; the next run is then due at `next`. False when it is not due or another took it.
 */
export async function takeDueJob(db: Db, name: string, owner: string, now: number, next: number): Promise<boolean> {
  await db.insertInto('scheduled_job').values({ name, next_run_time: now, owner: null }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const taken = await db.updateTable('scheduled_job').set({ next_run_time: next, owner }).where('name', '=', name).where('next_run_time', '<=', now).executeTakeFirst();
  return Number(taken.numUpdatedRows) === 1;
}
