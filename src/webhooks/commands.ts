import type { Context } from '../context.js';
import { type AppRow, findAppById, updateApp } from '../db/repositories/app.js';
import {
  cancelPending,
  deadDeliveries,
  type DeliveryRow,
  deleteSubscription,
  findDeliveriesByIds,
  findEventsByIds,
  findSubscription,
  findSubscriptionsByIds,
  findWebhookSettings,
  insertDeliveries,
  insertSubscription,
  listSubscriptionsOfApp,
  type SubscriptionRow,
  touchLanes,
  updateSubscription,
  upsertWebhookSettings,
} from '../db/repositories/webhook.js';
import type { Actor } from '../domain/actor.js';
import type { Write } from '../domain/commands/shared.js';
import { recordChange } from '../domain/events.js';
import { newAppSecret, newOpaqueToken } from '../domain/secrets.js';
import { AppError, invalidParameter } from '../errors.js';
import { newId } from '../ids.js';
import { authorizeSubscription, checkTopicFields } from '../policies/webhooks.js';
import { AllowList, checkCallback, EgressRefused } from './egress.js';
import { WebhookHttp } from './http.js';
import { loadReceivers } from './receivers.js';
import { newDelivery } from './worker.js';

/** Longest overlap a secret rotation may ask for. */
export const MAX_OVERLAP_MS = 7 * 86_400_000;
const MAX_REDELIVER = 10_000;

export interface SubscriptionInput {
  topic: string;
  fields: readonly string[];
  callbackUrl: string;
  verifyToken: string;
}

const verificationFailed = (why: string) => invalidParameter(`(#2200) Callback verification failed: ${why}`);

function quote(text: string, max = 200): string {
  const t = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(t);
}

/** The allow-list that applies to an integration's callbacks. */
export async function allowListOf(ctx: Context, appId: string): Promise<AllowList> {
  const settings = (await findWebhookSettings(ctx.db, [appId])).get(appId);
  return new AllowList(ctx.config.webhookAllowedHosts).merge(settings ? (JSON.parse(settings.allowed_hosts) as string[]) : []);
}

/**
 * The verification handshake: GET callback?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…
 * must answer 2xx with the challenge as its body. Throws an error that says what came back.
 */
export async function verifyCallback(ctx: Context, appId: string, callbackUrl: string, verifyToken: string): Promise<void> {
  const allow = await allowListOf(ctx, appId);
  let url: URL;
  try {
    url = await checkCallback(callbackUrl, allow);
  } catch (error) {
    if (error instanceof EgressRefused) throw verificationFailed(error.reason);
    throw error;
  }
  const challenge = newOpaqueToken(12);
  url.searchParams.set('hub.mode', 'subscribe');
  url.searchParams.set('hub.challenge', challenge);
  url.searchParams.set('hub.verify_token', verifyToken);
  const http = new WebhookHttp(ctx.config.webhookTimeoutMs, allow);
  try {
    const outcome = await http.send('GET', url.toString(), allow, { 'user-agent': 'Commonplace-Webhooks/1.0' });
    if (outcome.error) throw verificationFailed(outcome.error);
    const status = outcome.status!;
    const body = outcome.body ?? '';
    if (status >= 300 && status < 400) throw verificationFailed(`the callback answered HTTP ${status}${outcome.location ? ` (redirect to ${outcome.location})` : ''}; redirects are not followed`);
    if (status < 200 || status >= 300) throw verificationFailed(`the callback answered HTTP ${status} with body ${quote(body)}; expected 200 with the hub.challenge`);
    if (body.trim() !== challenge) throw verificationFailed(`the callback answered HTTP ${status} with body ${quote(body)} instead of the hub.challenge ${quote(challenge)}`);
  } finally {
    await http.close();
  }
}

async function loadApp(trx: Write['trx'], appId: string): Promise<AppRow> {
  const app = await findAppById(trx, appId);
  if (!app) throw new AppError('unknown_object', `No integration with id ${appId}`);
  return app;
}

function requireAdmin(actor: Actor): void {
  if (actor.kind === 'system' || (actor.kind === 'member' && actor.isAdmin)) return;
  throw new AppError('action_not_allowed', '(#10) Only system administrators can change this.');
}

function requireOwnApp(actor: Actor, appId: string): void {
  if ((actor.kind === 'app' || actor.kind === 'integration') && actor.appId !== appId) throw new AppError('action_not_allowed', '(#10) An integration manages only its own subscriptions.');
  if (actor.kind === 'member' && !actor.isAdmin) throw new AppError('action_not_allowed', '(#10) Only system administrators can manage webhooks.');
}

/** Checks a subscription request before its handshake: topic, fields, permissions, URL form. */
export async function checkSubscription(ctx: Context, appId: string, input: SubscriptionInput): Promise<{ topic: string; fields: string[] }> {
  const checked = checkTopicFields(input.topic, [...input.fields]);
  const receiver = (await loadReceivers(ctx.db, [appId])).get(appId);
  if (!receiver) throw new AppError('unknown_object', `No integration with id ${appId}`);
  authorizeSubscription(receiver.actor, checked.topic, checked.fields);
  if (!input.verifyToken) throw invalidParameter('verify_token is required');
  if (!input.callbackUrl) throw invalidParameter('callback_url is required');
  return checked;
}

/**
 * Saves a subscription whose handshake passed. `add` merges the fields into an existing
 * subscription of the topic (Graph's POST /app/subscriptions); `replace` sets them. Returns it.
 */
export async function subscriptionSaver(
  { ctx, actor, trx }: Write,
  appId: string,
  input: SubscriptionInput,
  mode: 'add' | 'replace',
): Promise<SubscriptionRow> {
  requireOwnApp(actor, appId);
  await loadApp(trx, appId);
  const { topic, fields } = checkTopicFields(input.topic, [...input.fields]);
  const now = ctx.clock.now();
  const existing = await findSubscription(trx, appId, topic);
  const sealed = ctx.secrets.seal(input.verifyToken);
  if (existing) {
    const before = JSON.parse(existing.fields) as string[];
    const merged = mode === 'add' ? [...new Set([...before, ...fields])] : fields;
    const dropped = before.filter((f) => !merged.includes(f));
    if (dropped.length) await cancelPending(trx, existing.id, dropped, now, `the subscription no longer includes ${dropped.join(', ')}`);
    const changes = { fields: JSON.stringify(merged), callback_url: input.callbackUrl, verify_token_sealed: sealed, active: 1 as const, verified_time: now, updated_time: now };
    await updateSubscription(trx, existing.id, changes);
    await recordChange(trx, ctx, actor, {
      action: 'webhook.subscribed',
      target: { type: 'integration', id: appId },
      old: { object: topic, fields: before, callback_url: existing.callback_url },
      new: { object: topic, fields: merged, callback_url: input.callbackUrl },
    });
    return { ...existing, ...changes };
  }
  const row: SubscriptionRow = {
    id: newId(),
    app_id: appId,
    topic,
    fields: JSON.stringify(fields),
    callback_url: input.callbackUrl,
    verify_token_sealed: sealed,
    active: 1,
    consecutive_failures: 0,
    failing_since: null,
    last_error: null,
    last_failure_time: null,
    last_success_time: null,
    verified_time: now,
    created_time: now,
    updated_time: now,
  };
  await insertSubscription(trx, row);
  await recordChange(trx, ctx, actor, {
    action: 'webhook.subscribed',
    target: { type: 'integration', id: appId },
    new: { object: topic, fields, callback_url: input.callbackUrl },
  });
  return row;
}

/**
 * Removes fields from a topic's subscription, the whole topic (no fields), or every topic (no
 * topic). What was still pending for them is cancelled. Returns how many subscriptions changed.
 */
export async function subscriptionRemover({ ctx, actor, trx }: Write, appId: string, topic?: string, fields?: readonly string[]): Promise<number> {
  requireOwnApp(actor, appId);
  const now = ctx.clock.now();
  const subscriptions = topic ? [await findSubscription(trx, appId, topic)].filter((s): s is SubscriptionRow => !!s) : await listSubscriptionsOfApp(trx, appId);
  if (topic && fields?.length) checkTopicFields(topic, [...fields]);
  let changed = 0;
  for (const sub of subscriptions) {
    const before = JSON.parse(sub.fields) as string[];
    const left = fields?.length ? before.filter((f) => !fields.includes(f)) : [];
    if (left.length === before.length) continue;
    if (left.length) {
      await cancelPending(trx, sub.id, before.filter((f) => !left.includes(f)), now, 'unsubscribed');
      await updateSubscription(trx, sub.id, { fields: JSON.stringify(left), updated_time: now });
    } else {
      await cancelPending(trx, sub.id, null, now, 'unsubscribed');
      await deleteSubscription(trx, sub.id);
    }
    await recordChange(trx, ctx, actor, {
      action: 'webhook.unsubscribed',
      target: { type: 'integration', id: appId },
      old: { object: sub.topic, fields: before },
      new: left.length ? { object: sub.topic, fields: left } : undefined,
    });
    changed++;
  }
  return changed;
}

async function redeliverRows({ ctx, trx }: Write, rows: readonly DeliveryRow[]): Promise<DeliveryRow[]> {
  const now = ctx.clock.now();
  const events = new Map((await findEventsByIds(trx, rows.map((r) => r.event_id))).map((e) => [e.id, e]));
  const subscriptions = new Map((await findSubscriptionsByIds(trx, rows.map((r) => r.subscription_id))).map((s) => [s.id, s]));
  const created: DeliveryRow[] = [];
  for (const row of rows) {
    const event = events.get(row.event_id);
    const sub = subscriptions.get(row.subscription_id);
    if (!event || !sub) continue;
    created.push(newDelivery(event, row.event_seq, sub, now, now, row.id));
  }
  await insertDeliveries(trx, created);
  await touchLanes(trx, created.map((d) => ({ subscription_id: d.subscription_id, ordering_key: d.ordering_key })), now);
  if (created.length) await ctx.bus.publish(trx, { t: 'outbox' });
  return created;
}

/** Sends one delivery's event again, as a new delivery that names the one it repeats. */
export async function deliveryRedeliverer(write: Write, appId: string, deliveryId: string): Promise<DeliveryRow> {
  requireOwnApp(write.actor, appId);
  const [row] = await findDeliveriesByIds(write.trx, [deliveryId]);
  if (!row || row.app_id !== appId) throw new AppError('unknown_object', `No delivery ${deliveryId} for integration ${appId}`);
  const [created] = await redeliverRows(write, [row]);
  if (!created) throw invalidParameter('The event is older than the retention period or its subscription was removed; it cannot be redelivered');
  await recordChange(write.trx, write.ctx, write.actor, {
    action: 'webhook.redelivered',
    target: { type: 'integration', id: appId },
    new: { deliveries: [{ id: created.id, redelivery_of: row.id, event_id: row.event_id }] },
  });
  return created;
}

/** Redelivers every dead delivery of an integration not redelivered yet; returns the new deliveries. */
export async function failedRedeliverer(write: Write, appId: string): Promise<DeliveryRow[]> {
  requireOwnApp(write.actor, appId);
  const created = await redeliverRows(write, await deadDeliveries(write.trx, appId, MAX_REDELIVER));
  if (created.length) {
    await recordChange(write.trx, write.ctx, write.actor, {
      action: 'webhook.redelivered',
      target: { type: 'integration', id: appId },
      new: { count: created.length, deliveries: created.slice(0, 100).map((d) => ({ id: d.id, redelivery_of: d.redelivery_of })) },
    });
  }
  return created;
}

async function currentSettings(trx: Write['trx'], appId: string, now: number) {
  return (await findWebhookSettings(trx, [appId])).get(appId) ?? { app_id: appId, allowed_hosts: '[]', previous_secret_sealed: null, previous_secret_expires: null, updated_time: now };
}

/** Sets the hosts and CIDRs an integration's callbacks may reach besides public addresses. */
export async function allowedHostsSetter({ ctx, actor, trx }: Write, appId: string, hosts: readonly string[]): Promise<boolean> {
  requireAdmin(actor);
  await loadApp(trx, appId);
  const entries = [...new Set(hosts.map((h) => h.trim()).filter(Boolean))];
  const problem = AllowList.problem(entries);
  if (problem) throw invalidParameter(problem);
  const now = ctx.clock.now();
  const settings = await currentSettings(trx, appId, now);
  const before = JSON.parse(settings.allowed_hosts) as string[];
  if (JSON.stringify(before) === JSON.stringify(entries)) return false;
  await upsertWebhookSettings(trx, { ...settings, allowed_hosts: JSON.stringify(entries), updated_time: now });
  await recordChange(trx, ctx, actor, { action: 'webhook.settings_updated', target: { type: 'integration', id: appId }, old: { allowed_hosts: before }, new: { allowed_hosts: entries } });
  return true;
}

/**
 * Replaces the app secret. For `overlapMs` the previous secret keeps signing webhooks next to the
 * new one (two signatures per header), so receivers switch without missing a delivery. App
 * tokens (`APP_ID|APP_SECRET`) need the new secret at once. Returns the new secret.
 */
export async function appSecretRotator({ ctx, actor, trx }: Write, appId: string, overlapMs: number): Promise<{ app_secret: string; previous_valid_until: string | null }> {
  requireAdmin(actor);
  if (!Number.isFinite(overlapMs) || overlapMs < 0 || overlapMs > MAX_OVERLAP_MS) throw invalidParameter(`The overlap must be between 0 and ${MAX_OVERLAP_MS / 3_600_000} hours`);
  const app = await loadApp(trx, appId);
  const now = ctx.clock.now();
  const secret = newAppSecret();
  await updateApp(trx, appId, { secret_sealed: ctx.secrets.seal(secret), updated_time: now });
  await ctx.bus.publish(trx, { t: 'app', id: appId });
  const settings = await currentSettings(trx, appId, now);
  const until = overlapMs > 0 ? now + overlapMs : null;
  await upsertWebhookSettings(trx, { ...settings, previous_secret_sealed: until ? app.secret_sealed : null, previous_secret_expires: until, updated_time: now });
  await recordChange(trx, ctx, actor, {
    action: 'integration.secret_rotated',
    target: { type: 'integration', id: appId },
    new: { overlap_seconds: Math.round(overlapMs / 1000), previous_valid_until: until ? new Date(until).toISOString() : null },
  });
  return { app_secret: secret, previous_valid_until: until ? new Date(until).toISOString() : null };
}
