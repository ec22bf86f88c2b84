import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { GraphClient } from '@commonplace/sdk';
import { ensureCommunity, openContext } from '../../src/bootstrap.js';
import { ManualClock, systemClock, type Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { Context } from '../../src/context.js';
import type { Actor } from '../../src/domain/actor.js';
import { integrationCreator, type IssuedCredentials } from '../../src/domain/commands/integration.js';
import { memberCreator, type MemberInput } from '../../src/domain/commands/member.js';
import type { Write } from '../../src/domain/commands/shared.js';
import { buildServer, type Server } from '../../src/server.js';
import { type Dialect, PG_URL } from './dialects.js';

export interface TestServer {
  dialect: Dialect;
  base: string;
  graph: string;
  ctx: Context;
  server: Server;
  dataDir: string;
  clock: Clock;
  /** Creates an integration directly (as the CLI would) and returns its credentials. */
  integration(permissions: string[], options?: { name?: string; groups?: string[]; requireProof?: boolean }): Promise<IssuedCredentials>;
  /** An SDK client for a token, with retries off so errors surface at once. */
  client(token: string, options?: ConstructorParameters<typeof GraphClient>[0] extends infer O ? Partial<O> : never): GraphClient;
  member(input: MemberInput): Promise<{ id: string; email: string | null; name: string }>;
  write<T>(fn: (w: Write) => Promise<T>, actor?: Actor): Promise<T>;
  close(): Promise<void>;
}

const quiet = pino({ level: process.env.TEST_LOG_LEVEL || 'silent' });

/** Starts a real server on 127.0.0.1 with a fresh SQLite file or a fresh PostgreSQL schema. */
export async function startServer(dialect: Dialect, options: { clock?: Clock; env?: Record<string, string> } = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-test-'));
  const schema = dialect === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const config = {
    ...loadConfig({ ...options.env, COMMONPLACE_DATA_DIR: dataDir, PORT: '0', COMMONPLACE_ADMIN_EMAIL: 'admin@example.com', COMMONPLACE_ADMIN_PASSWORD: 'test-Admin-pass-1234' }),
    databaseUrl: dialect === 'postgres' ? PG_URL : undefined,
  };
  const clock = options.clock ?? systemClock;
  const opened = await openContext({ config, log: quiet, clock, pgSchema: schema });
  await ensureCommunity(opened.ctx);
  const server = await buildServer(opened.ctx);
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const base = `http://127.0.0.1:${port}`;
  const ctx = opened.ctx;
  const write = <T>(fn: (w: Write) => Promise<T>, actor: Actor = { kind: 'system' }) => ctx.db.transaction().execute((trx) => fn({ ctx, actor, trx }));
  return {
    dialect,
    base,
    graph: `${base}/graph`,
    ctx,
    server,
    dataDir,
    clock,
    integration: (permissions, o = {}) =>
      write((w) => integrationCreator(w, { name: o.name ?? 'Test Bot', permissions, groupIds: o.groups ?? null, requireProof: o.requireProof })),
    client: (token, o = {}) => new GraphClient({ baseUrl: `${base}/graph`, accessToken: token, retry: { retries: 0 }, ...o }),
    member: (input) => write((w) => memberCreator(w, { state: 'claimed', ...input })),
    write,
    async close() {
      await server.close();
      await opened.close();
      if (schema) {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { ManualClock };

/** Headers a sign-in from outside a browser sends: the CSRF header (any value) instead of a same-origin Origin. */
export const SIGN_IN = { 'x-csrf-token': 'sign-in' };

/** Raw HTTP call that keeps status, headers and body (for wire-level checks). */
export async function http(
  method: string,
  url: string,
  options: { token?: string; json?: unknown; form?: Record<string, string>; body?: string | FormData; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | FormData | undefined = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const response = await fetch(url, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
