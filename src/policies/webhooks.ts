import type { AppActor, IntegrationActor } from '../domain/actor.js';
import type { WebhookField } from '../domain/events.js';
import { graphRules, type GraphAction, allowed, groupInScope } from './graph.js';
import { missingPermission, invalidParameter } from '../errors.js';

// Which permission each webhook field needs (reference §5.3: page → Mention bot / Message any
// member, group → Read group content, user → Read user timeline, security → Read security logs,
// link → Link unfurling).
// A field is delivered only while the integration holds the permission and, for events that
// belong to a group, while the group is in its scope.
type FieldKey = { [F in WebhookField as `${F['topic']}.${F['field']}`]: GraphAction };

export const webhookFieldRules: FieldKey = {
  'group.posts': 'group.feed.read',
  'group.comments': 'group.feed.read',
  'group.membership': 'group.members.read',
  'group.reported_content': 'reported_content.read',
  'group.poll_votes': 'group.feed.read',
  'page.mention': 'mention.read',
  'page.messages': 'chat.send',
  'page.message_echoes': 'chat.send',
  'page.message_deliveries': 'chat.send',
  'page.message_reads': 'chat.send',
  'page.messaging_postbacks': 'chat.send',
  'user.status': 'member.feed.read',
  'user.events': 'member.feed.read',
  'workplace_security.admin_activity': 'security.read',
  'workplace_security.login_activity': 'security.read',
  'link.preview': 'link.preview',
};

export type WebhookTopicName = WebhookField['topic'];

/**
 * Fields Workplace's or Messenger's docs list for a topic that nothing in Commonplace produces
 * (no opt-in plugin, no m.me referrals, no handover protocol…). Subscriptions accept and store
 * them, as Workplace did, so clients written for it subscribe without error; they never fire.
 * docs/webhooks.md lists them.
 */
export const silentWebhookFields: Record<WebhookTopicName, Record<string, GraphAction>> = {
  page: {
    message_edits: 'chat.send',
    message_reactions: 'chat.send',
    messaging_account_linking: 'chat.send',
    messaging_checkout_updates: 'chat.send',
    messaging_game_plays: 'chat.send',
    messaging_handovers: 'chat.send',
    messaging_optins: 'chat.send',
    messaging_payments: 'chat.send',
    messaging_policy_enforcement: 'chat.send',
    messaging_pre_checkouts: 'chat.send',
    messaging_referrals: 'chat.send',
    standby: 'chat.send',
  },
  group: {},
  user: {},
  workplace_security: {},
  link: {},
};

/** The topics integrations can subscribe to, with their fields: those that fire, then the silent ones. */
export const webhookTopics: Record<WebhookTopicName, readonly string[]> = {
  page: ['mention', 'messages', 'message_echoes', 'message_deliveries', 'message_reads', 'messaging_postbacks', ...Object.keys(silentWebhookFields.page)],
  group: ['posts', 'comments', 'membership', 'reported_content', 'poll_votes', ...Object.keys(silentWebhookFields.group)],
  user: ['status', 'events', ...Object.keys(silentWebhookFields.user)],
  workplace_security: ['admin_activity', 'login_activity', ...Object.keys(silentWebhookFields.workplace_security)],
  link: ['preview', ...Object.keys(silentWebhookFields.link)],
};

export function isWebhookTopic(topic: string): topic is WebhookTopicName {
  return Object.hasOwn(webhookTopics, topic);
}

/** The fields of a topic; none for a name that is not a topic. */
export function topicFields(topic: string): readonly string[] {
  return isWebhookTopic(topic) ? webhookTopics[topic] : [];
}

/** Checks a topic and its fields; returns the fields deduplicated in catalogue order. */
export function checkTopicFields(topic: string, fields: readonly string[]): { topic: WebhookTopicName; fields: string[] } {
  if (!isWebhookTopic(topic)) {
    throw invalidParameter(`object must be one of ${Object.keys(webhookTopics).join(', ')}`);
  }
  const known = webhookTopics[topic];
  const unknown = fields.filter((f) => !known.includes(f));
  if (unknown.length) throw invalidParameter(`Unknown field ${unknown.join(', ')} for object ${topic}; fields are ${known.join(', ')}`);
  if (fields.length === 0) throw invalidParameter(`Give the fields to subscribe to: ${known.join(', ')}`);
  return { topic, fields: known.filter((f) => fields.includes(f)) };
}

type Integration = IntegrationActor | AppActor;

function ruleOf(topic: string, field: string): GraphAction | undefined {
  const key = `${topic}.${field}`;
  if (Object.hasOwn(webhookFieldRules, key)) return (webhookFieldRules as Record<string, GraphAction>)[key];
  return isWebhookTopic(topic) && Object.hasOwn(silentWebhookFields[topic], field) ? silentWebhookFields[topic][field] : undefined;
}

/** Throws unless the integration holds the permission every subscribed field needs. */
export function authorizeSubscription(app: Integration, topic: string, fields: readonly string[]): void {
  for (const field of fields) {
    const action = ruleOf(topic, field);
    if (!action) throw invalidParameter(`Unknown field ${field} for object ${topic}`);
    if (!allowed(app, action)) throw missingPermission(`${graphRules[action].anyOf.join(' or ')} (for ${topic}/${field})`);
  }
}

/** An event as the delivery rules see it. */
export interface EventTarget {
  topic: string;
  field: string;
  entryId: string;
  /** The group the event belongs to (a group event, a mention in a group post), else null. */
  groupId: string | null;
}

/**
 * True when the integration may receive the event: it holds the field's permission, page events
 * concern its own bot page, and an event of a group is in its group scope.
 */
export function mayReceive(app: Integration, event: EventTarget): boolean {
  const action = ruleOf(event.topic, event.field);
  if (!action || !allowed(app, action)) return false;
  if (event.topic === 'page' && event.entryId !== app.pageId) return false;
  if (event.groupId !== null && !groupInScope(app, event.groupId)) return false;
  return true;
}
