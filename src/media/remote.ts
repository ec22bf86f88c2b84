import net from 'node:net';
import path from 'node:path';
import { Agent, request } from 'undici';
import { MAX_UPLOAD_BYTES, sniffImage } from '../domain/media.js';
import { AppError } from '../errors.js';
import { AllowList, EgressRefused, addressRefusal, checkUrlForm, guardedLookup } from '../webhooks/egress.js';

const MAX_REDIRECTS = 3;

/** A file fetched from a URL someone gave: its bytes, the type its first bytes show, and a name. */
export interface FetchedFile {
  sourceUrl: string;
  data: Buffer;
  /** The sniffed image type, or undefined when the bytes are not a JPEG, PNG, GIF or WebP image. */
  image: { mime: string; ext: string } | undefined;
  /** The last path segment of the URL, for downloads. */
  name: string;
}

/** What a refused or failed fetch says to the caller (Messenger's "Failed to fetch the file from the url"). */
const fetchFailed = (url: string, reason: string) => new AppError('media_fetch_failed', `(#100) Failed to fetch the file from the url ${url}: ${reason}`);

function reasonOf(error: unknown, timeoutMs: number): string {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e; depth++) {
    if (e instanceof EgressRefused) return e.reason;
    const err = e as { code?: string; name?: string; message?: string; cause?: unknown };
    if (err.code === 'EGRESS_REFUSED' && err.message) return err.message;
    if (err.name === 'TimeoutError' || (err.code?.startsWith('UND_ERR_') && err.code.includes('TIMEOUT'))) return `no complete answer within ${timeoutMs} ms`;
    if (err.code === 'ECONNREFUSED') return 'connection refused';
    if (err.code === 'ECONNRESET' || err.code === 'UND_ERR_SOCKET') return 'connection reset';
    if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `cannot resolve the host (${err.code})`;
    if (err.cause) {
      e = err.cause;
      continue;
    }
    return err.code ?? 'the request failed';
  }
  return 'the request failed';
}

/**
 * Fetches photos and files given by URL, once, on the server: through the egress policy (special
 * addresses refused unless allow-listed, checked on the connected address and on every redirect),
 * time- and size-bounded. The bytes are then stored in the media store and served from there, so
 * no viewer's browser ever fetches the remote URL.
 */
export class RemoteMediaFetcher {
  private readonly agent: Agent;
  constructor(
    private readonly allow: AllowList,
    private readonly timeoutMs: number,
    private readonly maxBytes = MAX_UPLOAD_BYTES,
  ) {
    this.agent = new Agent({ connect: { timeout: timeoutMs, lookup: guardedLookup(allow) as never }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  /** The file at `rawUrl`; an image must sniff as one. Throws a Graph error (never anything else). */
  async fetch(rawUrl: string, kind: 'image' | 'file'): Promise<FetchedFile> {
    let url: URL;
    try {
      url = checkUrlForm(rawUrl);
    } catch (error) {
      throw new AppError('invalid_parameter', `(#100) ${(error as EgressRefused).reason.replace(/^callback URLs/, 'URLs').replace(/^callback URL/, 'The URL')}`);
    }
    const deadline = AbortSignal.timeout(this.timeoutMs);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      let response: Awaited<ReturnType<typeof request>>;
      try {
        const host = url.hostname.replace(/^\[|\]$/g, '');
        if (net.isIP(host)) {
          const refusal = addressRefusal(host, host, this.allow);
          if (refusal) throw new EgressRefused(refusal);
        }
        response = await request(url, { method: 'GET', headers: { accept: kind === 'image' ? 'image/*' : '*/*', 'user-agent': 'Commonplace media fetcher' }, dispatcher: this.agent, signal: deadline });
      } catch (error) {
        throw fetchFailed(rawUrl, reasonOf(error, this.timeoutMs));
      }
      const location = response.headers.location;
      if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string') {
        await response.body.dump().catch(() => undefined);
        try {
          url = checkUrlForm(new URL(location, url).toString());
        } catch (error) {
          throw fetchFailed(rawUrl, `a redirect to a URL that is not allowed (${(error as Error).message})`);
        }
        continue;
      }
      if (response.statusCode !== 200) {
        await response.body.dump().catch(() => undefined);
        throw fetchFailed(rawUrl, `the server answered ${response.statusCode}`);
      }
      const declared = Number(response.headers['content-length']);
      if (declared > this.maxBytes) {
        response.body.destroy();
        throw fetchFailed(rawUrl, `the file is larger than ${this.maxBytes} bytes`);
      }
      const data = await this.read(response.body, rawUrl);
      const image = sniffImage(data);
      if (kind === 'image' && !image) throw new AppError('invalid_image', '(#324) Missing or invalid image file: the url does not give a JPEG, PNG, GIF or WebP image');
      const name = decodeURIComponent(path.posix.basename(url.pathname).replace(/%(?![0-9a-f]{2})/gi, '%25')).slice(0, 200) || url.hostname;
      return { sourceUrl: rawUrl, data, image, name };
    }
    throw fetchFailed(rawUrl, `more than ${MAX_REDIRECTS} redirects`);
  }

  private async read(body: AsyncIterable<unknown> & { destroy(): unknown }, rawUrl: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        size += (chunk as Buffer).length;
        if (size > this.maxBytes) {
          body.destroy();
          throw fetchFailed(rawUrl, `the file is larger than ${this.maxBytes} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw fetchFailed(rawUrl, reasonOf(error, this.timeoutMs));
    }
    return Buffer.concat(chunks);
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
