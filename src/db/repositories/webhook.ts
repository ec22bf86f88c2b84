import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../schema.js';
import type { Db, DialectName } from '../database.js';
import type { OutboxTable } from '../schema.js';
import type {
  AppWebhookSettingsTable,
  DeliveryState,
  WebhookAttemptTable,
  WebhookDeliveryTable,
  WebhookLaneTable,
  WebhookSubscriptionTable,
} from '../webhooksChatSchema.js';

export type SubscriptionRow = WebhookSubscriptionTable;
export type DeliveryRow = WebhookDeliveryTable;
export type LaneRow = WebhookLaneTable;
export type AttemptRow = WebhookAttemptTable;
export type WebhookSettingsRow = AppWebhookSettingsTable;
export type EventRow = OutboxTable;

// Subscriptions

export async function findSubscription(db: Db, appId: string, topic: string): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('webhook_subscription').selectAll().where('app_id', '=', appId).where('topic', '=', topic).executeTakeFirst();
}

export async function findSubscriptionsByIds(db: Db, ids: readonly string[]): Promise<SubscriptionRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('webhook_subscription').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

export async function listSubscriptionsOfApp(db: Db, appId: string): Promise<SubscriptionRow[]> {
  return db.selectFrom('webhook_subscription').selectAll().where('app_id', '=', appId).orderBy('topic').execute();
}

export async function listAllSubscriptions(db: Db): Promise<SubscriptionRow[]> {
  return db.selectFrom('webhook_subscription').selectAll().orderBy('app_id').orderBy('topic').execute();
}

/** Active subscriptions of enabled integrations: who the fan-out considers. */
export async function listLiveSubscriptions(db: Db): Promise<SubscriptionRow[]> {
  return db
    .selectFrom('webhook_subscription')
    .innerJoin('app', 'app.id', 'webhook_subscription.app_id')
    .selectAll('webhook_subscription')
    .where('webhook_subscription.active', '=', 1)
    .where('app.enabled', '=', 1)
    .execute();
}

export async function insertSubscription(db: Db, row: SubscriptionRow): Promise<void> {
  await db.insertInto('webhook_subscription').values(row).execute();
}

export async function updateSubscription(db: Db, id: string, changes: Partial<SubscriptionRow>): Promise<void> {
  await db.updateTable('webhook_subscription').set(changes).where('id', '=', id).execute();
}

export async function deleteSubscription(db: Db, id: string): Promise<void> {
  await db.deleteFrom('webhook_subscription').where('id', '=', id).execute();
  await db.deleteFrom('webhook_lane').where('subscription_id', '=', id).execute();
}

/** Subscriptions whose integration no longer exists. */
export async function orphanSubscriptionIds(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('webhook_subscription')
    .leftJoin('app', 'app.id', 'webhook_subscription.app_id')
    .select('webhook_subscription.id')
    .where('app.id', 'is', null)
    .execute();
  return rows.map((r) => r.id);
}

// Per-integration settings

export async function findWebhookSettings(db: Db, appIds: readonly string[]): Promise<Map<string, WebhookSettingsRow>> {
  if (appIds.length === 0) return new Map();
  const rows = await db.selectFrom('app_webhook_settings').selectAll().where('app_id', 'in', [...new Set(appIds)]).execute();
  return new Map(rows.map((r) => [r.app_id, r]));
}

export async function upsertWebhookSettings(db: Db, row: WebhookSettingsRow): Promise<void> {
  await db
    .insertInto('app_webhook_settings')
    .values(row)
    .onConflict((oc) =>
      oc.column('app_id').doUpdateSet({
        allowed_hosts: row.allowed_hosts,
        previous_secret_sealed: row.previous_secret_sealed,
        previous_secret_expires: row.previous_secret_expires,
        updated_time: row.updated_time,
      }),
    )
    .execute();
}

/** Drops the settings of integrations that no longer exist. */
export async function deleteOrphanWebhookSettings(db: Db): Promise<void> {
  await db
    .deleteFrom('app_webhook_settings')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('app').select('app.id').whereRef('app.id', '=', 'app_webhook_settings.app_id'))))
    .execute();
}

// Events (the outbox)

/** Serialises fan-outs across processes (PostgreSQL), so `seq` follows commit order. */
export async function lockFanOut(db: Db, dialect: DialectName): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(7243001)`.execute(db);
}

export async function unsentEvents(db: Db, limit: number): Promise<EventRow[]> {
  return db.selectFrom('outbox').selectAll().where('seq', 'is', null).orderBy('created_time').orderBy('id').limit(limit).execute();
}

export async function maxEventSeq(db: Db): Promise<number> {
  const row = await db.selectFrom('outbox').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
  return Number(row?.m ?? 0);
}

/** Gives events their delivery order in one statement. */
export async function assignEventSeqs(db: Db, seqs: readonly { id: string; seq: number }[]): Promise<void> {
  if (seqs.length === 0) return;
  const cases = sql.join(seqs.map((s) => sql`when ${s.id} then cast(${s.seq} as bigint)`), sql` `);
  await sql`update outbox set seq = case id ${cases} end where id in (${sql.join(seqs.map((s) => s.id))})`.execute(db);
}

export async function findEventsByIds(db: Db, ids: readonly string[]): Promise<EventRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('outbox').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

/** Fanned-out events after `afterSeq` and no older than `since`, in delivery order. */
export async function eventsAfter(db: Db, afterSeq: number, since: number, limit: number): Promise<EventRow[]> {
  return db
    .selectFrom('outbox')
    .selectAll()
    .where('seq', '>', afterSeq)
    .where('created_time', '>=', since)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

// Deliveries and lanes

export async function insertDeliveries(db: Db, rows: readonly DeliveryRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('webhook_delivery').values(rows.slice(i, i + 200)).execute();
}

/**
 * Makes sure a lane exists for each (subscription, key) that just got a delivery, bumps its
 * version, and makes an empty lane due at `now` (a lane waiting for a retry keeps its time).
 */
export async function touchLanes(db: Db, lanes: readonly { subscription_id: string; ordering_key: string }[], now: number): Promise<void> {
  const sorted = [...lanes].sort((a, b) => laneKey(a).localeCompare(laneKey(b)));
  for (let i = 0; i < sorted.length; i += 200) {
    await db
      .insertInto('webhook_lane')
      .values(sorted.slice(i, i + 200).map((l) => ({ ...l, next_time: now, lease_owner: null, lease_until: null, version: 1 })))
      .onConflict((oc) =>
        oc.columns(['subscription_id', 'ordering_key']).doUpdateSet({
          version: sql`webhook_lane.version + 1`,
          next_time: sql`coalesce(webhook_lane.next_time, excluded.next_time)`,
        }),
      )
      .execute();
  }
}

/** SQLite: leases up to `limit` due, unleased lanes to `owner` in one statement. */
export async function claimLanes(db: Db, now: number, owner: string, leaseUntil: number, limit: number): Promise<LaneRow[]> {
  const result = await sql<LaneRow>`update webhook_lane set lease_owner = ${owner}, lease_until = ${leaseUntil}
    where (subscription_id, ordering_key) in (select subscription_id, ordering_key from webhook_lane
      where next_time <= ${now} and (lease_until is null or lease_until < ${now}) order by next_time limit ${limit})
    returning *`.execute(db);
  return result.rows.map((l) => ({ ...l, version: Number(l.version) }));
}

/**
 * PostgreSQL: hands lanes back in one statement. A lane nothing joined since it was claimed (same
 * version) gets its known next time; a lane that got deliveries meanwhile becomes due at once,
 * so the next claim sees them. If a fan-out is still writing the lane, the update waits for it
 * and then sees its version.
 */
export async function releaseLanesVersioned(
  db: Db,
  lanes: readonly { subscription_id: string; ordering_key: string; version: number; next: number | null }[],
  now: number,
  owner: string,
): Promise<void> {
  if (lanes.length === 0) return;
  const sorted = [...lanes].sort((a, b) => laneKey(a).localeCompare(laneKey(b)));
  // Row locks in key order, as fan-out takes them, so the two do not deadlock.
  await sql`select 1 from webhook_lane where (subscription_id, ordering_key) in (${sql.join(sorted.map((l) => sql`(${l.subscription_id}, ${l.ordering_key})`))})
    order by subscription_id, ordering_key for update`.execute(db);
  const values = sql.join(sorted.map((l) => sql`(${l.subscription_id}, ${l.ordering_key}, cast(${l.version} as integer), cast(${l.next} as bigint))`));
  await sql`update webhook_lane l
    set next_time = case when l.version = v.version then v.next else cast(${now} as bigint) end, lease_owner = null, lease_until = null
    from (values ${values}) as v(subscription_id, ordering_key, version, next)
    where l.subscription_id = v.subscription_id and l.ordering_key = v.ordering_key and l.lease_owner = ${owner}`.execute(db);
}

export const laneKey = (l: { subscription_id: string; ordering_key: string }) => `${l.subscription_id}\u0000${l.ordering_key}`;

/** Marks deliveries delivered after one successful attempt each. */
export async function markDelivered(db: Db, ids: readonly string[], status: number, now: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('webhook_delivery')
    .set({
      state: 'delivered',
      attempts: sql`attempts + 1`,
      next_attempt_time: null,
      first_attempt_time: sql`coalesce(first_attempt_time, ${now})`,
      last_attempt_time: now,
      delivered_time: now,
      last_status: status,
      last_error: null,
      updated_time: now,
    })
    .where('id', 'in', [...ids])
    .execute();
}

/**
 * PostgreSQL: leases due lanes and reads their first pending deliveries in one statement
 * (`FOR UPDATE SKIP LOCKED`, then a lateral read per lane), without a transaction around it.
 */
export async function claimLanesWithDeliveries(db: Db, now: number, owner: string, leaseUntil: number, limit: number, perLane: number): Promise<{ lanes: LaneRow[]; deliveries: DeliveryRow[] }> {
  const result = await sql<DeliveryRow & { lane_subscription_id: string; lane_ordering_key: string; lane_next_time: number | null; lane_version: number }>`
    with c as (
      update webhook_lane l set lease_owner = ${owner}, lease_until = ${leaseUntil}
      from (select subscription_id, ordering_key from webhook_lane
            where next_time <= ${now} and (lease_until is null or lease_until < ${now})
            order by next_time limit ${limit} for update skip locked) x
      where l.subscription_id = x.subscription_id and l.ordering_key = x.ordering_key
      returning l.*
    )
    select c.subscription_id as lane_subscription_id, c.ordering_key as lane_ordering_key, c.next_time as lane_next_time, c.version as lane_version, d.*
    from c left join lateral (
      select * from webhook_delivery d where d.subscription_id = c.subscription_id and d.ordering_key = c.ordering_key and d.state = 'pending'
      order by d.event_seq, d.id limit ${perLane}
    ) d on true`.execute(db);
  const lanes = new Map<string, LaneRow>();
  const deliveries: DeliveryRow[] = [];
  for (const row of result.rows) {
    const { lane_subscription_id, lane_ordering_key, lane_next_time, lane_version, ...delivery } = row;
    const lane = { subscription_id: lane_subscription_id, ordering_key: lane_ordering_key, next_time: lane_next_time, lease_owner: owner, lease_until: leaseUntil, version: Number(lane_version) };
    lanes.set(laneKey(lane), lane);
    if (delivery.id) deliveries.push({ ...delivery, event_seq: Number(delivery.event_seq) } as DeliveryRow);
  }
  deliveries.sort((a, b) => a.event_seq - b.event_seq || (a.id < b.id ? -1 : 1));
  return { lanes: [...lanes.values()], deliveries };
}

/** The first `perLane` pending deliveries of each lane, in delivery order (one index range per lane). */
export async function pendingOfLanes(db: Db, lanes: readonly { subscription_id: string; ordering_key: string }[], perLane: number): Promise<DeliveryRow[]> {
  if (lanes.length === 0) return [];
  const parts = lanes.map(
    (l) => sql`select * from (select * from webhook_delivery where subscription_id = ${l.subscription_id} and ordering_key = ${l.ordering_key} and state = 'pending' order by event_seq, id limit ${perLane}) as p`,
  );
  const result = await sql<DeliveryRow>`${sql.join(parts, sql` union all `)}`.execute(db);
  return result.rows.map((row) => ({ ...row, event_seq: Number(row.event_seq) }));
}

export async function updateDelivery(db: Db, id: string, changes: Partial<DeliveryRow>): Promise<void> {
  await db.updateTable('webhook_delivery').set(changes).where('id', '=', id).execute();
}

export async function insertAttempts(db: Db, rows: readonly AttemptRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('webhook_attempt').values(rows.slice(i, i + 200)).execute();
}

/**
 * SQLite, where writes are serialised: hands lanes back in one statement, each due when its
 * first pending delivery is (null when none is left).
 */
export async function releaseLanesSerial(db: Db, lanes: readonly { subscription_id: string; ordering_key: string }[], owner: string): Promise<void> {
  if (lanes.length === 0) return;
  const head = sql<number | null>`(select d.next_attempt_time from webhook_delivery d where d.subscription_id = webhook_lane.subscription_id and d.ordering_key = webhook_lane.ordering_key and d.state = 'pending' order by d.event_seq, d.id limit 1)`;
  await db
    .updateTable('webhook_lane')
    .set({ next_time: head, lease_owner: null, lease_until: null })
    .where('lease_owner', '=', owner)
    .where((eb) => eb.or(lanes.map((l) => eb.and([eb('subscription_id', '=', l.subscription_id), eb('ordering_key', '=', l.ordering_key)]))))
    .execute();
}

/** Drops every lease (SQLite: one process delivers, so leases left by a crash are stale). */
export async function releaseAllLeases(db: Db): Promise<void> {
  await db.updateTable('webhook_lane').set({ lease_owner: null, lease_until: null }).where('lease_owner', 'is not', null).execute();
}

/** Removes lanes with no pending delivery that nobody holds. */
export async function deleteEmptyLanes(db: Db): Promise<void> {
  await db.deleteFrom('webhook_lane').where('next_time', 'is', null).where('lease_owner', 'is', null).execute();
}

export async function findDeliveriesByIds(db: Db, ids: readonly string[]): Promise<DeliveryRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('webhook_delivery').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

export interface DeliveryFilter {
  appId: string;
  state?: DeliveryState;
  subscriptionId?: string;
  eventId?: string;
  /** Only deliveries created before this position (paging: newest first). */
  before?: { time: number; id: string };
  limit: number;
}

/** An integration's deliveries, newest first. */
export async function listDeliveries(db: Db, filter: DeliveryFilter): Promise<DeliveryRow[]> {
  let q = db.selectFrom('webhook_delivery').selectAll().where('app_id', '=', filter.appId);
  if (filter.state) q = q.where('state', '=', filter.state);
  if (filter.subscriptionId) q = q.where('subscription_id', '=', filter.subscriptionId);
  if (filter.eventId) q = q.where('event_id', '=', filter.eventId);
  if (filter.before) {
    const b = filter.before;
    q = q.where((eb) => eb.or([eb('created_time', '<', b.time), eb.and([eb('created_time', '=', b.time), eb('id', '<', b.id)])]));
  }
  return q.orderBy('created_time', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
}

export async function countDeliveriesByState(db: Db, appId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('webhook_delivery')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('app_id', '=', appId)
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

export async function attemptsOf(db: Db, deliveryIds: readonly string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return db.selectFrom('webhook_attempt').selectAll().where('delivery_id', 'in', [...new Set(deliveryIds)]).orderBy('delivery_id').orderBy('attempt').orderBy('time').execute();
}

/** The deliveries an integration got for some events (catch-up shows them). */
export async function deliveriesOfEvents(db: Db, appId: string, eventIds: readonly string[]): Promise<DeliveryRow[]> {
  if (eventIds.length === 0) return [];
  return db.selectFrom('webhook_delivery').selectAll().where('app_id', '=', appId).where('event_id', 'in', [...new Set(eventIds)]).execute();
}

/** Cancels what a subscription still had to send (it was removed or narrowed). */
export async function cancelPending(db: Db, subscriptionId: string, fields: readonly string[] | null, now: number, reason: string): Promise<number> {
  let q = db
    .updateTable('webhook_delivery')
    .set({ state: 'cancelled', next_attempt_time: null, last_error: reason, updated_time: now })
    .where('subscription_id', '=', subscriptionId)
    .where('state', '=', 'pending');
  if (fields) q = q.where('field', 'in', fields.length ? [...fields] : ['']);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Dead deliveries of an integration not yet redelivered, oldest first (redeliver all failed). */
export async function deadDeliveries(db: Db, appId: string, limit: number): Promise<DeliveryRow[]> {
  return db
    .selectFrom('webhook_delivery as d')
    .selectAll('d')
    .where('d.app_id', '=', appId)
    .where('d.state', '=', 'dead')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('webhook_delivery as r').select('r.id').whereRef('r.redelivery_of', '=', 'd.id'))))
    .orderBy('d.event_seq')
    .orderBy('d.id')
    .limit(limit)
    .execute();
}

/** Deletes delivery records and events older than `before` (events still being retried stay). */
export async function pruneWebhookData(db: Db, before: number): Promise<void> {
  await db.deleteFrom('webhook_attempt').where('time', '<', before).execute();
  await db.deleteFrom('webhook_delivery').where('created_time', '<', before).where('state', '!=', 'pending').execute();
  await db
    .deleteFrom('outbox')
    .where('created_time', '<', before)
    .where('seq', 'is not', null)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('webhook_delivery').select('id').whereRef('webhook_delivery.event_id', '=', 'outbox.id').where('state', '=', 'pending'))))
    .execute();
}

/** Records how a subscription's last attempts went; `failing_since` is set once it crosses `flagAfter` failures in a row. */
export async function recordSubscriptionHealth(
  db: Db,
  subscriptionId: string,
  outcome: { failures: number; lastError: string | null; endedWithSuccess: boolean; now: number; flagAfter: number },
): Promise<void> {
  const { failures, lastError, endedWithSuccess, now, flagAfter } = outcome;
  if (failures > 0) {
    await db
      .updateTable('webhook_subscription')
      .set({
        consecutive_failures: sql`consecutive_failures + ${failures}`,
        last_error: lastError,
        last_failure_time: now,
        failing_since: sql`case when failing_since is null and consecutive_failures + ${failures} >= ${flagAfter} then cast(${now} as bigint) else failing_since end`,
      })
      .where('id', '=', subscriptionId)
      .execute();
  }
  if (endedWithSuccess) {
    // A healthy subscription is written at most once a minute, so busy lanes do not contend on it.
    await db
      .updateTable('webhook_subscription')
      .set({ consecutive_failures: 0, failing_since: null, last_success_time: now })
      .where('id', '=', subscriptionId)
      .where((eb) => eb.or([eb('consecutive_failures', '>', 0), eb('last_success_time', 'is', null), eb('last_success_time', '<', now - 60_000)]))
      .execute();
  }
}

/**
 * A write transaction for the delivery worker. On SQLite it starts with BEGIN IMMEDIATE: the write
 * lock is taken up front, so another process writing meanwhile (the CLI) makes it wait for the
 * busy timeout instead of failing a read-then-write transaction with SQLITE_BUSY.
 */
export async function writeTransaction<T>(db: Db, dialect: DialectName, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (dialect === 'postgres') return db.transaction().execute(fn);
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
  });
}

/** True when some outbox event waits for fan-out (a read, before taking the write lock). */
export async function hasUnsentEvents(db: Db): Promise<boolean> {
  return !!(await db.selectFrom('outbox').select('id').where('seq', 'is', null).limit(1).executeTakeFirst());
}

/** When the next lane falls due (its retry time, or the end of the lease a stopped worker left), or null. */
export async function nextLaneTime(db: Db): Promise<number | null> {
  const row = await db
    .selectFrom('webhook_lane')
    .select(sql<number | null>`min(case when lease_until is not null and lease_until > next_time then lease_until else next_time end)`.as('next'))
    .where('next_time', 'is not', null)
    .executeTakeFirst();
  return row?.next === null || row?.next === undefined ? null : Number(row.next);
}

/** True when some lane is due and not leased. */
export async function hasDueLanes(db: Db, now: number): Promise<boolean> {
  const row = await db
    .selectFrom('webhook_lane')
    .select('subscription_id')
    .where('next_time', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .limit(1)
    .executeTakeFirst();
  return !!row;
}

/**
 * The delivery worker's own PostgreSQL pool. Its commits are asynchronous (synchronous_commit
 * off): a database crash can lose the last moments of delivery bookkeeping, which only means
 * some deliveries go out again (at least once); the events themselves were committed durably by
 * the writes that recorded them. Returns undefined on SQLite (the worker shares the connection).
 */
export function openWorkerDatabase(
  dialect: DialectName,
  databaseUrl: string | undefined,
  schema: string | undefined,
  /** False behind PgBouncer, which refuses startup options: commits are then synchronous. */
  startupOptions = true,
): { db: Db; close(): Promise<void> } | undefined {
  if (dialect !== 'postgres' || !databaseUrl) return undefined;
  const options = startupOptions ? `-c synchronous_commit=off${schema ? ` -c search_path=${schema}` : ''}` : undefined;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, ...(options ? { options } : {}) });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, close: () => db.destroy() };
}

/** The subscriptions of some integrations to one topic, by integration. */
export async function findSubscriptionsOfTopic(db: Db, appIds: readonly string[], topic: string): Promise<Map<string, SubscriptionRow>> {
  if (appIds.length === 0) return new Map();
  const rows = await db.selectFrom('webhook_subscription').selectAll().where('app_id', 'in', [...new Set(appIds)]).where('topic', '=', topic).execute();
  return new Map(rows.map((r) => [r.app_id, r]));
}
