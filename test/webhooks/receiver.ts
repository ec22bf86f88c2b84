import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a test receiver got. */
export interface Received {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  json: any;
  time: number;
}

export interface ReceiverOptions {
  /** Verify token the handshake expects; a wrong one answers 403. */
  verifyToken?: string;
  /** Status for a POST (default 200); may look at the request. */
  status?: (r: Received) => number | { status: number; body?: string; headers?: Record<string, string> } | Promise<number | { status: number; body?: string; headers?: Record<string, string> }>;
}

/** A real HTTP receiver on 127.0.0.1 that records every request (node:http, no framework). */
export class Receiver {
  readonly got: Received[] = [];
  private server!: http.Server;
  url = '';
  constructor(private options: ReceiverOptions = {}) {}

  static async start(options: ReceiverOptions = {}): Promise<Receiver> {
    const r = new Receiver(options);
    await r.listen();
    return r;
  }

  set(options: ReceiverOptions): void {
    this.options = { ...this.options, ...options };
  }

  private async listen(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const raw = Buffer.concat(chunks);
        let json: unknown;
        try {
          json = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
        } catch {
          json = undefined;
        }
        const received: Received = { method: req.method ?? '', url, headers: req.headers, raw, json, time: Date.now() };
        this.got.push(received);
        if (req.method === 'GET') {
          const expected = this.options.verifyToken ?? 'verify-me';
          if (url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === expected) {
            res.end(url.searchParams.get('hub.challenge') ?? '');
          } else {
            res.writeHead(403, { 'content-type': 'text/plain' });
            res.end('verify token mismatch');
          }
          return;
        }
        const answer = this.options.status ? await this.options.status(received) : 200;
        const a = typeof answer === 'number' ? { status: answer } : answer;
        res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers });
        res.end(a.body ?? (a.status < 300 ? 'ok' : 'failed'));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** POSTs received (deliveries), optionally filtered. */
  posts(filter?: (r: Received) => boolean): Received[] {
    return this.got.filter((r) => r.method === 'POST' && (!filter || filter(r)));
  }

  /** Waits until `pred` holds for some POST (real time, for tests with a running worker). */
  async waitFor(pred: (r: Received) => boolean, ms = 10_000): Promise<Received> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.posts().find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching delivery within ${ms} ms; got ${this.posts().length}: ${this.posts().map((p) => p.raw.toString().slice(0, 120)).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The first change of a delivery body (entry[0].changes[0]). */
export function change(r: Received): { field: string; value: any } | undefined {
  return r.json?.entry?.[0]?.changes?.[0];
}

/** The first messaging item of a delivery body (entry[0].messaging[0]). */
export function messaging(r: Received): any {
  return r.json?.entry?.[0]?.messaging?.[0];
}
