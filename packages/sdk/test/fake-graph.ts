import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  /** The raw request target, exactly as sent (path + query). */
  rawUrl: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings are sent verbatim. */
  body?: unknown;
}

export interface FakeGraph {
  origin: string;
  baseUrl: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/** Starts a node:http server on 127.0.0.1:0 that answers every request through `handler`. */
export async function fakeGraph(handler: (req: Recorded, index: number) => Reply | Promise<Reply>): Promise<FakeGraph> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: Recorded = {
        method: req.method ?? 'GET',
        rawUrl: req.url ?? '/',
        url: new URL(req.url ?? '/', `http://${req.headers.host}`),
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      const index = requests.push(recorded) - 1;
      Promise.resolve(handler(recorded, index)).then(
        (reply) => {
          const status = reply.status ?? 200;
          const isText = typeof reply.body === 'string';
          const payload = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
          res.writeHead(status, { 'content-type': isText ? 'text/plain' : 'application/json', ...reply.headers });
          res.end(payload);
        },
        (error: unknown) => {
          res.writeHead(599, { 'content-type': 'text/plain' });
          res.end(String(error));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    baseUrl: `${origin}/graph`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Parses a recorded request body according to its content type. */
export async function parseBody(req: Recorded): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (type.startsWith('application/json')) return JSON.parse(req.body.toString('utf8'));
  if (type.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(req.body.toString('utf8')));
  if (type.startsWith('multipart/form-data')) return new Response(new Uint8Array(req.body), { headers: { 'content-type': type } }).formData();
  return req.body.toString('utf8');
}

/** A sleep that records the requested delays and resolves at once. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}
