import { listSubscriptionsOfApp } from '../../db/repositories/webhook.js';
import { AppError, invalidParameter } from '../../errors.js';
import { checkTopicFields, topicFields } from '../../policies/webhooks.js';
import { presentGraphSubscription } from '../../presenters/webhook.js';
import { catchUp } from '../../webhooks/catchup.js';
import { checkSubscription, subscriptionRemover, subscriptionSaver, verifyCallback } from '../../webhooks/commands.js';
import { decodeCursor, encodeCursor } from '../render.js';
import { type GraphRequest, type GraphRoute, success } from '../request.js';

const MAX_CATCH_UP = 1000;

/** GET /app/subscriptions: the app's subscriptions in Graph's shape. */
async function listSubscriptions(req: GraphRequest) {
  return { data: (await listSubscriptionsOfApp(req.ctx.db, req.actor.appId)).map(presentGraphSubscription) };
}

/**
 * POST /app/subscriptions object=…&fields=…&callback_url=…&verify_token=…: runs the verification
 * handshake, then adds the fields to the topic's subscription (one callback URL per topic).
 */
async function subscribe(req: GraphRequest) {
  const input = {
    topic: req.params.requireString('object').toLowerCase(),
    fields: req.params.list('fields') ?? [],
    callbackUrl: req.params.requireString('callback_url'),
    verifyToken: req.params.requireString('verify_token'),
  };
  await checkSubscription(req.ctx, req.actor.appId, input);
  await verifyCallback(req.ctx, req.actor.appId, input.callbackUrl, input.verifyToken);
  await req.write((w) => subscriptionSaver(w, req.actor.appId, input, 'add'));
  return success;
}

/** DELETE /app/subscriptions[?object=…[&fields=…]]: removes fields, a topic, or everything. */
async function unsubscribe(req: GraphRequest) {
  const topic = req.params.string('object')?.toLowerCase();
  const fields = req.params.list('fields');
  if (fields?.length && !topic) throw invalidParameter('Give object= with fields=');
  if (topic) checkTopicFields(topic, fields?.length ? fields : [...topicFields(topic)]);
  await req.write((w) => subscriptionRemover(w, req.actor.appId, topic, fields));
  return success;
}

function ownPage(req: GraphRequest): void {
  if (req.node.type !== 'page' || req.node.id !== req.actor.pageId) throw new AppError('action_not_allowed', '(#10) Only the page of this integration can manage its subscribed apps');
}

/** GET /me/subscribed_apps: the app, with the page fields it is subscribed to. */
async function subscribedApps(req: GraphRequest) {
  ownPage(req);
  const page = (await listSubscriptionsOfApp(req.ctx.db, req.actor.appId)).find((s) => s.topic === 'page');
  return { data: page ? [{ id: req.actor.appId, name: req.actor.name, subscribed_fields: JSON.parse(page.fields) as string[] }] : [] };
}

/** POST /me/subscribed_apps: the bot page is always subscribed to its own app, so this only confirms. */
async function subscribeApp(req: GraphRequest) {
  ownPage(req);
  return success;
}

/** DELETE /me/subscribed_apps: stops the page's webhooks (removes the page subscription). */
async function unsubscribeApp(req: GraphRequest) {
  ownPage(req);
  await req.write((w) => subscriptionRemover(w, req.actor.appId, 'page'));
  return success;
}

function topicFilter(req: GraphRequest): Map<string, Set<string>> | undefined {
  const topic = req.params.string('object')?.toLowerCase();
  if (!topic) return undefined;
  const listed = req.params.list('fields');
  const { topic: checked, fields } = checkTopicFields(topic, listed?.length ? listed : [...topicFields(topic)]);
  return new Map([[checked, new Set(fields)]]);
}

/**
 * GET /app/events?after=…&limit=…[&object=…&fields=…]: every event the integration was sent, or
 * would have been sent, over the last 7 days, in delivery order. Loop until `paging.next` is
 * gone, keep `paging.cursors.after`, and poll from there later.
 */
async function events(req: GraphRequest) {
  const after = req.params.string('after');
  const limit = Math.min(req.params.integer('limit', { min: 1 }) ?? 100, MAX_CATCH_UP);
  const position = after ? decodeCursor(after, 'after') : undefined;
  const page = await catchUp(req.ctx, req.actor.appId, { after: position ? Number(position.sort) : 0, limit, topics: topicFilter(req) });
  const cursor = page.position ? encodeCursor({ sort: page.position.seq, id: page.position.id }) : after;
  const paging: Record<string, unknown> = {};
  if (cursor) paging.cursors = { after: cursor };
  if (page.more && cursor) {
    const query = new URLSearchParams({ ...req.presentation.carry });
    for (const key of ['object', 'fields']) {
      const v = req.params.string(key);
      if (v) query.set(key, v);
    }
    query.set('limit', String(limit));
    query.set('after', cursor);
    paging.next = `${req.presentation.graphBase}/app/events?${query.toString()}`;
  }
  return { data: page.items, paging };
}

export const webhookRoutes: GraphRoute[] = [
  { node: 'app', edge: 'subscriptions', method: 'GET', handler: listSubscriptions, summary: "The app's webhook subscriptions" },
  {
    node: 'app',
    edge: 'subscriptions',
    method: 'POST',
    handler: subscribe,
    summary: 'Subscribe to an object’s fields (the callback answers the hub.challenge handshake)',
    params: [
      { name: 'object', description: 'page, group, user, workplace_security or link', required: true },
      { name: 'fields', description: 'Fields to receive', type: 'array' },
      { name: 'callback_url', description: 'HTTPS endpoint', required: true },
      { name: 'verify_token', description: 'Echoed in the handshake', required: true },
    ],
  },
  { node: 'app', edge: 'subscriptions', method: 'DELETE', handler: unsubscribe, summary: 'Remove fields, a topic, or every subscription', params: [{ name: 'object', description: 'The topic' }, { name: 'fields', description: 'Only these fields', type: 'array' }] },
  { node: 'app', edge: 'events', method: 'GET', handler: events, summary: 'Catch-up: the events delivered to the app, oldest first', params: [{ name: 'object', description: 'One topic' }, { name: 'fields', description: 'Only these fields', type: 'array' }, { name: 'after', description: 'Cursor' }] },
  { node: 'page', edge: 'subscribed_apps', method: 'GET', handler: subscribedApps, summary: 'The apps subscribed to the bot page' },
  { node: 'page', edge: 'subscribed_apps', method: 'POST', handler: subscribeApp, summary: 'Subscribe the app to its page' },
  { node: 'page', edge: 'subscribed_apps', method: 'DELETE', handler: unsubscribeApp, summary: 'Unsubscribe the app from its page' },
];
