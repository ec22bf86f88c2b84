import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendMessage, senderAction, subscribeWebhook, type Button, type OutgoingAttachment, type OutgoingMessage, type QuickReply, type Recipient, type SendResult } from './chat.js';
import { GraphClient } from './client.js';
import type { CommentInput, GraphClientOptions, IdResult, SuccessResult } from './types.js';
import { verificationChallenge, verifySignature, webhookEvents, type MessagingItem, type WebhookEvent, type WebhookPayload } from './webhooks.js';

// A bot framework over Workplace's webhooks and Send API: signature check, handshake, dispatch
// to typed handlers with reply helpers, at-least-once handling keyed by the event id, and
// catch-up through GET /app/events after downtime.

/** A person or page as webhooks name them. */
export interface BotActor {
  id: string;
  name?: string;
}

/** A @mention of the bot in a post or comment (`page`/`mention`). */
export interface Mention {
  item: 'post' | 'comment';
  verb: string;
  post_id: string;
  comment_id?: string;
  message?: string;
  message_tags?: { id: string; name?: string; type?: string; offset?: number; length?: number }[];
  from: BotActor;
  created_time?: number;
}

/** A post added, edited or deleted in a group (`group`/`posts`). */
export interface GroupPost {
  verb: 'add' | 'edit' | 'delete';
  post_id: string;
  from: BotActor;
  message?: string;
  message_tags?: Mention['message_tags'];
  type?: string;
  created_time?: number;
  target_type?: string;
  target_id?: string;
}

/** A comment or reply in a group (`group`/`comments`). */
export interface GroupComment {
  verb: 'add' | 'edit' | 'delete';
  post_id: string;
  comment_id: string;
  parent_id?: string;
  from: BotActor;
  message?: string;
  created_time?: number;
  target_id?: string;
}

/** The template payloads sendTemplate takes. */
export type TemplatePayload = Extract<OutgoingAttachment, { type: 'template' }>['payload'];

/** Where an event came from: a webhook delivery or a catch-up page. */
export type EventSource = 'webhook' | 'catch-up';

/** What every handler gets with its event. */
export interface TurnBase {
  /** The client acting as the bot (its access token). */
  graph: GraphClient;
  event: WebhookEvent;
  /** The idempotency key of this event: the same on every retry, redelivery and catch-up of it. */
  key: string;
  /** The delivery id (X-Commonplace-Delivery) when the event came as a webhook from Commonplace. */
  deliveryId?: string;
  source: EventSource;
}

/** A post or comment to answer: comments go under the comment (as a reply) or under the post. */
export interface PostTurn extends TurnBase {
  /** The group (or timeline) the post is in. */
  groupId: string;
  postId: string;
  /** The object replies and reactions go to: the comment when there is one, else the post. */
  targetId: string;
  /** Comments as the bot page. */
  reply(message: string | CommentInput): Promise<IdResult>;
  /** Likes the post or comment as the bot page (the reaction Graph lets an app write). */
  react(): Promise<SuccessResult>;
}

/** A Work Chat message, quick reply or postback to answer in its thread. */
export interface ChatTurn extends TurnBase {
  sender: BotActor & { community?: { id: string } };
  /** A group chat's thread key (`t_…`); absent in a 1:1 chat. */
  threadKey?: string;
  /** Where answers go: the group thread, else the sender. */
  to: Recipient;
  /** Sends text (with `{title: payload}` quick replies) or a whole message. */
  reply(message: string | OutgoingMessage, quickReplies?: Record<string, string>): Promise<SendResult>;
  sendQuickReplies(text: string, replies: Record<string, string> | readonly QuickReply[]): Promise<SendResult>;
  /** Sends a button or generic template. */
  sendTemplate(template: TemplatePayload): Promise<SendResult>;
  /** Sends text with buttons (a button template). */
  sendButtons(text: string, buttons: readonly Button[]): Promise<SendResult>;
  /** Shows (or hides) the typing indicator. */
  typing(on?: boolean): Promise<unknown>;
  markSeen(): Promise<unknown>;
}

/** Decides, per idempotency key, whether an event still needs handling. */
export interface DedupeStore {
  /** 'new' claims the key for this handler; 'busy' while another attempt is handling it; 'done' once handled. */
  claim(key: string): 'new' | 'busy' | 'done' | Promise<'new' | 'busy' | 'done'>;
  /** The claimed key was handled. */
  complete(key: string): void | Promise<void>;
  /** The handler failed: the key may be claimed again (by the server's retry or a catch-up). */
  release(key: string): void | Promise<void>;
}

/** Where catch-up keeps its position (a cursor of GET /app/events). */
export interface CursorStore {
  get(): string | undefined | Promise<string | undefined>;
  set(cursor: string): void | Promise<void>;
}

/** Remembers handled keys in memory: `max` keys (oldest forgotten first); a claim left busy longer than `busyMs` (a crashed handler) may be taken again. */
export function memoryDedupeStore(options: { max?: number; busyMs?: number; now?: () => number } = {}): DedupeStore {
  const max = options.max ?? 100_000;
  const busyMs = options.busyMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const keys = new Map<string, { done: boolean; at: number }>();
  return {
    claim(key) {
      const k = keys.get(key);
      if (k?.done) return 'done';
      if (k && now() - k.at < busyMs) return 'busy';
      keys.delete(key);
      keys.set(key, { done: false, at: now() });
      if (keys.size > max) keys.delete(keys.keys().next().value as string);
      return 'new';
    },
    complete(key) {
      keys.set(key, { done: true, at: now() });
    },
    release(key) {
      keys.delete(key);
    },
  };
}

export function memoryCursorStore(initial?: string): CursorStore {
  let cursor = initial;
  return {
    get: () => cursor,
    set: (c) => void (cursor = c),
  };
}

/** Keeps the catch-up cursor in a file (written atomically), so a restarted bot continues where it stopped. */
export function fileCursorStore(file: string): CursorStore {
  return {
    get() {
      try {
        return fs.readFileSync(file, 'utf8').trim() || undefined;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    set(cursor) {
      fs.writeFileSync(`${file}.tmp`, cursor);
      fs.renameSync(`${file}.tmp`, file);
    },
  };
}

type Handler<E, T> = (event: E, turn: T) => void | Promise<void>;

/** What createBot needs: the app's secret and verify token, a token to answer with, and handlers. */
export interface BotOptions {
  /** The app secret (several during a rotation overlap: the first is the current one, used for catch-up). */
  appSecret: string | readonly string[];
  /** The verify token given when subscribing. */
  verifyToken: string | readonly string[];
  /** Graph root, e.g. http://127.0.0.1:8080/graph (Workplace: https://graph.workplace.com); with accessToken. */
  graphUrl?: string;
  /** The bot's access token (its integration token). */
  accessToken?: string;
  /** Or a ready client acting as the bot. */
  graph?: GraphClient;
  /** The app id: needed for catch-up and subscribe(), which use the app token APP_ID|APP_SECRET. */
  appId?: string;
  /** Extra client options (retries, fetch, version…). */
  clientOptions?: Partial<GraphClientOptions>;
  /** The bot page's id; read from GET /me when absent. Events the bot caused itself are not handed to handlers. */
  pageId?: string;
  /** A @mention of the bot in a post or comment. */
  onMention?: Handler<Mention, PostTurn>;
  /** A Work Chat message (text or attachments) that is not a quick reply. */
  onMessage?: Handler<NonNullable<MessagingItem['message']>, ChatTurn>;
  /** A tap on a quick reply: its payload. */
  onQuickReply?: Handler<{ payload: string; text?: string; mid: string }, ChatTurn>;
  /** A tap on a postback button (or Get Started, or a persistent menu item). */
  onPostback?: Handler<NonNullable<MessagingItem['postback']>, ChatTurn>;
  /** A post in a group the app is subscribed to (`group`/`posts`, every verb). */
  onGroupPost?: Handler<GroupPost, PostTurn>;
  /** A comment or reply in a group (`group`/`comments`). */
  onComment?: Handler<GroupComment, PostTurn>;
  /** Every other event (deliveries, reads, membership, status…). */
  onEvent?: Handler<WebhookEvent, TurnBase>;
  /** A handler failed: the event is answered with 500 so the server retries it, until `gaveUp` (see maxAttempts). */
  onError?: (error: unknown, event: WebhookEvent | undefined, info: { gaveUp: boolean }) => void;
  /**
   * Tries a failing event gets (the server's X-Commonplace-Attempt, or failures counted here) before the bot
   * acknowledges it anyway, so one bad event does not hold back its thread or group, nor catch-up. Default 8 (about 20 minutes of server retries).
   */
  maxAttempts?: number;
  /** Default memoryDedupeStore(); give a shared one (Redis, a database) when several processes serve the bot. */
  dedupe?: DedupeStore;
  /** Default memoryCursorStore(); fileCursorStore(path) survives restarts. */
  cursor?: CursorStore;
  /** Largest body accepted (default 1 MiB). */
  maxBodyBytes?: number;
  /** The current time in epoch ms (default Date.now): a first catch-up skips events older than the bot. */
  now?: () => number;
}

export interface CatchUpResult {
  /** Events handed to handlers. */
  handled: number;
  /** Events already handled (or the bot's own). */
  skipped: number;
  /** Handlers that failed: catch-up stopped there and keeps its cursor before them. */
  failed: number;
  cursor: string | undefined;
}

/** A node:http request handler with the bot's helpers. */
export interface Bot {
  (req: http.IncomingMessage, res: http.ServerResponse): void;
  graph: GraphClient;
  /** Handles a webhook body directly (what the HTTP handler does after the checks); resolves to the failures. */
  dispatch(payload: WebhookPayload, meta?: { eventId?: string; deliveryId?: string; attempt?: number; source?: EventSource }): Promise<{ handled: number; skipped: number; failed: number; busy: number; gaveUp: number }>;
  /**
   * Reads GET /app/events after the stored cursor and handles what was missed (events already
   * handled are skipped by their key), saving the cursor page by page. With no cursor yet, events
   * older than the bot are skipped, unless `fromStart` (then the 7 days the server keeps are replayed).
   * A failing handler stops it before that event, for the next run to try again.
   */
  catchUp(options?: { after?: string; fromStart?: boolean; limit?: number }): Promise<CatchUpResult>;
  /** Subscribes the app (app token) to page and/or group fields with this bot as the callback. */
  subscribe(callbackUrl: string, topics?: { page?: readonly string[]; group?: readonly string[] }): Promise<void>;
  /** Serves the bot on 127.0.0.1 (or `host`); `catchUp: true` runs catch-up once listening. */
  listen(port?: number, options?: { host?: string; catchUp?: boolean }): Promise<{ url: string; port: number; server: http.Server; close(): Promise<void> }>;
}

const TIME_MARK = 'time:';
const first = (secret: string | readonly string[]) => (typeof secret === 'string' ? secret : secret[0]!);

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined;
}

/** An event's idempotency key: Commonplace's event id, else the message id, else a digest of the event. */
function keyOf(event: WebhookEvent, index: number, eventId: string | undefined): string {
  if (eventId) return `event:${eventId}:${index}`;
  if (event.type === 'message' && event.message?.mid) return `mid:${event.message.mid}`;
  const digest = createHash('sha256').update(JSON.stringify(event)).digest('hex');
  return `digest:${digest}`;
}

/**
 * Creates a bot: a node:http request handler that answers the subscription handshake, checks
 * X-Hub-Signature-256 (or X-Hub-Signature) over the raw bytes in constant time, hands each event
 * to its handler once (a key per event: retries, redeliveries and catch-up are recognised) and
 * answers 200 only when every handler succeeded, so a failure is retried by the server.
 */
export function createBot(options: BotOptions): Bot {
  const graph =
    options.graph ??
    (() => {
      if (!options.graphUrl || !options.accessToken) throw new TypeError('createBot needs graph, or graphUrl and accessToken');
      return new GraphClient({ baseUrl: options.graphUrl, accessToken: options.accessToken, ...options.clientOptions });
    })();
  const appClient = () => {
    if (!options.appId) throw new TypeError('catch-up and subscribe need appId (they use the app token APP_ID|APP_SECRET)');
    return graph.withOptions({ accessToken: undefined, appId: options.appId, appSecret: first(options.appSecret) });
  };
  const dedupe = options.dedupe ?? memoryDedupeStore();
  const cursor = options.cursor ?? memoryCursorStore();
  const max = options.maxBodyBytes ?? 1024 * 1024;
  const createdAt = (options.now ?? Date.now)();
  let pageId: Promise<string> | undefined = options.pageId ? Promise.resolve(options.pageId) : undefined;
  const ownPage = () => (pageId ??= graph.me<{ id: string }>('id').then((p) => p.id).catch((error) => {
    pageId = undefined;
    throw error;
  }));

  function postTurn(base: TurnBase, groupId: string, postId: string, commentId: string | undefined): PostTurn {
    const targetId = commentId ?? postId;
    return {
      ...base,
      groupId,
      postId,
      targetId,
      reply: (message) => graph.comment(targetId, message),
      react: () => graph.like(targetId),
    };
  }

  function chatTurn(base: TurnBase, item: MessagingItem): ChatTurn {
    const to: Recipient = item.thread ? { thread_key: item.thread.id } : { id: item.sender.id };
    const quick = (replies: Record<string, string> | readonly QuickReply[]): QuickReply[] =>
      Array.isArray(replies) ? [...(replies as readonly QuickReply[])] : Object.entries(replies as Record<string, string>).map(([title, payload]) => ({ content_type: 'text' as const, title, payload }));
    const turn: ChatTurn = {
      ...base,
      sender: item.sender,
      threadKey: item.thread?.id,
      to,
      reply: (message, quickReplies) =>
        sendMessage(graph, to, typeof message === 'string' ? (quickReplies ? { text: message, quick_replies: quick(quickReplies) } : { text: message }) : message),
      sendQuickReplies: (text, replies) => sendMessage(graph, to, { text, quick_replies: quick(replies) }),
      sendTemplate: (template) => sendMessage(graph, to, { attachment: { type: 'template', payload: template } as OutgoingAttachment }),
      sendButtons: (text, buttons) => turn.sendTemplate({ template_type: 'button', text, buttons: [...buttons] }),
      typing: (on = true) => senderAction(graph, to, on ? 'typing_on' : 'typing_off'),
      markSeen: () => senderAction(graph, to, 'mark_seen'),
    };
    return turn;
  }

  /** Runs the handler an event calls for; false when nothing handles it (or it is the bot's own). */
  async function route(event: WebhookEvent, base: TurnBase): Promise<boolean> {
    if (event.type === 'change') {
      const value = event.value as Record<string, any>;
      if (event.object === 'page' && event.field === 'mention' && options.onMention) {
        const m = value as Mention;
        await options.onMention(m, postTurn(base, m.post_id.split('_')[0]!, m.post_id, m.item === 'comment' ? m.comment_id : undefined));
        return true;
      }
      if (event.object === 'group' && (event.field === 'posts' || event.field === 'comments')) {
        if (value.from?.id && value.from.id === (await ownPage())) return false;
        if (event.field === 'posts' && options.onGroupPost) {
          await options.onGroupPost(value as GroupPost, postTurn(base, event.entryId, value.post_id, undefined));
          return true;
        }
        if (event.field === 'comments' && options.onComment) {
          await options.onComment(value as GroupComment, postTurn(base, event.entryId, value.post_id, value.comment_id));
          return true;
        }
      }
    } else if (event.type === 'message' && !(event.message as { is_echo?: boolean } | undefined)?.is_echo) {
      const message = event.message!;
      if (message.quick_reply && options.onQuickReply) {
        await options.onQuickReply({ payload: message.quick_reply.payload, text: message.text, mid: message.mid }, chatTurn(base, event));
        return true;
      }
      if (!message.quick_reply && options.onMessage) {
        await options.onMessage(message, chatTurn(base, event));
        return true;
      }
    } else if (event.type === 'postback' && options.onPostback) {
      await options.onPostback(event.postback!, chatTurn(base, event));
      return true;
    } else if (event.type === 'message') {
      return false;
    }
    if (!options.onEvent) return false;
    await options.onEvent(event, base);
    return true;
  }

  const maxAttempts = options.maxAttempts ?? 8;
  const failures = new Map<string, number>();
  const dispatch: Bot['dispatch'] = async (payload, meta = {}) => {
    const out = { handled: 0, skipped: 0, failed: 0, busy: 0, gaveUp: 0 };
    const events = webhookEvents(payload);
    for (const [index, event] of events.entries()) {
      const key = keyOf(event, index, meta.eventId);
      const state = await dedupe.claim(key);
      if (state !== 'new') {
        out[state === 'busy' ? 'busy' : 'skipped']++;
        continue;
      }
      try {
        const ran = await route(event, { graph, event, key, deliveryId: meta.deliveryId, source: meta.source ?? 'webhook' });
        await dedupe.complete(key);
        out[ran ? 'handled' : 'skipped']++;
      } catch (error) {
        const tries = Math.max(meta.attempt ?? 0, (failures.get(key) ?? 0) + 1);
        const gaveUp = tries >= maxAttempts;
        if (gaveUp) {
          failures.delete(key);
          await dedupe.complete(key);
          out.gaveUp++;
        } else {
          failures.set(key, tries);
          if (failures.size > 10_000) failures.delete(failures.keys().next().value as string);
          await dedupe.release(key);
          out.failed++;
        }
        options.onError?.(error, event, { gaveUp });
      }
    }
    return out;
  };

  const answer = (res: http.ServerResponse, status: number, text: string) => {
    res.statusCode = status;
    res.setHeader('content-type', 'text/plain');
    res.end(text);
  };

  const handler = ((req: http.IncomingMessage, res: http.ServerResponse) => {
    void (async () => {
      if (req.method === 'GET') {
        const challenge = verificationChallenge(req.url ?? '', options.verifyToken);
        return challenge === null ? answer(res, 403, 'verify token mismatch') : answer(res, 200, challenge);
      }
      if (req.method !== 'POST') return answer(res, 405, 'method not allowed');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > max) return answer(res, 413, 'body too large');
        chunks.push(chunk);
      }
      const rawBody = Buffer.concat(chunks);
      if (!verifySignature({ appSecret: options.appSecret, rawBody, headers: req.headers })) return answer(res, 401, 'bad signature');
      let payload: WebhookPayload;
      try {
        payload = JSON.parse(rawBody.toString('utf8')) as WebhookPayload;
      } catch {
        return answer(res, 400, 'body is not JSON');
      }
      const attempt = Number(header(req, 'x-commonplace-attempt'));
      const result = await dispatch(payload, { eventId: header(req, 'x-commonplace-event'), deliveryId: header(req, 'x-commonplace-delivery'), attempt: Number.isInteger(attempt) ? attempt : undefined, source: 'webhook' });
      if (result.failed) return answer(res, 500, 'a handler failed; retry');
      if (result.busy) return answer(res, 503, 'already being handled; retry');
      answer(res, 200, 'ok');
    })().catch((error) => {
      options.onError?.(error, undefined, { gaveUp: false });
      if (!res.headersSent) answer(res, 500, 'bot failed');
    });
  }) as Bot;

  handler.graph = graph;
  handler.dispatch = dispatch;

  handler.catchUp = async (opts = {}) => {
    const app = appClient();
    const stored = opts.after ?? (await cursor.get());
    // Without a cursor there is a time mark instead: events older than it are history, not missed.
    const mark = stored?.startsWith(TIME_MARK) ? Date.parse(stored.slice(TIME_MARK.length)) : stored === undefined ? (opts.fromStart ? 0 : createdAt) : 0;
    const after = stored?.startsWith(TIME_MARK) ? undefined : stored;
    const result: CatchUpResult = { handled: 0, skipped: 0, failed: 0, cursor: after };
    const limit = String(opts.limit ?? 100);
    let next: string | undefined;
    do {
      const page: { data: { id: string; time: string; payload: WebhookPayload }[]; paging?: { next?: string; cursors?: { after?: string } } } = next
        ? await app.get(next)
        : await app.get('app/events', { limit, ...(after ? { after } : {}) });
      for (const item of page.data) {
        if (Date.parse(item.time) < mark) {
          result.skipped++;
          continue;
        }
        const r = await dispatch(item.payload, { eventId: item.id, source: 'catch-up' });
        result.handled += r.handled;
        result.skipped += r.skipped + r.busy + r.gaveUp;
        result.failed += r.failed;
        if (r.failed) return result;
      }
      const position = page.paging?.cursors?.after;
      if (position) {
        result.cursor = position;
        await cursor.set(position);
      }
      next = page.paging?.next;
    } while (next);
    if (result.cursor === undefined && stored === undefined) await cursor.set(`${TIME_MARK}${new Date(mark).toISOString()}`);
    return result;
  };

  handler.subscribe = async (callbackUrl, topics = { page: ['mention', 'messages', 'messaging_postbacks'] }) => {
    const app = appClient();
    const verifyToken = typeof options.verifyToken === 'string' ? options.verifyToken : options.verifyToken[0]!;
    for (const [object, fields] of Object.entries(topics)) {
      if (fields?.length) await subscribeWebhook(app, { object, fields, callbackUrl, verifyToken });
    }
  };

  handler.listen = async (port = 0, opts = {}) => {
    const host = opts.host ?? '127.0.0.1';
    const server = http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const bound = (server.address() as AddressInfo).port;
    if (opts.catchUp) await handler.catchUp();
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/`,
      port: bound,
      server,
      close: () => new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    };
  };
  return handler;
}
