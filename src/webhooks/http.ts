import net from 'node:net';
import { Agent, request } from 'undici';
import { AllowList, EgressRefused, addressRefusal, checkUrlForm, guardedLookup } from './egress.js';

/** How much of a response body the delivery log keeps. */
export const RESPONSE_EXCERPT_BYTES = 1024;
/** Bodies beyond this are not read to the end (the connection is dropped instead). */
export const MAX_READ_BYTES = 64 * 1024;

/** What one outbound request gave: a status and the first bytes of the body, or an error. */
export interface HttpOutcome {
  status: number | null;
  body: string | null;
  error: string | null;
  latencyMs: number;
  /** The Location header of a redirect (never followed). */
  location?: string;
}

function describe(error: unknown, timeoutMs: number): string {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e; depth++) {
    if (e instanceof EgressRefused) return e.reason;
    const err = e as { code?: string; name?: string; message?: string; cause?: unknown };
    if (err.code === 'EGRESS_REFUSED' && err.message) return err.message;
    if (err.name === 'TimeoutError' || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT' || err.code === 'UND_ERR_CONNECT_TIMEOUT') {
      return `timeout: no complete answer within ${timeoutMs} ms`;
    }
    if (err.code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
    if (err.code === 'ECONNRESET' || err.code === 'UND_ERR_SOCKET') return 'connection reset by the receiver';
    if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `cannot resolve the host (${err.code})`;
    if (err.cause) {
      e = err.cause;
      continue;
    }
    return err.code ? `${err.code}: ${err.message ?? ''}`.trim() : err.message ?? String(e);
  }
  return String(error);
}

/**
 * Outbound HTTP for webhooks: undici with a per-attempt timeout, no redirects followed, and the
 * egress check applied to the URL's IP literal and, through the connection's DNS lookup, to every
 * address a host name resolves to.
 */
export class WebhookHttp {
  private readonly agents = new Map<string, Agent>();
  constructor(
    private readonly timeoutMs: number,
    private readonly globalAllow: AllowList,
  ) {}

  /** The allow-list in force for an integration: the server's entries plus its own. */
  allowFor(extra: readonly string[]): AllowList {
    return this.globalAllow.merge(extra);
  }

  private agentFor(allow: AllowList): Agent {
    const key = allow.entries.join(',');
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({
        connect: { timeout: this.timeoutMs, lookup: guardedLookup(allow) as never },
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        keepAliveTimeout: 4_000,
        keepAliveMaxTimeout: 10_000,
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** `keepBytes`: how much of the response body the outcome carries (at most 64 KiB are read). */
  async send(method: 'GET' | 'POST', rawUrl: string, allow: AllowList, headers: Record<string, string>, body?: Buffer, keepBytes = RESPONSE_EXCERPT_BYTES): Promise<HttpOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = checkUrlForm(rawUrl);
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (net.isIP(host)) {
        const refusal = addressRefusal(host, host, allow);
        if (refusal) throw new EgressRefused(refusal);
      }
    } catch (error) {
      return { status: null, body: null, error: describe(error, this.timeoutMs), latencyMs: elapsed() };
    }
    try {
      const response = await request(url, {
        method,
        headers,
        body,
        dispatcher: this.agentFor(allow),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const chunks: Buffer[] = [];
      let read = 0;
      for await (const chunk of response.body) {
        const buffer = chunk as Buffer;
        if (read < keepBytes) chunks.push(buffer);
        read += buffer.length;
        if (read > MAX_READ_BYTES) {
          response.body.destroy();
          break;
        }
      }
      const text = Buffer.concat(chunks).subarray(0, keepBytes).toString('utf8');
      const location = response.headers.location;
      return {
        status: response.statusCode,
        body: text,
        error: null,
        latencyMs: elapsed(),
        ...(typeof location === 'string' ? { location } : {}),
      };
    } catch (error) {
      return { status: null, body: null, error: describe(error, this.timeoutMs), latencyMs: elapsed() };
    }
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => a.close().catch(() => undefined)));
  }
}
