import type { ReportedContentTable, ReportStatus } from '../communitySchema.js';
import type { Db } from '../database.js';
import { keysetPage, type Page, type PageRequest } from '../keyset.js';
import { indexObject } from './object.js';

export type ReportRow = ReportedContentTable;

export async function insertReport(db: Db, row: ReportRow): Promise<void> {
  await db.insertInto('reported_content').values(row).execute();
  await indexObject(db, row.id, 'reported_content');
}

export async function findReportsByIds(db: Db, ids: readonly string[]): Promise<ReportRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('reported_content').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

export async function findReport(db: Db, id: string): Promise<ReportRow | undefined> {
  return db.selectFrom('reported_content').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The reporter's open report of an object, if any (a second report is the same report). */
export async function findOpenReport(db: Db, objectId: string, reporterId: string): Promise<ReportRow | undefined> {
  return db.selectFrom('reported_content').selectAll().where('object_id', '=', objectId).where('reporter_id', '=', reporterId).where('status', '=', 'OPEN').executeTakeFirst();
}

/** Reports, newest first, of the given status and (for a group-scoped integration) groups. */
export async function listReports(db: Db, filter: { status?: ReportStatus; groupIds: readonly string[] | null }, page: PageRequest): Promise<Page<ReportRow>> {
  let q = db.selectFrom('reported_content').selectAll();
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.groupIds !== null) q = filter.groupIds.length ? q.where('group_id', 'in', [...filter.groupIds]) : q.where('id', '=', '');
  return keysetPage(q, { sort: 'created_time', id: 'id' }, page);
}

export async function updateReport(db: Db, id: string, changes: Partial<ReportRow>): Promise<void> {
  await db.updateTable('reported_content').set(changes).where('id', '=', id).execute();
}

/** Open reports of an object: resolved together, since one decision answers them all. */
export async function openReportsOf(db: Db, objectId: string): Promise<ReportRow[]> {
  return db.selectFrom('reported_content').selectAll().where('object_id', '=', objectId).where('status', '=', 'OPEN').orderBy('created_time').orderBy('id').execute();
}

/** Warnings an author received, newest first (the member app shows them). */
export async function warningsOf(db: Db, authorId: string, limit: number): Promise<ReportRow[]> {
  return db.selectFrom('reported_content').selectAll().where('author_id', '=', authorId).where('resolution', '=', 'WARN').orderBy('resolved_time', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
