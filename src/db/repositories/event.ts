import type { Db } from '../database.js';
import type { AuditEventTable, OutboxTable } from '../schema.js';

export type AuditEventRow = AuditEventTable;
export type OutboxRow = OutboxTable;

export async function insertAuditEvent(db: Db, row: AuditEventRow): Promise<void> {
  await db.insertInto('audit_event').values(row).execute();
}

export async function insertOutboxRows(db: Db, rows: readonly OutboxRow[]): Promise<void> {
  if (rows.length) await db.insertInto('outbox').values([...rows]).execute();
}

export interface AuditFilter {
  actorId?: string;
  targetId?: string;
  action?: string;
  limit: number;
}

export async function listAuditEvents(db: Db, filter: AuditFilter): Promise<AuditEventRow[]> {
  let q = db.selectFrom('audit_event').selectAll();
  if (filter.actorId) q = q.where('actor_id', '=', filter.actorId);
  if (filter.targetId) q = q.where('target_id', '=', filter.targetId);
  if (filter.action) q = q.where('action', '=', filter.action);
  return q.orderBy('time', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
}
