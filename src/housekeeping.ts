import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Context } from './context.js';
import { deleteExpiredIdempotencyKeys } from './db/repositories/idempotency.js';
import { deleteExpiredBudgets } from './db/repositories/rateBudget.js';
import { takeDueJob } from './db/repositories/scheduledJob.js';
import { IDEMPOTENCY_TTL_MS } from './http/idempotency.js';
import { expireUnattachedFiles } from './media/trash.js';

const EVERY_MS = 5 * 60_000;

/**
 * Deletes expired request budgets, idempotency keys and unattached uploads (with the stored
 * files of deleted content) every few minutes. Every process keeps
 * the timer; one of them takes each run (`scheduled_job`), so the work happens once.
 */
export function startHousekeeping(ctx: Context): { stop(): void } {
  const owner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const run = async () => {
    const now = ctx.clock.now();
    if (!(await takeDueJob(ctx.db, 'housekeeping', owner, now, now + EVERY_MS))) return;
    await deleteExpiredBudgets(ctx.db, now - 60_000);
    await deleteExpiredIdempotencyKeys(ctx.db, now - IDEMPOTENCY_TTL_MS);
    await expireUnattachedFiles(ctx);
  };
  const timer = setInterval(() => void run().catch((error) => ctx.log.warn({ err: error }, 'housekeeping failed')), EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
