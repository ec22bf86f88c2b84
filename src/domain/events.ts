import type { Context } from '../context.js';
import type { Db } from '../db/database.js';
import { insertAuditEvent, insertOutboxRows } from '../db/repositories/event.js';
import { newId } from '../ids.js';
import { type Actor, auditActor } from './actor.js';
import { securityEventsOf } from './securityEvents.js';

/** Every action the audit log knows (closed union: a new one is added here first). */
export type AuditAction =
  | 'community.created'
  | 'admin.created'
  | 'admin.signed_in'
  | 'admin.sign_in_failed'
  | 'admin.signed_out'
  | 'integration.created'
  | 'integration.updated'
  | 'integration.token_rotated'
  | 'integration.secret_revealed'
  | 'integration.disabled'
  | 'integration.enabled'
  | 'integration.deleted'
  | 'member.created'
  | 'member.updated'
  | 'account.provisioned'
  | 'account.updated'
  | 'account.invited'
  | 'account.claimed'
  | 'account.deactivated'
  | 'account.reactivated'
  | 'account.deleted'
  | 'account.logged_out'
  | 'account.deactivation_refused'
  | 'account.admin_granted'
  | 'account.admin_revoked'
  | 'people_set.created'
  | 'people_set.updated'
  | 'people_set.deleted'
  | 'people_set.members_changed'
  | 'group.created'
  | 'group.updated'
  | 'group.deleted'
  | 'group.member_added'
  | 'group.member_removed'
  | 'group.role_changed'
  | 'post.created'
  | 'post.updated'
  | 'post.deleted'
  | 'comment.created'
  | 'comment.deleted'
  | 'reaction.set'
  | 'reaction.removed'
  | 'post.seen'
  | 'media.uploaded'
  | 'media.deleted'
  | 'media.imported'
  | 'media.key_rotated'
  | 'group_file.uploaded'
  | 'group_file.deleted'
  | 'album.photo_added'
  | 'doc.updated'
  | 'doc.deleted'
  | 'group.join_requested'
  | 'group.join_request_declined'
  | 'video.upload_started'
  | 'video.deleted'
  | 'integration.secret_rotated'
  | 'member.signed_in'
  | 'member.sign_in_failed'
  | 'member.signed_out'
  | 'webhook.subscribed'
  | 'webhook.unsubscribed'
  | 'webhook.redelivered'
  | 'webhook.settings_updated'
  | 'chat.thread_created'
  | 'chat.message_sent'
  | 'chat.messages_delivered'
  | 'chat.messages_read'
  | 'chat.postback'
  | 'chat.participants_added'
  | 'chat.participant_removed'
  | 'chat.thread_renamed'
  | 'chat.profile_updated'
  | 'chat.file_uploaded'
  | 'hook.created'
  | 'hook.updated'
  | 'hook.key_rotated'
  | 'hook.revoked'
  | 'feed.subscribed'
  | 'feed.updated'
  | 'feed.paused'
  | 'feed.resumed'
  | 'feed.unsubscribed'
  | 'membership_rule.saved'
  | 'membership_rule.deleted'
  | 'membership_rule.refused'
  | 'membership_rule.applied'
  | 'badge.created'
  | 'badge.updated'
  | 'badge.deleted'
  | 'badge.awarded'
  | 'badge.revoked'
  | 'skill.added'
  | 'skill.removed'
  | 'export.requested'
  | 'export.completed'
  | 'export.failed'
  | 'report.created'
  | 'report.resolved'
  | 'chat.message_deleted'
  | 'account.picture_changed'
  | 'account.picture_removed'
  | 'knowledge.category_created'
  | 'knowledge.category_updated'
  | 'knowledge.category_deleted'
  | 'knowledge.quick_link_created'
  | 'knowledge.quick_link_updated'
  | 'knowledge.quick_link_deleted'
  | 'knowledge.editor_granted'
  | 'knowledge.editor_revoked'
  | 'event.created'
  | 'event.updated'
  | 'event.canceled'
  | 'event.deleted'
  | 'event.rsvp_set'
  | 'event.rsvp_removed'
  | 'calendar_feed.created'
  | 'calendar_feed.revoked'
  | 'poll.voted'
  | 'poll.vote_removed'
  | 'integration.link_domains_updated'
  | 'knowledge.media_added';

/** Webhook topics and fields integrations can subscribe to (reference §5.3). */
export type WebhookTopic = 'page' | 'group' | 'user' | 'workplace_security' | 'link';
export type WebhookField =
  | { topic: 'group'; field: 'posts' | 'comments' | 'membership' | 'reported_content' | 'poll_votes' }
  | { topic: 'page'; field: 'mention' | 'messages' | 'message_echoes' | 'message_deliveries' | 'message_reads' | 'messaging_postbacks' }
  | { topic: 'user'; field: 'status' | 'events' }
  | { topic: 'workplace_security'; field: 'admin_activity' | 'login_activity' }
  /** Asked synchronously by the link unfurler (never through the outbox): see src/linkPreviews/. */
  | { topic: 'link'; field: 'preview' };

export type OutboxEvent = WebhookField & {
  /** The envelope entry id: the group, the bot page, the member or the community. */
  entryId: string;
  /** Events with one key are delivered in order (a group, a thread). */
  orderingKey: string;
  value: Record<string, unknown>;
};

export interface Change {
  action: AuditAction;
  target: { type: string; id: string | null };
  old?: unknown;
  new?: unknown;
  events?: readonly OutboxEvent[];
  /** The target account's email as it stands after the change, when the caller has it (saves a read). */
  targetEmail?: string | null;
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/**
 * Writes the audit event of a change and its webhook outbox rows, in the caller's
 * transaction: a change is never recorded without its events, nor the other way round.
 */
export async function recordChange(trx: Db, ctx: Pick<Context, 'clock' | 'bus'>, actor: Actor, change: Change): Promise<void> {
  const time = ctx.clock.now();
  const who = auditActor(actor);
  await insertAuditEvent(trx, {
    id: newId(),
    time,
    actor_type: who.actor_type,
    actor_id: who.actor_id,
    action: change.action,
    target_type: change.target.type,
    target_id: change.target.id,
    old_value: json(change.old),
    new_value: json(change.new),
  });
  const events = [...(change.events ?? []), ...(await securityEventsOf(trx, ctx.bus, actor, change, time))];
  await insertOutboxRows(
    trx,
    events.map((e) => ({
      id: newId(),
      topic: e.topic,
      field: e.field,
      entry_id: e.entryId,
      ordering_key: e.orderingKey,
      payload: JSON.stringify(e.value),
      created_time: time,
    })),
  );
  if (events.length) ctx.bus.outboxWritten();
}

/** The fields of `after` whose values differ from `before`, as {old, new} snapshots. */
export function diff<T extends object>(before: T, after: Partial<T>): { old: Partial<T>; new: Partial<T> } | null {
  const oldValues: Partial<T> = {};
  const newValues: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (after[key] !== undefined && after[key] !== before[key]) {
      oldValues[key] = before[key];
      newValues[key] = after[key];
    }
  }
  return Object.keys(newValues).length ? { old: oldValues, new: newValues } : null;
}
