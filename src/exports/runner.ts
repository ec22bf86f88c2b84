import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Context } from '../context.js';
import { claimExportJob, type ExportJobRow, reportExportProgress } from '../db/repositories/exportJob.js';
import { exportFinisher } from '../domain/commands/exportJob.js';
import { ExportInterrupted, writeEmployeeWorkbook } from './employeeWorkbook.js';

const LEASE_MS = 60_000;
const POLL_MS = 1_000;
/** A job whose runner died this many times is failed rather than tried again. */
const MAX_ATTEMPTS = 3;

/** Where an export is written before it goes into the media store (scratch space of this process). */
function scratchDir(ctx: Pick<Context, 'config'>): string {
  return path.join(ctx.config.dataDir, 'exports');
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The media-store key of a finished export: every process and host serves it from there. */
export const exportKey = (jobId: string) => `export_${jobId}.xlsx`;

/**
 * Runs data export jobs in the background. Jobs live in the database: a job survives a restart
 * (its lease runs out and a runner takes it again), and with several processes on one
 * PostgreSQL each job runs in exactly one of them at a time.
 */
export class ExportRunner {
  private readonly owner = `exports-${process.pid}-${randomBytes(4).toString('hex')}`;
  private running: Promise<void> | undefined;
  private stopped = true;
  private wake: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly ctx: Context) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // A job scheduled by any process wakes every runner; one of them leases it.
    this.unsubscribe = this.ctx.bus.subscribe((message) => {
      if (message.t === 'export' || message.t === 'resync') this.nudge();
    });
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.wake?.();
    await this.running;
  }

  /** A job was scheduled: look now instead of at the next poll. */
  nudge(): void {
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let job: ExportJobRow | undefined;
      try {
        job = await claimExportJob(this.ctx.db, this.ctx.dialect, this.owner, this.ctx.clock.now(), LEASE_MS);
        if (job) await this.run(job);
      } catch (error) {
        this.ctx.log.error({ err: error, job: job?.id }, 'export runner failed');
      }
      if (!job && !this.stopped) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async run(job: ExportJobRow): Promise<void> {
    const w = { ctx: this.ctx, actor: { kind: 'system' as const }, trx: this.ctx.db };
    const finish = (outcome: Parameters<typeof exportFinisher>[3]) => this.ctx.db.transaction().execute((trx) => exportFinisher({ ...w, trx }, job, this.owner, outcome));
    if (job.attempts > MAX_ATTEMPTS) return finish({ error: `The export was interrupted ${MAX_ATTEMPTS} times (server restarts); schedule it again` });
    const dir = scratchDir(this.ctx);
    fs.mkdirSync(dir, { recursive: true });
    const fileName = exportKey(job.id);
    // Written to scratch, then stored whole: the store holds only complete files, and a crash
    // leaves at most a partial scratch file of this owner.
    const partial = path.join(dir, `${fileName}.${this.owner}.partial`);
    try {
      const rows = await writeEmployeeWorkbook(this.ctx, partial, (done, total) =>
        reportExportProgress(this.ctx.db, job.id, this.owner, { done, total }, this.ctx.clock.now() + LEASE_MS),
      );
      await this.ctx.media.put(fileName, await fs.promises.readFile(partial), XLSX_TYPE);
      fs.rmSync(partial, { force: true });
      await finish({ fileName, rows });
    } catch (error) {
      fs.rmSync(partial, { force: true });
      if (error instanceof ExportInterrupted) return;
      this.ctx.log.error({ err: error, job: job.id }, 'export failed');
      await finish({ error: 'The export could not be written; see the server log' });
    }
  }
}
