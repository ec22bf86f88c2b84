import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { findAppById } from '../db/repositories/app.js';
import {
  attemptsOf,
  countDeliveriesByState,
  findDeliveriesByIds,
  findWebhookSettings,
  listAllSubscriptions,
  listDeliveries,
  listSubscriptionsOfApp,
  findSubscription,
} from '../db/repositories/webhook.js';
import type { DeliveryState } from '../db/webhooksChatSchema.js';
import type { MemberActor } from '../domain/actor.js';
import type { Write } from '../domain/commands/shared.js';
import { AppError, invalidParameter } from '../errors.js';
import { presentDelivery, presentSubscription } from '../presenters/webhook.js';
import {
  allowedHostsSetter,
  appSecretRotator,
  checkSubscription,
  deliveryRedeliverer,
  failedRedeliverer,
  subscriptionRemover,
  subscriptionSaver,
  verifyCallback,
} from '../webhooks/commands.js';
import { nominalSchedule } from '../webhooks/schedule.js';
import { queryInteger, timeCursor, webQuery } from '../http/query.js';

/** What the admin API hands its webhook routes: the session check and the write runner. */
export interface AdminHelpers {
  admin(request: FastifyRequest): Promise<{ actor: MemberActor }>;
  write<T>(actor: MemberActor, fn: (w: Write) => Promise<T>): Promise<T>;
}

type Body = Record<string, unknown>;
const STATES: readonly DeliveryState[] = ['pending', 'delivered', 'dead', 'cancelled'];

function bodyOf(request: FastifyRequest): Body {
  return request.body && typeof request.body === 'object' ? (request.body as Body) : {};
}

function stringField(body: Body, name: string): string {
  const v = body[name];
  if (typeof v !== 'string' || v === '') throw invalidParameter(`${name} is required`);
  return v;
}

function listField(body: Body, name: string): string[] {
  const v = body[name];
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw invalidParameter(`${name} must be a list of strings`);
}

/**
 * Webhook administration under /admin/api: subscriptions per topic with their health, the
 * delivery log (request, response status and first bytes, latency, attempt, next retry),
 * redelivery of one delivery or all failed ones, egress allow-lists and app secret rotation.
 */
export async function registerWebhookAdminApi(api: FastifyInstance, ctx: Context, { admin, write }: AdminHelpers): Promise<void> {
  const appId = async (request: FastifyRequest) => {
    const id = (request.params as { id: string }).id;
    if (!(await findAppById(ctx.db, id))) throw new AppError('unknown_object', `No integration with id ${id}`);
    return id;
  };
  const views = async (id: string) => (await listSubscriptionsOfApp(ctx.db, id)).map((s) => presentSubscription(s));

  api.get('/webhooks/schedule', async (request) => {
    await admin(request);
    return { retry_offsets_seconds: nominalSchedule().map((ms) => Math.round(ms / 1000)), jitter: '±20%' };
  });

  api.get('/webhooks/subscriptions', async (request) => {
    await admin(request);
    return { data: (await listAllSubscriptions(ctx.db)).map((s) => presentSubscription(s)) };
  });

  api.get('/integrations/:id/subscriptions', async (request) => {
    await admin(request);
    const id = await appId(request);
    return { data: await views(id), deliveries: await countDeliveriesByState(ctx.db, id) };
  });

  api.post('/integrations/:id/subscriptions', async (request) => {
    const { actor } = await admin(request);
    const id = await appId(request);
    const b = bodyOf(request);
    const input = { topic: stringField(b, 'object').toLowerCase(), fields: listField(b, 'fields'), callbackUrl: stringField(b, 'callback_url'), verifyToken: stringField(b, 'verify_token') };
    await checkSubscription(ctx, id, input);
    await verifyCallback(ctx, id, input.callbackUrl, input.verifyToken);
    const row = await write(actor, (w) => subscriptionSaver(w, id, input, 'replace'));
    return presentSubscription(row);
  });

  api.delete('/integrations/:id/subscriptions/:object', async (request) => {
    const { actor } = await admin(request);
    const id = await appId(request);
    const topic = (request.params as { object: string }).object.toLowerCase();
    if (!(await findSubscription(ctx.db, id, topic))) throw new AppError('unknown_object', `Integration ${id} has no ${topic} subscription`);
    await write(actor, (w) => subscriptionRemover(w, id, topic));
    return { success: true };
  });

  api.get('/integrations/:id/deliveries', async (request) => {
    await admin(request);
    const id = await appId(request);
    const q = webQuery(request);
    const state = q.state === 'failed' ? 'dead' : q.state;
    if (state && !STATES.includes(state as DeliveryState)) throw invalidParameter(`state must be one of ${STATES.join(', ')} or failed`);
    const limit = queryInteger(q, 'limit', { min: 1, max: 500, fallback: 50 });
    const before = timeCursor(q, 'before');
    const subscriptionId = q.object ? (await findSubscription(ctx.db, id, q.object.toLowerCase()))?.id ?? '-' : undefined;
    const rows = await listDeliveries(ctx.db, { appId: id, state: state as DeliveryState | undefined, subscriptionId, eventId: q.event, before, limit });
    const attempts = await attemptsOf(ctx.db, rows.map((r) => r.id));
    const last = rows[rows.length - 1];
    return {
      data: rows.map((r) => presentDelivery(r, attempts)),
      paging: rows.length === limit && last ? { before: `${last.created_time}_${last.id}` } : {},
    };
  });

  api.get('/integrations/:id/deliveries/:delivery', async (request) => {
    await admin(request);
    const id = await appId(request);
    const [row] = await findDeliveriesByIds(ctx.db, [(request.params as { delivery: string }).delivery]);
    if (!row || row.app_id !== id) throw new AppError('unknown_object', 'No such delivery');
    return presentDelivery(row, await attemptsOf(ctx.db, [row.id]));
  });

  api.post('/integrations/:id/deliveries/:delivery/redeliver', async (request) => {
    const { actor } = await admin(request);
    const id = await appId(request);
    const created = await write(actor, (w) => deliveryRedeliverer(w, id, (request.params as { delivery: string }).delivery));
    return presentDelivery(created);
  });

  api.post('/integrations/:id/redeliver_failed', async (request) => {
    const { actor } = await admin(request);
    const id = await appId(request);
    const created = await write(actor, (w) => failedRedeliverer(w, id));
    return { redelivered: created.length, data: created.map((d) => presentDelivery(d)) };
  });

  api.get('/integrations/:id/webhook_settings', async (request) => {
    await admin(request);
    const id = await appId(request);
    const s = (await findWebhookSettings(ctx.db, [id])).get(id);
    const overlap = s?.previous_secret_expires && s.previous_secret_expires > ctx.clock.now() ? new Date(s.previous_secret_expires).toISOString() : null;
    return { allowed_hosts: s ? (JSON.parse(s.allowed_hosts) as string[]) : [], server_allowed_hosts: ctx.config.webhookAllowedHosts, previous_secret_valid_until: overlap };
  });

  api.patch('/integrations/:id/webhook_settings', async (request) => {
    const { actor } = await admin(request);
    const id = await appId(request);
    const hosts = listField(bodyOf(request), 'allowed_hosts');
    await write(actor, (w) => allowedHostsSetter(w, id, hosts));
    return { allowed_hosts: hosts };
  });

  api.post('/integrations/:id/rotate_secret', async (request) => {
    const { actor } = await admin(request);
    const id = await appId(request);
    const hours = bodyOf(request).overlap_hours ?? 24;
    if (typeof hours !== 'number') throw invalidParameter('overlap_hours must be a number');
    const rotated = await write(actor, (w) => appSecretRotator(w, id, hours * 3_600_000));
    return { app_id: id, ...rotated };
  });
}
