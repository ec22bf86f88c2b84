import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Request headers as node:http, fetch or a plain object give them. */
export type HeaderSource =
  | { get(name: string): string | null }
  | { readonly [name: string]: string | readonly string[] | undefined };

/** Input of verifySignature(). */
export interface VerifySignatureInput {
  /** App secret, or several during a rotation overlap (any one may match). */
  appSecret: string | readonly string[];
  /** The exact request bytes, before any JSON parsing. */
  rawBody: Buffer | Uint8Array | string;
  /** X-Hub-Signature value ("sha1=<hex>"). */
  signatureHeader?: string | readonly string[] | null;
  /** X-Hub-Signature-256 value ("sha256=<hex>"). */
  signature256Header?: string | readonly string[] | null;
  /** Request headers to read both signature headers from (used when the explicit values are absent). */
  headers?: HeaderSource;
}

/** The two signature headers Workplace sends with a webhook delivery. */
export type SignatureHeaders = {
  'X-Hub-Signature': string;
  'X-Hub-Signature-256': string;
};

type Algorithm = 'sha1' | 'sha256';

const DIGEST_BYTES: Record<Algorithm, number> = { sha1: 20, sha256: 32 };

function toBuffer(body: Buffer | Uint8Array | string): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function secretList(appSecret: string | readonly string[]): string[] {
  const secrets = (typeof appSecret === 'string' ? [appSecret] : [...appSecret]).filter((s) => typeof s === 'string' && s !== '');
  if (secrets.length === 0) throw new TypeError('verifySignature needs a non-empty appSecret');
  return secrets;
}

function readHeader(headers: HeaderSource | undefined, name: string): string | readonly string[] | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as { readonly [name: string]: string | readonly string[] | undefined };
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : record[key];
}

function signatureEntries(value: string | readonly string[] | null | undefined): { algorithm: Algorithm; digest: Buffer }[] {
  if (value === null || value === undefined) return [];
  const joined = typeof value === 'string' ? value : value.join(',');
  const entries: { algorithm: Algorithm; digest: Buffer }[] = [];
  for (const part of joined.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const algorithm = part.slice(0, eq).trim().toLowerCase();
    if (algorithm !== 'sha1' && algorithm !== 'sha256') continue;
    const hex = part.slice(eq + 1).trim();
    if (hex.length !== DIGEST_BYTES[algorithm] * 2 || !/^[0-9a-f]+$/i.test(hex)) continue;
    entries.push({ algorithm, digest: Buffer.from(hex, 'hex') });
  }
  return entries;
}

/** Computes the X-Hub-Signature (sha1) and X-Hub-Signature-256 headers for a body, as Workplace sends them. */
export function signatureHeaders(appSecret: string, rawBody: Buffer | Uint8Array | string): SignatureHeaders {
  const body = toBuffer(rawBody);
  return {
    'X-Hub-Signature': `sha1=${createHmac('sha1', appSecret).update(body).digest('hex')}`,
    'X-Hub-Signature-256': `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`,
  };
}

/** Checks a webhook delivery's signature in constant time; sha256 is used whenever a sha256 signature is present. */
export function verifySignature(input: VerifySignatureInput): boolean {
  const secrets = secretList(input.appSecret);
  const body = toBuffer(input.rawBody);
  const sha1Value = input.signatureHeader ?? readHeader(input.headers, 'x-hub-signature');
  const sha256Value = input.signature256Header ?? readHeader(input.headers, 'x-hub-signature-256');
  const entries = [...signatureEntries(sha256Value), ...signatureEntries(sha1Value)];
  const algorithm: Algorithm | undefined = entries.some((e) => e.algorithm === 'sha256')
    ? 'sha256'
    : entries.length > 0
      ? 'sha1'
      : undefined;
  if (!algorithm) return false;
  const candidates = entries.filter((e) => e.algorithm === algorithm);
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac(algorithm, secret).update(body).digest();
    for (const candidate of candidates) {
      if (timingSafeEqual(expected, candidate.digest)) matched = true;
    }
  }
  return matched;
}

/** Query of a verification GET: URLSearchParams, a query string or URL, or a parsed query object. */
export type ChallengeQuery = URLSearchParams | string | { readonly [key: string]: unknown };

function first(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

function queryValue(query: URLSearchParams | { readonly [key: string]: unknown }, name: 'mode' | 'verify_token' | 'challenge'): string | undefined {
  if (query instanceof URLSearchParams) return query.get(`hub.${name}`) ?? query.get(`hub_${name}`) ?? undefined;
  const nested = query['hub'];
  const fromNested = nested !== null && typeof nested === 'object' ? first((nested as Record<string, unknown>)[name]) : undefined;
  return first(query[`hub.${name}`]) ?? first(query[`hub_${name}`]) ?? fromNested;
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Answers the subscription handshake: the hub.challenge to echo when hub.mode=subscribe and the verify token match, else null. */
export function verificationChallenge(query: ChallengeQuery, verifyToken: string | readonly string[]): string | null {
  let source: URLSearchParams | { readonly [key: string]: unknown };
  if (typeof query === 'string') {
    const q = query.includes('?') ? query.slice(query.indexOf('?') + 1) : query;
    source = new URLSearchParams(q.split('#')[0] ?? '');
  } else {
    source = query;
  }
  const tokens = (typeof verifyToken === 'string' ? [verifyToken] : [...verifyToken]).filter((t) => t !== '');
  if (tokens.length === 0) throw new TypeError('verificationChallenge needs a non-empty verifyToken');
  const mode = queryValue(source, 'mode');
  const token = queryValue(source, 'verify_token');
  const challenge = queryValue(source, 'challenge');
  if (mode !== 'subscribe' || token === undefined || challenge === undefined) return null;
  let matched = false;
  for (const expected of tokens) if (sameSecret(token, expected)) matched = true;
  return matched ? challenge : null;
}

/** A messaging item of a `page` webhook (Work Chat). */
export interface MessagingItem {
  sender: { id: string; community?: { id: string } };
  recipient: { id: string };
  timestamp: number;
  /** Present for group chats: the thread to answer in (as `thread_key`). */
  thread?: { id: string };
  message?: { mid: string; text?: string; quick_reply?: { payload: string }; attachments?: { type: string; payload: { url: string } }[] };
  delivery?: { mids: string[]; watermark: number };
  read?: { watermark: number };
  postback?: { title: string; payload: string; mid?: string };
}

/** One event of a webhook delivery, flattened out of its envelope. */
export type WebhookEvent =
  | { type: 'change'; object: string; entryId: string; time: number; field: string; value: any }
  | ({ type: 'message' | 'delivery' | 'read' | 'postback'; object: 'page'; entryId: string; time: number } & MessagingItem);

/** A webhook body: `{object, entry:[{id, time, changes:[…]} | {id, time, messaging:[…]}]}`. */
export interface WebhookPayload {
  object: string;
  entry: { id: string; time: number; changes?: { field: string; value: unknown }[]; messaging?: MessagingItem[] }[];
}

/** Flattens a webhook body into its events, in order. */
export function webhookEvents(payload: WebhookPayload): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  for (const entry of payload.entry ?? []) {
    for (const change of entry.changes ?? []) events.push({ type: 'change', object: payload.object, entryId: entry.id, time: entry.time, field: change.field, value: change.value });
    for (const item of entry.messaging ?? []) {
      const type = item.message ? 'message' : item.delivery ? 'delivery' : item.read ? 'read' : item.postback ? 'postback' : undefined;
      if (type) events.push({ type, object: 'page', entryId: entry.id, time: entry.time, ...item });
    }
  }
  return events;
}

/** What createWebhookListener needs. */
export interface WebhookListenerOptions {
  /** The app secret, or several during a rotation overlap. */
  appSecret: string | readonly string[];
  /** The verify token given when subscribing. */
  verifyToken: string | readonly string[];
  /** Called once per event, after the delivery has been acknowledged. */
  onEvent(event: WebhookEvent, delivery: { id: string | undefined; payload: WebhookPayload }): void | Promise<void>;
  onError?(error: unknown): void;
  /** Delivery ids remembered to drop duplicates (retries after a lost answer); default 10 000, 0 turns it off. */
  dedupe?: number;
  /** Largest body accepted (default 1 MiB). */
  maxBodyBytes?: number;
}

/** The parts of node:http's request and response the listener uses. */
interface ListenerRequest extends AsyncIterable<Uint8Array | string> {
  method?: string;
  url?: string;
  headers: { readonly [name: string]: string | readonly string[] | undefined };
}
interface ListenerResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/**
 * A request listener for node:http (or anything with the same shape) that answers the
 * verification handshake, checks both signatures over the raw body, acknowledges at once with
 * 200, drops duplicate deliveries by X-Commonplace-Delivery, then hands each event to `onEvent`.
 */
export function createWebhookListener(options: WebhookListenerOptions): (req: ListenerRequest, res: ListenerResponse) => void {
  const max = options.maxBodyBytes ?? 1024 * 1024;
  const remember = options.dedupe ?? 10_000;
  const seen = new Set<string>();
  const fail = (res: ListenerResponse, status: number, text: string) => {
    res.statusCode = status;
    res.setHeader('content-type', 'text/plain');
    res.end(text);
  };
  return (req, res) => {
    void (async () => {
      if (req.method === 'GET') {
        const challenge = verificationChallenge(req.url ?? '', options.verifyToken);
        if (challenge === null) return fail(res, 403, 'verify token mismatch');
        res.statusCode = 200;
        res.setHeader('content-type', 'text/plain');
        return res.end(challenge);
      }
      if (req.method !== 'POST') return fail(res, 405, 'method not allowed');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
        size += buffer.length;
        if (size > max) return fail(res, 413, 'body too large');
        chunks.push(buffer);
      }
      const rawBody = Buffer.concat(chunks);
      if (!verifySignature({ appSecret: options.appSecret, rawBody, headers: req.headers })) return fail(res, 401, 'bad signature');
      let payload: WebhookPayload;
      try {
        payload = JSON.parse(rawBody.toString('utf8')) as WebhookPayload;
      } catch {
        return fail(res, 400, 'body is not JSON');
      }
      res.statusCode = 200;
      res.end('ok');
      const header = req.headers['x-commonplace-delivery'];
      const id = typeof header === 'string' ? header : undefined;
      if (id && remember > 0) {
        if (seen.has(id)) return;
        seen.add(id);
        if (seen.size > remember) seen.delete(seen.values().next().value as string);
      }
      for (const event of webhookEvents(payload)) {
        try {
          await options.onEvent(event, { id, payload });
        } catch (error) {
          options.onError?.(error);
        }
      }
    })().catch((error) => {
      options.onError?.(error);
      try {
        fail(res, 500, 'listener failed');
      } catch {
        // the answer was already sent
      }
    });
  };
}
