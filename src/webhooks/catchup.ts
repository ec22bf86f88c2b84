import type { Context } from '../context.js';
import { deliveriesOfEvents, type EventRow, eventsAfter, listSubscriptionsOfApp } from '../db/repositories/webhook.js';
import { mayReceive } from '../policies/webhooks.js';
import { presentEnvelope } from './envelope.js';
import { eventTargets, loadReceivers } from './receivers.js';
import { RETENTION_MS } from './worker.js';

const SCAN_BATCH = 500;
/** Events one catch-up request looks at before answering with what it found so far. */
const SCAN_LIMIT = 5_000;

export interface CatchUpRequest {
  /** Continue after this position (an event's seq); 0 starts at the oldest retained event. */
  after: number;
  limit: number;
  /** Topic → fields to read; default: the integration's subscriptions. */
  topics?: Map<string, Set<string>>;
}

export interface CatchUpItem {
  id: string;
  seq: number;
  object: string;
  field: string;
  time: string;
  /** The envelope as it was (or would have been) delivered. */
  payload: Record<string, unknown>;
  /** This integration's deliveries of the event (several after redeliveries). */
  deliveries: { id: string; state: string; redelivery_of: string | null }[];
}

export interface CatchUpPage {
  items: CatchUpItem[];
  /** Where the next request continues: the last event looked at (returned or filtered out). */
  position: { seq: number; id: string } | undefined;
  /** Events past `position` may exist. */
  more: boolean;
}

/**
 * Pages through the events an integration was sent, or would have been sent, over the retention
 * period, in delivery order. Only events it may see (permissions, group scope) are returned.
 */
export async function catchUp(ctx: Context, appId: string, request: CatchUpRequest): Promise<CatchUpPage> {
  const receiver = (await loadReceivers(ctx.db, [appId])).get(appId);
  if (!receiver) return { items: [], position: undefined, more: false };
  let topics = request.topics;
  if (!topics) {
    topics = new Map();
    for (const s of await listSubscriptionsOfApp(ctx.db, appId)) topics.set(s.topic, new Set(JSON.parse(s.fields) as string[]));
  }
  const since = ctx.clock.now() - RETENTION_MS;
  const found: EventRow[] = [];
  let cursor = request.after;
  let position: CatchUpPage['position'];
  let scanned = 0;
  let exhausted = false;
  while (found.length < request.limit && scanned < SCAN_LIMIT) {
    const rows = await eventsAfter(ctx.db, cursor, since, SCAN_BATCH);
    const targets = await eventTargets(ctx.db, rows);
    for (const row of rows) {
      scanned++;
      cursor = Number(row.seq);
      position = { seq: cursor, id: row.id };
      if (topics.get(row.topic)?.has(row.field) && mayReceive(receiver.actor, targets.get(row.id)!)) found.push(row);
      if (found.length >= request.limit) break;
    }
    if (rows.length < SCAN_BATCH && found.length < request.limit) {
      exhausted = true;
      break;
    }
  }
  const deliveries = await deliveriesOfEvents(ctx.db, appId, found.map((e) => e.id));
  const items = found.map((e) => ({
    id: e.id,
    seq: Number(e.seq),
    object: e.topic,
    field: e.field,
    time: new Date(e.created_time).toISOString(),
    payload: presentEnvelope(e),
    deliveries: deliveries
      .filter((d) => d.event_id === e.id)
      .sort((a, b) => a.created_time - b.created_time)
      .map((d) => ({ id: d.id, state: d.state, redelivery_of: d.redelivery_of })),
  }));
  return { items, position, more: !exhausted };
}
