import { type ExportJobRow, finishExportJob, insertExportJob } from '../../db/repositories/exportJob.js';
import { AppError } from '../../errors.js';
import { newId } from '../../ids.js';
import { auditActor } from '../actor.js';
import { recordChange } from '../events.js';
import type { Write } from './shared.js';

/** The one export type Workplace documents for `/community/export_employee_data`. */
export const EMPLOYEE_EXPORT = 'WORK_FILE_EXPORT_USER';

/** Schedules an employee data export; the background runner picks it up. */
export async function exportRequester(w: Write): Promise<ExportJobRow> {
  const who = auditActor(w.actor);
  const row: ExportJobRow = {
    id: newId(),
    type: EMPLOYEE_EXPORT,
    status: 'PENDING',
    requested_by_type: who.actor_type,
    requested_by_id: who.actor_id,
    progress: 0,
    total: 0,
    attempts: 0,
    lease_owner: null,
    lease_until: null,
    file_name: null,
    error: null,
    created_time: w.ctx.clock.now(),
    started_time: null,
    finished_time: null,
  };
  await insertExportJob(w.trx, row);
  await w.ctx.bus.publish(w.trx, { t: 'export' });
  await recordChange(w.trx, w.ctx, w.actor, { action: 'export.requested', target: { type: 'export_job', id: row.id }, new: { type: row.type } });
  return row;
}

/**
 * Ends a job the runner holds: COMPLETED with its file, or FAILED with the reason. Throws
 * conflict when the lease passed to another runner meanwhile (that runner finishes the job).
 */
export async function exportFinisher(w: Write, job: ExportJobRow, owner: string, outcome: { fileName: string; rows: number } | { error: string }): Promise<void> {
  const now = w.ctx.clock.now();
  const done = 'fileName' in outcome;
  const changes = done
    ? { status: 'COMPLETED' as const, file_name: outcome.fileName, progress: outcome.rows, total: outcome.rows, finished_time: now }
    : { status: 'FAILED' as const, error: outcome.error, finished_time: now };
  if (!(await finishExportJob(w.trx, job.id, owner, changes))) throw new AppError('conflict', `Export ${job.id} is held by another runner`);
  await recordChange(w.trx, w.ctx, w.actor, {
    action: done ? 'export.completed' : 'export.failed',
    target: { type: 'export_job', id: job.id },
    new: done ? { rows: outcome.rows } : { error: outcome.error },
  });
}
