import { sql } from 'kysely';
import type { ExportJobTable } from '../communitySchema.js';
import type { Db, DialectName } from '../database.js';
import type { MemberTable } from '../schema.js';
import { indexObject } from './object.js';

export type ExportJobRow = ExportJobTable;

export async function insertExportJob(db: Db, row: ExportJobRow): Promise<void> {
  await db.insertInto('export_job').values(row).execute();
  await indexObject(db, row.id, 'export_job');
}

export async function findExportJobsByIds(db: Db, ids: readonly string[]): Promise<ExportJobRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('export_job').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

export async function findExportJob(db: Db, id: string): Promise<ExportJobRow | undefined> {
  return db.selectFrom('export_job').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listExportJobs(db: Db, limit: number): Promise<ExportJobRow[]> {
  return db.selectFrom('export_job').selectAll().orderBy('created_time', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Takes the oldest job that is waiting, or whose runner's lease ran out, and leases it to
 * `owner`. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several processes claim at once without
 * taking the same job; SQLite serializes writers, so the same statement is enough there.
 */
export async function claimExportJob(db: Db, dialect: DialectName, owner: string, now: number, leaseMs: number): Promise<ExportJobRow | undefined> {
  const lock = dialect === 'postgres' ? sql`for update skip locked` : sql``;
  const result = await sql<ExportJobRow>`
    update export_job
       set status = 'STARTED', lease_owner = ${owner}, lease_until = ${now + leaseMs}, attempts = attempts + 1,
           progress = 0, started_time = coalesce(started_time, ${now})
     where id = (select id from export_job
                  where status = 'PENDING' or (status = 'STARTED' and lease_until < ${now})
                  order by created_time, id limit 1 ${lock})
    returning *`.execute(db);
  const row = result.rows[0];
  return row ? { ...row, progress: Number(row.progress), total: Number(row.total), attempts: Number(row.attempts) } : undefined;
}

/** Records progress and extends the lease; false when the job is no longer this owner's. */
export async function reportExportProgress(db: Db, id: string, owner: string, progress: { done: number; total: number }, leaseUntil: number): Promise<boolean> {
  const result = await db
    .updateTable('export_job')
    .set({ progress: progress.done, total: progress.total, lease_until: leaseUntil })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('status', '=', 'STARTED')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends a leased job; false when the lease had passed to another owner. */
export async function finishExportJob(db: Db, id: string, owner: string, changes: Pick<ExportJobRow, 'status' | 'finished_time'> & Partial<ExportJobRow>): Promise<boolean> {
  const result = await db
    .updateTable('export_job')
    .set({ ...changes, lease_owner: null, lease_until: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('status', '=', 'STARTED')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Current members (not deactivated), by id, one page after `afterId`. */
export async function exportMembersPage(db: Db, afterId: string, limit: number): Promise<MemberTable[]> {
  return db.selectFrom('member').selectAll().where('state', '!=', 'deactivated').where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

export async function countExportMembers(db: Db): Promise<number> {
  const row = await db.selectFrom('member').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '!=', 'deactivated').executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Posts and comments each member wrote, and when they last did (activity columns). */
export async function activityOfMembers(db: Db, memberIds: readonly string[]): Promise<Map<string, { posts: number; comments: number; last: number | null }>> {
  const out = new Map<string, { posts: number; comments: number; last: number | null }>();
  if (memberIds.length === 0) return out;
  const ids = [...memberIds];
  const [posts, comments] = await Promise.all([
    db.selectFrom('post').select(['author_id']).select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('created_time').as('last')]).where('author_id', 'in', ids).groupBy('author_id').execute(),
    db.selectFrom('comment').select(['author_id']).select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('created_time').as('last')]).where('author_id', 'in', ids).groupBy('author_id').execute(),
  ]);
  const entry = (id: string) => out.get(id) ?? out.set(id, { posts: 0, comments: 0, last: null }).get(id)!;
  for (const p of posts) {
    const e = entry(p.author_id);
    e.posts = Number(p.n);
    e.last = Math.max(e.last ?? 0, Number(p.last));
  }
  for (const c of comments) {
    const e = entry(c.author_id);
    e.comments = Number(c.n);
    e.last = Math.max(e.last ?? 0, Number(c.last));
  }
  return out;
}
