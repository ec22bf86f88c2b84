import type { Context } from '../context.js';
import type { Db } from '../db/database.js';
import { type AppRow, findAppGroupIdsForApps, findAppsByIds } from '../db/repositories/app.js';
import { findGroupsByIds } from '../db/repositories/group.js';
import { type EventRow, findWebhookSettings, type WebhookSettingsRow } from '../db/repositories/webhook.js';
import type { AppActor } from '../domain/actor.js';
import type { Permission } from '../domain/permissions.js';
import type { EventTarget } from '../policies/webhooks.js';

/** An integration as the delivery rules see it, with what signing and egress need. */
export interface Receiver {
  app: AppRow;
  actor: AppActor;
  settings: WebhookSettingsRow | undefined;
}

export function receiverActor(app: AppRow, groupIds: readonly string[]): AppActor {
  return {
    kind: 'app',
    appId: app.id,
    pageId: app.page_id,
    name: app.name,
    permissions: new Set(JSON.parse(app.permissions) as Permission[]),
    scopeAll: app.scope_all === 1,
    groupIds: new Set(groupIds),
    autoInvite: app.auto_invite === 1,
  };
}

/** Loads integrations with their group scopes and webhook settings. */
export async function loadReceivers(db: Db, appIds: readonly string[]): Promise<Map<string, Receiver>> {
  const ids = [...new Set(appIds)];
  const [apps, groups, settings] = await Promise.all([findAppsByIds(db, ids), findAppGroupIdsForApps(db, ids), findWebhookSettings(db, ids)]);
  return new Map(apps.map((app) => [app.id, { app, actor: receiverActor(app, groups.get(app.id) ?? []), settings: settings.get(app.id) }]));
}

/** The secrets that sign for an integration: the current one, then the previous one while its overlap lasts. */
export function signingSecrets(ctx: Pick<Context, 'secrets'>, receiver: Receiver, now: number): string[] {
  const secrets = [ctx.secrets.open(receiver.app.secret_sealed)];
  const s = receiver.settings;
  if (s?.previous_secret_sealed && (s.previous_secret_expires ?? 0) > now) secrets.push(ctx.secrets.open(s.previous_secret_sealed));
  return secrets;
}

export function allowedHostsOf(receiver: Receiver | undefined): string[] {
  return receiver?.settings ? (JSON.parse(receiver.settings.allowed_hosts) as string[]) : [];
}

/** The feed of a `{feed}_{post}` id. */
function feedOfPost(postId: unknown): string | undefined {
  return typeof postId === 'string' ? /^(\d+)_\d+$/.exec(postId)?.[1] : undefined;
}

/**
 * Resolves what the scope rule needs for a batch of events: the group each one belongs to. Group
 * events belong to their entry; a mention belongs to the group of the post it sits in.
 */
export async function eventTargets(db: Db, events: readonly EventRow[]): Promise<Map<string, EventTarget>> {
  const feeds = new Map<string, string>();
  for (const e of events) {
    if (e.topic === 'page' && e.field === 'mention') {
      const feed = feedOfPost((JSON.parse(e.payload) as { post_id?: unknown }).post_id);
      if (feed) feeds.set(e.id, feed);
    }
    // A member's event belongs to the event's group.
    if (e.topic === 'user' && e.field === 'events') {
      const group = (JSON.parse(e.payload) as { group_id?: unknown }).group_id;
      if (typeof group === 'string') feeds.set(e.id, group);
    }
  }
  const groups = new Set((await findGroupsByIds(db, [...new Set(feeds.values())])).map((g) => g.id));
  return new Map(
    events.map((e) => {
      const feed = feeds.get(e.id);
      const groupId = e.topic === 'group' ? e.entry_id : feed && groups.has(feed) ? feed : null;
      return [e.id, { topic: e.topic, field: e.field, entryId: e.entry_id, groupId }];
    }),
  );
}
