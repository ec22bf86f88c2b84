import type { Db } from '../db/database.js';
import type { LinkPreviewObject } from '../db/linkPreviewSchema.js';
import { insertLinkPreviews, listAllLinkDomains, type LinkPreviewRow, previewsOf, type ShownPreviewRow } from '../db/repositories/linkPreview.js';
import { findSubscriptionsOfTopic } from '../db/repositories/webhook.js';
import { invalidParameter } from '../errors.js';
import { newId } from '../ids.js';
import { allowed, groupInScope } from '../policies/graph.js';
import { loadReceivers } from '../webhooks/receivers.js';
import type { AppActor } from './actor.js';
import type { Write } from './commands/shared.js';

/** URLs of one post, comment or message that get a preview; the rest are shown as plain links. */
export const MAX_PREVIEWS_PER_OBJECT = 5;
/** Domains one integration may register. */
export const MAX_LINK_DOMAINS = 50;

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;

/** The http(s) URLs of some texts, in order, without duplicates or trailing punctuation. */
export function sharedUrls(texts: readonly (string | null | undefined)[]): string[] {
  const out: string[] = [];
  for (const text of texts) {
    for (const match of text?.matchAll(URL_PATTERN) ?? []) {
      let url = match[0].replace(/[.,;:!?*_~]+$/, '');
      // A closing bracket ends the URL unless the URL opened it (Markdown links, parenthesised asides).
      while (/[)\]]$/.test(url) && (url.match(/[([]/g)?.length ?? 0) < (url.match(/[)\]]/g)?.length ?? 0)) url = url.slice(0, -1);
      try {
        const parsed = new URL(url);
        if (parsed.hostname && !out.includes(parsed.toString())) out.push(parsed.toString());
      } catch {
        continue;
      }
    }
  }
  return out;
}

/** A domain as stored: lower case, no trailing dot, a host name of at least two labels. Throws Graph's error. */
export function normalizeDomain(raw: string): string {
  const domain = raw.trim().toLowerCase().replace(/\.$/, '').replace(/^\*\./, '');
  const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
  if (domain.length > 253 || !new RegExp(`^(?:${label}\\.)+${label}$`).test(domain)) {
    throw invalidParameter(`"${raw}" is not a domain name (like docs.example.com; it covers its subdomains)`);
  }
  return domain;
}

/** True when a URL's host is the domain or one of its subdomains. */
export function hostMatches(host: string, domain: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === domain || h.endsWith(`.${domain}`);
}

export interface PreviewRequest {
  objectType: LinkPreviewObject;
  objectId: string;
  texts: readonly (string | null | undefined)[];
  /** The group the object is in; null for timelines and chat (only community-wide integrations unfurl there). */
  groupId: string | null;
  /** URLs that already have a preview (an edit keeps theirs). */
  skip?: readonly string[];
}

/**
 * Records, in the caller's transaction, one pending preview for each URL a member shared whose
 * domain an integration unfurls. The integration must hold `link_unfurling`, be enabled, have a
 * live `link`/`preview` subscription and have the object's group in its scope. Nothing is sent
 * here: the link unfurler asks in the background, so a slow receiver never holds up the write.
 */
export async function linkPreviewRequester({ ctx, actor, trx }: Write, request: PreviewRequest): Promise<LinkPreviewRow[]> {
  if (actor.kind !== 'member') return [];
  const urls = sharedUrls(request.texts).slice(0, MAX_PREVIEWS_PER_OBJECT).filter((u) => !request.skip?.includes(u));
  if (urls.length === 0) return [];
  const candidates = await unfurlersFor(trx, urls, request.groupId);
  const now = ctx.clock.now();
  const rows: LinkPreviewRow[] = [];
  urls.forEach((url, position) => {
    const appId = candidates.get(url);
    if (!appId) return;
    rows.push(pendingPreview({ objectType: request.objectType, objectId: request.objectId, url, position, appId, requesterId: actor.memberId, groupId: request.groupId, now }));
  });
  await insertLinkPreviews(trx, rows);
  return rows;
}

function pendingPreview(p: { objectType: LinkPreviewObject; objectId: string; url: string; position: number; appId: string; requesterId: string; groupId: string | null; now: number }): LinkPreviewRow {
  return {
    id: newId(),
    object_type: p.objectType,
    object_id: p.objectId,
    url: p.url,
    position: p.position,
    app_id: p.appId,
    requester_id: p.requesterId,
    group_id: p.groupId,
    state: 'pending',
      title: null,
      description: null,
      image_url: null,
      icon_url: null,
      image_media_id: null,
      icon_media_id: null,
      preview_type: null,
      privacy: null,
      canonical_link: null,
      download_url: null,
      fields: null,
      error: null,
      status_code: null,
      latency_ms: null,
    attempts: 0,
    lease_owner: null,
    lease_until: null,
    created_time: p.now,
    completed_time: null,
  };
}

/** What one member sees of some objects' previews: their own, and which objects still wait for one. */
export interface ViewerPreviews {
  rows: Map<string, ShownPreviewRow[]>;
  pending: Set<string>;
}

/**
 * The previews a member sees, as Workplace did it: each viewer gets the integration's answer for
 * them, so a viewer who may not open a document never sees its title. The first time a member
 * sees a shared URL their preview is asked for in the background (the sharer's row says which
 * integration and where); until it arrives they see none.
 */
export async function viewerPreviews(db: Db, now: number, objectType: LinkPreviewObject, objects: readonly { id: string; authorId: string }[], viewerId: string): Promise<ViewerPreviews> {
  const all = await previewsOf(db, objectType, objects.map((o) => o.id));
  const missing: LinkPreviewRow[] = [];
  for (const o of objects) {
    const rows = all.get(o.id) ?? [];
    if (o.authorId === viewerId) continue;
    for (const shared of rows.filter((r) => r.requester_id === o.authorId && r.state !== 'failed')) {
      if (rows.some((r) => r.requester_id === viewerId && r.url === shared.url)) continue;
      missing.push(pendingPreview({ objectType, objectId: o.id, url: shared.url, position: shared.position, appId: shared.app_id, requesterId: viewerId, groupId: shared.group_id, now }));
    }
  }
  if (missing.length) {
    await insertLinkPreviews(db, missing);
    for (const m of missing) all.set(m.object_id, [...(all.get(m.object_id) ?? []), { ...m, image_file: null, icon_file: null }]);
  }
  const rows = new Map<string, ShownPreviewRow[]>();
  const pending = new Set<string>();
  for (const [id, list] of all) {
    const mine = list.filter((r) => r.requester_id === viewerId).sort((a, b) => a.position - b.position);
    rows.set(id, mine);
    if (mine.some((r) => r.state === 'pending' || r.state === 'running')) pending.add(id);
  }
  return { rows, pending };
}

/** True when an integration may be asked for previews of a place: it holds link_unfurling, and the group is in its scope (timelines and chat need a community-wide integration). */
export function mayUnfurl(app: AppActor, groupId: string | null): boolean {
  if (!allowed(app, 'link.preview')) return false;
  return groupId === null ? app.scopeAll : groupInScope(app, groupId);
}

/** For each URL, the integration that unfurls it (the most specific domain wins, then the oldest registration). */
async function unfurlersFor(db: Db, urls: readonly string[], groupId: string | null): Promise<Map<string, string>> {
  const domains = await listAllLinkDomains(db);
  const hosts = new Map(urls.map((u) => [u, new URL(u).hostname]));
  const matching = domains.filter((d) => [...hosts.values()].some((h) => hostMatches(h, d.domain)));
  if (matching.length === 0) return new Map();
  const appIds = [...new Set(matching.map((d) => d.app_id))];
  const [receivers, subscriptions] = await Promise.all([loadReceivers(db, appIds), findSubscriptionsOfTopic(db, appIds, 'link')]);
  const eligible = new Set(
    appIds.filter((id) => {
      const receiver = receivers.get(id);
      const subscription = subscriptions.get(id);
      if (!receiver || receiver.app.enabled !== 1 || !subscription || subscription.active !== 1) return false;
      if (!(JSON.parse(subscription.fields) as string[]).includes('preview')) return false;
      return mayUnfurl(receiver.actor, groupId);
    }),
  );
  const ranked = matching
    .filter((d) => eligible.has(d.app_id))
    .sort((a, b) => b.domain.length - a.domain.length || a.created_time - b.created_time || a.app_id.localeCompare(b.app_id));
  const out = new Map<string, string>();
  for (const [url, host] of hosts) {
    const winner = ranked.find((d) => hostMatches(host, d.domain));
    if (winner) out.set(url, winner.app_id);
  }
  return out;
}
