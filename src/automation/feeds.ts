import net from 'node:net';
import Parser from 'rss-parser';
import { Agent, request } from 'undici';
import type { Context } from '../context.js';
import { claimFeedItem, type FeedRow, leaseFeed, setFeedItemPost, updateFeed } from '../db/repositories/feed.js';
import { hookActor } from '../domain/commands/incomingHook.js';
import { photoUploader } from '../domain/commands/media.js';
import { postCreator } from '../domain/commands/post.js';
import { optionalRemoteFile, transact } from '../domain/commands/shared.js';
import { sha256Hex } from '../domain/secrets.js';
import { AllowList, EgressRefused, addressRefusal, checkUrlForm, guardedLookup } from '../webhooks/egress.js';
import { escapeMarkdown } from './slack.js';

/** A feed larger than this is refused (a feed is a list of links, not the articles). */
export const MAX_FEED_BYTES = 5 * 1024 * 1024;
/** Failed polls in a row after which a feed is paused until an admin resumes it. */
export const FAILURES_BEFORE_PAUSE = 5;
/** The longest wait between polls while a feed keeps failing. */
export const MAX_BACKOFF_MS = 6 * 3_600_000;
/** Items posted at the first poll; older ones are remembered as seen, not posted. */
export const FIRST_POLL_ITEMS = 5;
const MAX_REDIRECTS = 5;
const LEASE_MS = 2 * 60_000;
const SUMMARY_CHARS = 500;

type Item = Parser.Item & { id?: string; summary?: string; mediaContent?: { $?: { url?: string; medium?: string; type?: string } }[]; mediaThumbnail?: { $?: { url?: string } } };

const parser: Parser<Record<string, unknown>, Item> = new Parser({
  customFields: { item: [['media:content', 'mediaContent', { keepArray: true }] as never, ['media:thumbnail', 'mediaThumbnail'] as never] },
});

export interface FetchResult {
  status: number;
  body?: string;
  etag?: string;
  lastModified?: string;
}

/**
 * Fetches a feed through the egress policy: http(s) only, special addresses refused unless
 * allow-listed (checked on the connected address), redirects followed a few times and each
 * re-checked, conditional on ETag / Last-Modified, size and time bounded.
 */
export class FeedFetcher {
  private readonly agent: Agent;
  constructor(
    private readonly allow: AllowList,
    private readonly timeoutMs: number,
  ) {
    this.agent = new Agent({ connect: { timeout: timeoutMs, lookup: guardedLookup(allow) as never }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  async fetch(rawUrl: string, conditional: { etag?: string | null; lastModified?: string | null }): Promise<FetchResult> {
    let url = rawUrl;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const checked = checkUrlForm(url);
      const host = checked.hostname.replace(/^\[|\]$/g, '');
      if (net.isIP(host)) {
        const refusal = addressRefusal(host, host, this.allow);
        if (refusal) throw new EgressRefused(refusal);
      }
      const headers: Record<string, string> = { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1', 'user-agent': 'Commonplace feed reader' };
      if (conditional.etag) headers['if-none-match'] = conditional.etag;
      if (conditional.lastModified) headers['if-modified-since'] = conditional.lastModified;
      const response = await request(checked, { method: 'GET', headers, dispatcher: this.agent, signal: AbortSignal.timeout(this.timeoutMs) });
      const location = response.headers.location;
      if (response.statusCode >= 300 && response.statusCode < 400 && response.statusCode !== 304 && typeof location === 'string') {
        await response.body.dump();
        url = new URL(location, checked).toString();
        continue;
      }
      if (response.statusCode === 304 || response.statusCode >= 400) {
        await response.body.dump();
        return { status: response.statusCode };
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_FEED_BYTES) {
          response.body.destroy();
          throw new Error(`the feed is larger than ${MAX_FEED_BYTES / 1024 / 1024} MB`);
        }
        chunks.push(chunk as Buffer);
      }
      const header = (name: string) => (typeof response.headers[name] === 'string' ? (response.headers[name] as string) : undefined);
      return { status: response.statusCode, body: Buffer.concat(chunks).toString('utf8'), etag: header('etag'), lastModified: header('last-modified') };
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects`);
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** Why a poll failed, in words an admin can act on. */
function describe(error: unknown): string {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e; depth++) {
    if (e instanceof EgressRefused) return e.reason;
    const err = e as { code?: string; name?: string; message?: string; cause?: unknown };
    if (err.code === 'EGRESS_REFUSED' && err.message) return err.message;
    if (err.name === 'TimeoutError' || err.code?.startsWith('UND_ERR_') && err.code.includes('TIMEOUT')) return 'timeout: the feed did not answer in time';
    if (err.code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
    if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `cannot resolve the host (${err.code})`;
    if (err.cause) {
      e = err.cause;
      continue;
    }
    return err.message ?? String(e);
  }
  return String(error);
}

/** An item's identity: guid, Atom id, link, or a hash of title and date. */
export function itemGuid(item: Item): string {
  const id = item.guid ?? item.id ?? item.link;
  if (id && typeof id === 'string') return id.slice(0, 500);
  return `sha256:${sha256Hex(JSON.stringify([item.title ?? '', item.isoDate ?? item.pubDate ?? '']))}`;
}

function itemImage(item: Item): string | undefined {
  const candidates = [
    item.enclosure?.type?.startsWith('image/') ? item.enclosure.url : undefined,
    ...(item.mediaContent ?? []).filter((m) => m.$?.medium === 'image' || m.$?.type?.startsWith('image/')).map((m) => m.$?.url),
    item.mediaThumbnail?.$?.url,
  ];
  return candidates.find((u): u is string => typeof u === 'string' && /^https?:\/\/\S+$/i.test(u));
}

/** An item as a Markdown post: linked title and a plain-text summary; its image is attached as a photo. */
export function renderFeedItem(item: Item): { message: string; link?: string; image?: string } {
  const link = typeof item.link === 'string' && /^https?:\/\/\S+$/i.test(item.link) ? item.link : undefined;
  const title = escapeMarkdown((item.title ?? '').trim() || 'Untitled');
  const lines = [`**${link ? `[${title}](${link})` : title}**`];
  const summary = (item.contentSnippet ?? item.summary ?? '').replace(/\s+/g, ' ').trim();
  if (summary) lines.push(escapeMarkdown(summary.length > SUMMARY_CHARS ? `${summary.slice(0, SUMMARY_CHARS - 1)}…` : summary));
  return { message: lines.join('\n\n'), link, image: itemImage(item) };
}

const itemTime = (item: Item) => {
  const t = Date.parse(item.isoDate ?? item.pubDate ?? '');
  return Number.isNaN(t) ? 0 : t;
};

/**
 * Polls one feed the caller holds the lease of: new items become posts (each claimed by guid in
 * the same transaction as its post, so an item is posted once across restarts and processes),
 * then the schedule moves on, backing off after failures and pausing after too many.
 */
export async function pollFeed(ctx: Context, fetcher: FeedFetcher, feed: FeedRow): Promise<{ posted: number; error?: string }> {
  const now = ctx.clock.now();
  let posted = 0;
  try {
    const result = await fetcher.fetch(feed.url, { etag: feed.etag, lastModified: feed.last_modified });
    if (result.status === 304) {
      await updateFeed(ctx.db, feed.id, { last_poll_time: now, last_success_time: now, consecutive_failures: 0, last_error: null, next_poll_time: now + feed.interval_ms, lease_owner: null, lease_until: null });
      return { posted };
    }
    if (result.status >= 400 || result.body === undefined) throw new Error(`the feed answered HTTP ${result.status}`);
    let parsed: Awaited<ReturnType<typeof parser.parseString>>;
    try {
      parsed = await parser.parseString(result.body);
    } catch (error) {
      throw new Error(`not an RSS or Atom feed: ${(error as Error).message.split('\n')[0]}`);
    }
    const items = [...parsed.items].sort((a, b) => itemTime(a) - itemTime(b));
    const firstPoll = feed.last_success_time === null;
    const toPost = new Set(firstPoll ? items.slice(-FIRST_POLL_ITEMS) : items);
    let last: Item | undefined;
    for (const item of items) {
      const guid = itemGuid(item);
      const actor = hookActor({ id: feed.id, app_id: null, name: feed.title ?? 'Feed', target_id: feed.group_id }, feed.page_id, feed.title ?? 'Feed');
      const wrote = await transact(ctx, actor, async (w) => {
        const { trx } = w;
        if (!(await claimFeedItem(trx, { feed_id: feed.id, guid, post_id: null, created_time: now }))) return false;
        if (!toPost.has(item)) return false;
        const { message, link, image } = renderFeedItem(item);
        // The image is fetched and stored like any photo given by URL; an item whose image cannot be fetched is posted without it.
        const file = image ? await optionalRemoteFile(w, image, 'image') : undefined;
        const photo = file ? await photoUploader(w, { file, published: false, groupId: feed.group_id }) : undefined;
        const post = await postCreator(w, { feedId: feed.group_id, feedType: 'group', message, link, formatting: 'MARKDOWN', allowDuplicate: true, mediaIds: photo ? [photo.id] : [] });
        await setFeedItemPost(trx, feed.id, guid, post.id);
        return true;
      });
      if (wrote) {
        posted++;
        last = item;
      }
    }
    await updateFeed(ctx.db, feed.id, {
      title: typeof parsed.title === 'string' && parsed.title.trim() ? parsed.title.trim().slice(0, 200) : feed.title,
      etag: result.etag ?? null,
      last_modified: result.lastModified ?? null,
      last_poll_time: now,
      last_success_time: now,
      consecutive_failures: 0,
      last_error: null,
      next_poll_time: now + feed.interval_ms,
      lease_owner: null,
      lease_until: null,
      ...(last ? { last_item_title: (last.title ?? '').slice(0, 300), last_item_time: itemTime(last) || now, item_count: feed.item_count + posted } : {}),
    });
    return { posted };
  } catch (error) {
    const reason = describe(error);
    const failures = feed.consecutive_failures + 1;
    const pause = failures >= FAILURES_BEFORE_PAUSE;
    await updateFeed(ctx.db, feed.id, {
      last_poll_time: now,
      last_error: reason,
      consecutive_failures: failures,
      next_poll_time: now + Math.min(MAX_BACKOFF_MS, feed.interval_ms * 2 ** failures),
      paused_reason: pause ? `paused after ${failures} failed polls in a row; last error: ${reason}` : null,
      lease_owner: null,
      lease_until: null,
    });
    return { posted, error: reason };
  }
}

/** Takes the lease of a due feed and polls it; undefined when another process got it first. */
export async function pollIfDue(ctx: Context, fetcher: FeedFetcher, feedId: string, owner: string): Promise<{ posted: number; error?: string } | undefined> {
  const now = ctx.clock.now();
  const feed = await leaseFeed(ctx.db, feedId, owner, now, now + LEASE_MS);
  if (!feed) return undefined;
  return pollFeed(ctx, fetcher, feed);
}
