import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Context } from '../context.js';
import { dueFeedIds } from '../db/repositories/feed.js';
import { pruneHookDeliveries } from '../db/repositories/incomingHook.js';
import { finishJob, listRules, takeJobLease } from '../db/repositories/membershipRule.js';
import { membershipRuleApplier } from '../domain/commands/membershipRule.js';
import { AllowList } from '../webhooks/egress.js';
import { FeedFetcher, pollIfDue } from './feeds.js';

/** Hook request logs are kept this long. */
export const HOOK_LOG_RETENTION_MS = 7 * 86_400_000;
const RULE_JOB = 'membership_rules';
const FEEDS_PER_CYCLE = 20;
const FEED_CONCURRENCY = 4;

/**
 * Background automation: polls due feeds and re-applies every membership rule on a schedule.
 * Both are safe with several processes on one database: a feed is polled by whoever takes its
 * lease, and the rule sweep by whoever takes the job's turn for the period.
 */
export class AutomationWorker {
  readonly owner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly fetcher: FeedFetcher;
  private running = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly ctx: Context) {
    this.fetcher = new FeedFetcher(new AllowList(ctx.config.webhookAllowedHosts), ctx.config.webhookTimeoutMs);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Stops after the work in hand; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    this.running = false;
    await this.fetcher.close();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.runOnce();
      } catch (error) {
        this.ctx.log.error({ err: error }, 'automation cycle failed');
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.ctx.config.feedPollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** One cycle: due feeds, then the rule sweep when its period came round. Returns what it did. */
  async runOnce(): Promise<{ feeds: number; posted: number; rulesSwept: boolean }> {
    const ids = await dueFeedIds(this.ctx.db, this.ctx.clock.now(), FEEDS_PER_CYCLE);
    let feeds = 0;
    let posted = 0;
    for (let i = 0; i < ids.length && !this.stopped; i += FEED_CONCURRENCY) {
      const results = await Promise.all(ids.slice(i, i + FEED_CONCURRENCY).map((id) => pollIfDue(this.ctx, this.fetcher, id, this.owner)));
      for (const r of results) {
        if (!r) continue;
        feeds++;
        posted += r.posted;
      }
    }
    return { feeds, posted, rulesSwept: this.stopped ? false : await this.sweepRules() };
  }

  private async sweepRules(): Promise<boolean> {
    const now = this.ctx.clock.now();
    if (!(await takeJobLease(this.ctx.db, RULE_JOB, this.owner, now, now + this.ctx.config.ruleScheduleMs))) return false;
    for (const rule of await listRules(this.ctx.db, true)) {
      if (this.stopped) break;
      await this.ctx.db.transaction().execute((trx) => membershipRuleApplier({ ctx: this.ctx, actor: { kind: 'system' }, trx }, rule, 'schedule'));
    }
    await pruneHookDeliveries(this.ctx.db, now - HOOK_LOG_RETENTION_MS);
    await finishJob(this.ctx.db, RULE_JOB, this.owner, this.ctx.clock.now());
    return true;
  }
}
