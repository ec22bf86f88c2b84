import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Context } from '../context.js';
import {
  type AttemptRow,
  claimLanes,
  claimLanesWithDeliveries,
  type DeliveryRow,
  deleteEmptyLanes,
  deleteOrphanWebhookSettings,
  deleteSubscription,
  findEventsByIds,
  findSubscriptionsByIds,
  hasDueLanes,
  hasUnsentEvents,
  insertAttempts,
  insertDeliveries,
  type LaneRow,
  laneKey,
  markDelivered,
  nextLaneTime,
  releaseLanesSerial,
  releaseLanesVersioned,
  listLiveSubscriptions,
  lockFanOut,
  maxEventSeq,
  orphanSubscriptionIds,
  pendingOfLanes,
  pruneWebhookData,
  recordSubscriptionHealth,
  releaseAllLeases,
  assignEventSeqs,
  cancelPending,
  type EventRow,
  type SubscriptionRow,
  touchLanes,
  unsentEvents,
  updateDelivery,
  writeTransaction,
  openWorkerDatabase,
} from '../db/repositories/webhook.js';
import { takeDueJob } from '../db/repositories/scheduledJob.js';
import { newId } from '../ids.js';
import { type EventTarget, mayReceive } from '../policies/webhooks.js';
import { AllowList } from './egress.js';
import { envelopeBytes } from './envelope.js';
import { WebhookHttp } from './http.js';
import { allowedHostsOf, eventTargets, loadReceivers, type Receiver, signingSecrets } from './receivers.js';
import { afterFailure, FLAG_AFTER_FAILURES, RETRY_WINDOW_MS } from './schedule.js';
import { deliveryHeaders } from './signer.js';

/** Events, deliveries and attempts are kept this long (the catch-up API reads back as far). */
export const RETENTION_MS = 7 * 86_400_000;
/** How much of a request body the delivery log keeps. */
const REQUEST_EXCERPT_BYTES = 4096;
const PRUNE_EVERY_MS = 10 * 60_000;
/** A lane's outcomes are written at least this often while it sends. */
const FLUSH_MS = 100;
/** How often writing a batch of outcomes is tried before its lanes are left to their lease. */
const FLUSH_TRIES = 5;
/** Outcomes wait this long for others to share their transaction (group commit). */
const FLUSH_GATHER_MS = 3;
/** The loop runs at most this often, so claims and fan-outs come in batches. */
const MIN_CYCLE_MS = 5;
/** Integrations (permissions, scopes, secrets) are re-read at least this often. */
const RECEIVER_TTL_MS = 1000;

export interface WorkerOptions {
  /** Lanes sent at once. */
  concurrency: number;
  /** The longest an idle worker waits without being woken (new events wake it, due retries are timed). */
  pollMs: number;
  /** How long a claimed lane stays with this worker; it stops starting attempts after half. */
  leaseMs: number;
  /** Deliveries one lane claim sends at most (in order, one after the other). */
  perLane: number;
  /** Events one fan-out transaction handles. */
  fanOutBatch: number;
  /** Jitter source (tests pass a fixed one). */
  random: () => number;
}

interface ClaimedLane {
  lane: LaneRow;
  deliveries: DeliveryRow[];
  subscription: SubscriptionRow | undefined;
  receiver: Receiver | undefined;
  events: Map<string, EventRow>;
  targets: Map<string, EventTarget>;
}

/** How a lane is handed back: when it is next due (null: it is empty). */
interface Release {
  lane: LaneRow;
  next: number | null;
}

interface Result {
  delivery: DeliveryRow;
  changes: Partial<DeliveryRow>;
  attempt?: AttemptRow;
  failed: boolean;
  succeeded: boolean;
}

const excerpt = (body: Buffer, bytes: number) => body.subarray(0, bytes).toString('utf8');

function emptyQueue(): { results: Result[]; releases: Release[]; waiters: { resolve: () => void; reject: (e: unknown) => void }[] } {
  return { results: [], releases: [], waiters: [] };
}

/**
 * The webhook delivery worker. Fan-out turns new outbox events into one delivery per subscription
 * that may see them (permissions, group scope) and gives each event its place in delivery order.
 * Senders claim lanes — one subscription × one group or thread — with a lease (`FOR UPDATE SKIP
 * LOCKED` on PostgreSQL, so several processes share the work and never send one attempt twice),
 * send the lane's deliveries in order, log every attempt, and schedule retries with back-off.
 * Outcomes of all lanes in flight are written together (group commit).
 */
export class WebhookWorker {
  readonly owner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly http: WebhookHttp;
  /** Counters since start (benchmarks and tests read them). */
  readonly stats = { events: 0, attempts: 0, delivered: 0, failed: 0 };
  private readonly options: WorkerOptions;
  private stopped = true;
  private loopDone: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private nudged = false;
  private readonly active = new Set<Promise<void>>();
  private lastPrune = 0;
  private receiverCache: { at: number; receivers: Map<string, Receiver> } | undefined;
  private queue = emptyQueue();
  private flushing = false;
  private readonly healthyAt = new Map<string, number>();
  private readonly own: { db: Context['db']; close(): Promise<void> } | undefined;
  private unsubscribe: (() => void) | undefined;
  /** When the next lane falls due, as last read (undefined: read it again before sleeping). */
  private dueAt: number | null | undefined;
  /** Where the worker reads and writes (its own pool on PostgreSQL). */
  private readonly db: Context['db'];

  constructor(
    private readonly ctx: Context,
    options: Partial<WorkerOptions> = {},
  ) {
    this.options = {
      concurrency: ctx.config.webhookConcurrency,
      pollMs: ctx.config.webhookPollMs,
      leaseMs: Math.max(30_000, ctx.config.webhookTimeoutMs * 3),
      perLane: 50,
      fanOutBatch: 500,
      random: Math.random,
      ...options,
    };
    this.http = new WebhookHttp(ctx.config.webhookTimeoutMs, new AllowList(ctx.config.webhookAllowedHosts));
    this.own = openWorkerDatabase(ctx.dialect, ctx.config.databaseUrl, ctx.schema, !ctx.config.databaseDirectUrl);
    this.db = this.own?.db ?? ctx.db;
  }

  /** Starts the background loop (one per process; on SQLite it also drops leases a crash left). */
  async start(): Promise<void> {
    if (!this.stopped) return;
    if (this.ctx.dialect === 'sqlite') await releaseAllLeases(this.db);
    // Committed events (this process's or another's) wake the loop; nothing is polled while idle.
    this.unsubscribe = this.ctx.bus.subscribe((message) => {
      if (message.t === 'outbox' || message.t === 'resync') this.nudge();
    });
    await this.ctx.bus.listen();
    this.stopped = false;
    this.loopDone = this.loop();
  }

  /** Asks the loop to look for work now (after a request wrote events). */
  nudge(): void {
    this.nudged = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Stops claiming, lets lanes in flight finish their current attempt, and closes connections. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (!this.stopped) {
      this.stopped = true;
      this.nudge();
      await this.loopDone;
      await Promise.all([...this.active]);
    }
    await this.http.close();
    await this.own?.close();
  }

  /** Runs fan-out and sending until nothing is due (tests drive the worker with this). */
  async runOnce(): Promise<void> {
    this.receiverCache = undefined;
    for (;;) {
      const fanned = await this.fanOut();
      const lanes = await this.claim(this.options.concurrency);
      await Promise.all(lanes.map((lane) => this.processLane(lane)));
      if (fanned === 0 && lanes.length === 0) return;
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.nudged) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.nudged = false;
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const cycle = performance.now();
      let busy = false;
      try {
        // On PostgreSQL fan-out and claiming run side by side (each on its own connection); on
        // SQLite they would only queue for the one connection.
        const free = this.options.concurrency - this.active.size;
        const claiming = free > 0 && !this.stopped ? (this.ctx.dialect === 'postgres' ? this.claim(free) : undefined) : Promise.resolve([]);
        const fanned = await this.fanOut();
        const lanes = await (claiming ?? this.claim(free));
        for (const lane of lanes) this.track(this.processLane(lane));
        if (fanned > 0 || lanes.length > 0) this.dueAt = undefined;
        busy = fanned >= this.options.fanOutBatch || (free > 0 && lanes.length === free);
        if (this.ctx.clock.now() - this.lastPrune > PRUNE_EVERY_MS) {
          this.lastPrune = this.ctx.clock.now();
          // Pruning runs in one process at a time, whichever is first when it falls due.
          if (await takeDueJob(this.db, 'webhook-prune', this.owner, this.lastPrune, this.lastPrune + PRUNE_EVERY_MS)) await this.prune();
        }
      } catch (error) {
        this.ctx.log.error({ err: error }, 'webhook worker cycle failed');
        await new Promise((r) => setTimeout(r, 1000));
      }
      if (!busy || this.active.size >= this.options.concurrency) await this.idle(await this.idleTime());
      // Lanes finishing one by one would wake the loop for one lane each: let a few gather.
      const spent = performance.now() - cycle;
      if (spent < MIN_CYCLE_MS && !this.stopped) await new Promise((r) => setTimeout(r, MIN_CYCLE_MS - spent));
    }
  }

  /** How long the loop may sleep: until the next retry or lease end falls due, at most pollMs. */
  private async idleTime(): Promise<number> {
    if (this.nudged || this.stopped) return 0;
    // Every lane slot is busy: a lane that finishes wakes the loop.
    if (this.active.size >= this.options.concurrency) return this.options.pollMs;
    try {
      const now = this.ctx.clock.now();
      // Lanes change only when this loop fans out, claims or hands back; otherwise the last answer holds.
      if (this.dueAt === undefined || (this.dueAt !== null && this.dueAt <= now)) this.dueAt = await nextLaneTime(this.db);
      const next = this.dueAt;
      return next === null ? this.options.pollMs : Math.max(0, Math.min(this.options.pollMs, next - now));
    } catch (error) {
      this.ctx.log.warn({ err: error }, 'webhook worker could not read the next due time');
      return Math.min(this.options.pollMs, 1000);
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((error) => this.ctx.log.error({ err: error }, 'webhook lane failed'))
      .finally(() => {
        this.active.delete(tracked);
        this.dueAt = undefined;
        this.nudge();
      });
    this.active.add(tracked);
  }

  /** Integrations by id, re-read at least every RECEIVER_TTL_MS (and for any id not seen yet). */
  private async receivers(db: Context['db'], appIds: readonly string[]): Promise<Map<string, Receiver>> {
    const cached = this.receiverCache;
    const fresh = cached && performance.now() - cached.at < RECEIVER_TTL_MS ? cached : undefined;
    if (fresh && appIds.every((id) => fresh.receivers.has(id))) return fresh.receivers;
    const loaded = await loadReceivers(db, appIds);
    const receivers = fresh ? new Map([...fresh.receivers, ...loaded]) : loaded;
    this.receiverCache = { at: fresh?.at ?? performance.now(), receivers };
    return receivers;
  }

  /** Turns unsent outbox events into deliveries; returns how many events it handled. */
  async fanOut(): Promise<number> {
    const { ctx } = this;
    if (!(await hasUnsentEvents(this.db))) return 0;
    return writeTransaction(this.db, ctx.dialect, async (trx) => {
      await lockFanOut(trx, ctx.dialect);
      const events = await unsentEvents(trx, this.options.fanOutBatch);
      if (events.length === 0) return 0;
      const now = ctx.clock.now();
      let seq = await maxEventSeq(trx);
      const subscriptions = await listLiveSubscriptions(trx);
      const receivers = await this.receivers(trx, subscriptions.map((s) => s.app_id));
      const targets = await eventTargets(trx, events);
      const byTopic = new Map<string, SubscriptionRow[]>();
      for (const s of subscriptions) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s]);
      const fields = new Map(subscriptions.map((s) => [s.id, new Set(JSON.parse(s.fields) as string[])]));
      const seqs: { id: string; seq: number }[] = [];
      const deliveries: DeliveryRow[] = [];
      const lanes = new Map<string, { subscription_id: string; ordering_key: string }>();
      for (const event of events) {
        const eventSeq = ++seq;
        seqs.push({ id: event.id, seq: eventSeq });
        for (const sub of byTopic.get(event.topic) ?? []) {
          const receiver = receivers.get(sub.app_id);
          // Events recorded before the subscription existed are not sent (catch-up still lists them).
          if (event.created_time < sub.created_time) continue;
          if (!receiver || !fields.get(sub.id)!.has(event.field) || !mayReceive(receiver.actor, targets.get(event.id)!)) continue;
          deliveries.push(newDelivery(event, eventSeq, sub, now, now, null));
          const lane = { subscription_id: sub.id, ordering_key: event.ordering_key };
          lanes.set(laneKey(lane), lane);
        }
      }
      await assignEventSeqs(trx, seqs);
      await insertDeliveries(trx, deliveries);
      await touchLanes(trx, [...lanes.values()], now);
      this.stats.events += events.length;
      return events.length;
    });
  }

  /** Leases due lanes and loads what sending them needs. */
  private async claim(limit: number): Promise<ClaimedLane[]> {
    if (limit <= 0) return [];
    const { ctx } = this;
    const now = ctx.clock.now();
    const until = now + this.options.leaseMs;
    let claimed: { lanes: LaneRow[]; deliveries: DeliveryRow[] };
    if (ctx.dialect === 'postgres') claimed = await claimLanesWithDeliveries(this.db, now, this.owner, until, limit, this.options.perLane);
    else {
      if (!(await hasDueLanes(this.db, now))) return [];
      claimed = await writeTransaction(this.db, ctx.dialect, async (trx) => {
        const lanes = await claimLanes(trx, now, this.owner, until, limit);
        return { lanes, deliveries: lanes.length ? await pendingOfLanes(trx, lanes, this.options.perLane) : [] };
      });
    }
    const { lanes, deliveries } = claimed;
    if (lanes.length === 0) return [];
    const subscriptions = new Map((await findSubscriptionsByIds(this.db, lanes.map((l) => l.subscription_id))).map((s) => [s.id, s]));
    const receivers = await this.receivers(this.db, [...subscriptions.values()].map((s) => s.app_id));
    const rows = await findEventsByIds(this.db, deliveries.map((d) => d.event_id));
    const events = new Map(rows.map((e) => [e.id, e]));
    const targets = await eventTargets(this.db, rows);
    const byLane = new Map<string, DeliveryRow[]>();
    for (const d of deliveries) byLane.set(laneKey(d), [...(byLane.get(laneKey(d)) ?? []), d]);
    return lanes.map((lane) => {
      const subscription = subscriptions.get(lane.subscription_id);
      return { lane, deliveries: byLane.get(laneKey(lane)) ?? [], subscription, receiver: subscription ? receivers.get(subscription.app_id) : undefined, events, targets };
    });
  }

  /**
   * Sends a lane's deliveries in order until one fails, then hands the lane back. A slow lane's
   * outcomes are written at least every FLUSH_MS, so a crash repeats only its last few sends.
   */
  private async processLane(claimed: ClaimedLane): Promise<void> {
    const { ctx } = this;
    const started = performance.now();
    let results: Result[] = [];
    let flushed = started;
    let laneExpired = false;
    // A lane claimed with fewer deliveries than a batch holds is empty once they are done.
    let next: Release['next'] = claimed.deliveries.length < this.options.perLane ? null : ctx.clock.now();
    for (const delivery of claimed.deliveries) {
      const now = ctx.clock.now();
      if ((this.stopped && results.length > 0) || performance.now() - started > this.options.leaseMs / 2) {
        next = now;
        break;
      }
      if ((delivery.next_attempt_time ?? now) > now) {
        next = delivery.next_attempt_time;
        break;
      }
      const event = claimed.events.get(delivery.event_id);
      const cancel = this.cancellation(claimed, delivery, event);
      if (cancel) {
        results.push({ delivery, changes: { state: 'cancelled', next_attempt_time: null, last_error: cancel, updated_time: now }, failed: false, succeeded: false });
        continue;
      }
      if (laneExpired && now >= delivery.window_start + RETRY_WINDOW_MS) {
        const reason = 'expired: an earlier event of this group or thread was not accepted for 36 hours, so this one was not sent';
        results.push({ delivery, changes: { state: 'dead', next_attempt_time: null, last_error: reason, updated_time: now }, failed: false, succeeded: false });
        continue;
      }
      const result = await this.attempt(claimed, delivery, event!);
      results.push(result);
      if (result.changes.state === 'pending') {
        next = result.changes.next_attempt_time ?? ctx.clock.now();
        break;
      }
      laneExpired = result.changes.state === 'dead';
      if (performance.now() - flushed > FLUSH_MS) {
        await this.submit(results);
        results = [];
        flushed = performance.now();
      }
    }
    await this.submit(results, { lane: claimed.lane, next });
  }

  /** Queues outcomes (and a lane to hand back) for the next write; resolves once written. */
  private submit(results: Result[], release?: Release): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.results.push(...results);
      if (release) this.queue.releases.push(release);
      this.queue.waiters.push({ resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setTimeout(() => void this.flush(), FLUSH_GATHER_MS);
      }
    });
  }

  /** Writes what is queued, one transaction at a time, taking whatever queued meanwhile. */
  private async flush(): Promise<void> {
    try {
      while (this.queue.waiters.length) {
        const batch = this.queue;
        this.queue = emptyQueue();
        for (let attempt = 1; ; attempt++) {
          try {
            await writeTransaction(this.db, this.ctx.dialect, (trx) => this.writeBatch(trx, batch.results, batch.releases));
            for (const w of batch.waiters) w.resolve();
            break;
          } catch (error) {
            // A deadlock victim or a busy database: the same writes are tried again a few times.
            if (attempt < FLUSH_TRIES) {
              this.ctx.log.warn({ err: error, attempt }, 'writing webhook outcomes failed; trying again');
              await new Promise((r) => setTimeout(r, 50 * attempt));
              continue;
            }
            for (const w of batch.waiters) w.reject(error);
            break;
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Writes outcomes (delivery states, the attempt log, subscription health) and hands lanes back. */
  private async writeBatch(trx: Context['db'], results: Result[], releases: Release[]): Promise<void> {
    const now = this.ctx.clock.now();
    const delivered = new Map<number, string[]>();
    for (const r of results) {
      if (r.succeeded) delivered.set(r.changes.last_status!, [...(delivered.get(r.changes.last_status!) ?? []), r.delivery.id]);
      else await updateDelivery(trx, r.delivery.id, r.changes);
    }
    for (const [status, ids] of delivered) await markDelivered(trx, ids, status, now);
    await insertAttempts(trx, results.flatMap((r) => (r.attempt ? [r.attempt] : [])));
    const bySubscription = new Map<string, Result[]>();
    for (const r of results) if (r.attempt) bySubscription.set(r.delivery.subscription_id, [...(bySubscription.get(r.delivery.subscription_id) ?? []), r]);
    for (const [subscriptionId, attempted] of bySubscription) {
      const failures = attempted.filter((r) => r.failed);
      const healthy = failures.length === 0 && attempted[attempted.length - 1].succeeded;
      // A subscription this worker saw healthy is written at most once a minute.
      if (healthy && (this.healthyAt.get(subscriptionId) ?? -Infinity) > now - 60_000) continue;
      if (healthy) this.healthyAt.set(subscriptionId, now);
      else this.healthyAt.delete(subscriptionId);
      await recordSubscriptionHealth(trx, subscriptionId, {
        failures: failures.length,
        lastError: failures.length ? failures[failures.length - 1].changes.last_error ?? null : null,
        endedWithSuccess: attempted[attempted.length - 1].succeeded,
        now,
        flagAfter: FLAG_AFTER_FAILURES,
      });
    }
    if (this.ctx.dialect === 'sqlite') return releaseLanesSerial(trx, releases.map((r) => r.lane), this.owner);
    await releaseLanesVersioned(trx, releases.map((r) => ({ ...r.lane, next: r.next })), now, this.owner);
  }

  /** Why a delivery must not be sent any more, or undefined when it may go out. */
  private cancellation(claimed: ClaimedLane, delivery: DeliveryRow, event: EventRow | undefined): string | undefined {
    const { subscription, receiver, targets } = claimed;
    if (!subscription) return 'the subscription was removed';
    if (!receiver) return 'the integration was deleted';
    if (!receiver.app.enabled) return 'the integration is disabled';
    if (!subscription.active) return 'the subscription is inactive';
    if (!(JSON.parse(subscription.fields) as string[]).includes(delivery.field)) return `the subscription no longer includes ${delivery.field}`;
    if (!event) return 'the event is older than the retention period';
    const target = targets.get(event.id);
    if (!target || !mayReceive(receiver.actor, target)) return 'the integration may no longer see this event (permission or group scope changed)';
    return undefined;
  }

  private async attempt(claimed: ClaimedLane, delivery: DeliveryRow, event: EventRow): Promise<Result> {
    const { ctx } = this;
    const subscription = claimed.subscription!;
    const receiver = claimed.receiver!;
    const number = delivery.attempts + 1;
    const time = ctx.clock.now();
    const body = envelopeBytes(event);
    const headers = deliveryHeaders(signingSecrets(ctx, receiver, time), body, {
      deliveryId: delivery.id,
      eventId: delivery.event_id,
      attempt: number,
      timestamp: Math.floor(time / 1000),
      redeliveryOf: delivery.redelivery_of,
    });
    const outcome = await this.http.send('POST', subscription.callback_url, this.http.allowFor(allowedHostsOf(receiver)), headers, body);
    const now = ctx.clock.now();
    const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
    this.stats.attempts++;
    if (ok) this.stats.delivered++;
    else this.stats.failed++;
    let error: string | null = null;
    if (!ok) {
      if (outcome.error) error = outcome.error;
      else if (outcome.status! >= 300 && outcome.status! < 400) error = `HTTP ${outcome.status}: redirect${outcome.location ? ` to ${outcome.location}` : ''} not followed`;
      else error = `HTTP ${outcome.status}`;
    }
    const schedule = ok ? undefined : afterFailure(now, delivery.window_start, number, this.options.random);
    const dead = !!schedule && 'dead' in schedule;
    const next = schedule && 'next' in schedule ? schedule.next : null;
    const changes: Partial<DeliveryRow> = {
      state: ok ? 'delivered' : dead ? 'dead' : 'pending',
      attempts: number,
      next_attempt_time: ok || dead ? null : next,
      first_attempt_time: delivery.first_attempt_time ?? time,
      last_attempt_time: time,
      delivered_time: ok ? now : null,
      last_status: outcome.status,
      last_error: error,
      updated_time: now,
    };
    const attempt: AttemptRow = {
      id: newId(),
      delivery_id: delivery.id,
      app_id: delivery.app_id,
      subscription_id: delivery.subscription_id,
      attempt: number,
      time,
      url: subscription.callback_url,
      request_headers: JSON.stringify(headers),
      request_body: excerpt(body, REQUEST_EXCERPT_BYTES),
      response_status: outcome.status,
      response_body: outcome.body,
      error,
      latency_ms: outcome.latencyMs,
      outcome: ok ? 'delivered' : dead ? 'dead' : 'retry',
      next_retry_time: next,
      worker: this.owner,
    };
    return { delivery, changes, attempt, failed: !ok, succeeded: ok };
  }

  /** Deletes data past retention and subscriptions of deleted integrations. */
  async prune(): Promise<void> {
    const { ctx } = this;
    const now = ctx.clock.now();
    this.lastPrune = now;
    await writeTransaction(this.db, ctx.dialect, async (trx) => {
      for (const id of await orphanSubscriptionIds(trx)) {
        await cancelPending(trx, id, null, now, 'the integration was deleted');
        await deleteSubscription(trx, id);
      }
      await deleteOrphanWebhookSettings(trx);
      await pruneWebhookData(trx, now - RETENTION_MS);
      await deleteEmptyLanes(trx);
    });
  }
}

/** A new delivery of an event to a subscription. */
export function newDelivery(event: EventRow, eventSeq: number, sub: SubscriptionRow, now: number, windowStart: number, redeliveryOf: string | null): DeliveryRow {
  return {
    id: newId(),
    event_id: event.id,
    event_seq: eventSeq,
    subscription_id: sub.id,
    app_id: sub.app_id,
    topic: event.topic,
    field: event.field,
    ordering_key: event.ordering_key,
    state: 'pending',
    attempts: 0,
    next_attempt_time: now,
    window_start: windowStart,
    first_attempt_time: null,
    last_attempt_time: null,
    delivered_time: null,
    last_status: null,
    last_error: null,
    redelivery_of: redeliveryOf,
    created_time: now,
    updated_time: now,
  };
}
