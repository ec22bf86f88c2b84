// Seeding: a template (migrated database, one integration, one group — made through the
// Commonplace CLI and HTTP API), then N posts inserted directly (the benchmarks measure reads
// and writes, not seeding).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { cli, commonplaceEnv, onCleanup, startCommonplace, stop, tempDir } from './server.js';

export interface Fixture {
  token: string;
  appId: string;
  pageId: string;
  groupId: string;
}

export interface Template extends Fixture {
  /** Data dir holding commonplace.sqlite (SQLite) and secret.key. */
  dir: string;
  /** The template database (PostgreSQL). */
  databaseUrl?: string;
}

export const SQLITE_FILE = 'commonplace.sqlite';

/** Migrates, creates the integration with the CLI, then the group through the API, and stops the server. */
export async function makeTemplate(label: string, databaseUrl?: string): Promise<Template> {
  const dir = tempDir(`${label}-template`);
  const env = commonplaceEnv(dir, 0, databaseUrl);
  await cli(['migrate'], env);
  const created = JSON.parse(
    await cli(['integration', 'create', '--name', 'Bench', '--permission', 'read_group', '--permission', 'write_group', '--permission', 'manage_group', '--json'], env),
  ) as { app_id: string; page_id: string; access_token: string };
  const server = await startCommonplace(`${label}-template`, { dataDir: dir, databaseUrl });
  try {
    const res = await fetch(`${server.url}/graph/community/groups`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.access_token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Bench&privacy=CLOSED',
    });
    const body = (await res.json()) as { id?: string };
    if (!res.ok || !body.id) throw new Error(`creating the group failed: ${res.status} ${JSON.stringify(body)}`);
    return { dir, databaseUrl, token: created.access_token, appId: created.app_id, pageId: created.page_id, groupId: body.id };
  } finally {
    await stop(server);
  }
}

const LOREM = 'Quarterly numbers are in; the team shipped the new onboarding flow and fixed the flaky deploy.';

/** Post rows oldest first, one ms apart per 10, ending a minute ago; ids follow src/ids.ts. */
function* postRows(fixture: Fixture, count: number) {
  const start = Date.now() - 60_000 - count * 10;
  for (let i = 0; i < count; i++) {
    const t = start + i * 10;
    const message = `#${i} ${LOREM}`;
    yield {
      id: (BigInt(t) * 8192n + BigInt(i % 8192)).toString(),
      feed_id: fixture.groupId,
      feed_type: 'group',
      author_id: fixture.pageId,
      author_type: 'page',
      message,
      formatting: 'PLAINTEXT',
      link: null,
      message_tags: '[]',
      type: 'status',
      status_type: 'app_created_story',
      content_hash: createHash('sha256').update(JSON.stringify([message, null, []])).digest('hex'),
      created_time: t,
      updated_time: t,
    };
  }
}

const COLUMNS = ['id', 'feed_id', 'feed_type', 'author_id', 'author_type', 'message', 'formatting', 'link', 'message_tags', 'type', 'status_type', 'content_hash', 'created_time', 'updated_time'] as const;

/**
 * Copies the SQLite template into a new data dir and inserts `count` posts in one
 * transaction with one prepared statement; returns the dir. The file is checkpointed and
 * closed, so it can be copied as it is.
 */
export function seedSqlite(template: Template, label: string, count: number): { dir: string; seconds: number } {
  const dir = tempDir(label);
  for (const name of [SQLITE_FILE, 'secret.key']) fs.copyFileSync(path.join(template.dir, name), path.join(dir, name));
  const started = performance.now();
  const db = new SQLite(path.join(dir, SQLITE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const insert = db.prepare(`insert into post (${COLUMNS.join(', ')}) values (${COLUMNS.map((c) => `@${c}`).join(', ')})`);
  db.transaction(() => {
    for (const row of postRows(template, count)) insert.run(row);
  })();
  // No ANALYZE: Commonplace never runs it, so a database grown through the API has no statistics
  // either, and the query planner should choose here what it chooses there.
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { dir, seconds: (performance.now() - started) / 1000 };
}

/** A copy of a seeded SQLite data dir (for the floor). */
export function copySqlite(fromDir: string, label: string): string {
  const dir = tempDir(label);
  fs.copyFileSync(path.join(fromDir, SQLITE_FILE), path.join(dir, SQLITE_FILE));
  return path.join(dir, SQLITE_FILE);
}

export function countRows(file: string): Record<'post' | 'audit_event' | 'outbox', number> {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    // One statement: one snapshot of the three tables.
    return db.prepare('select (select count(*) from post) as post, (select count(*) from audit_event) as audit_event, (select count(*) from outbox) as outbox').get() as Record<
      'post' | 'audit_event' | 'outbox',
      number
    >;
  } finally {
    db.close();
  }
}

// ---- PostgreSQL ----

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database (or a copy of `template`), dropped by cleanup(). */
export async function createDatabase(adminUrl: string, label: string, template?: string): Promise<{ name: string; url: string }> {
  const name = `cpbench_${label}_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(`create database ${name}${template ? ` template ${template}` : ''}`));
  onCleanup(() => dropDatabase(adminUrl, name));
  return { name, url: withDatabase(adminUrl, name) };
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await admin(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
}

/** Inserts `count` posts into a PostgreSQL database, 1,000 rows per statement, in one transaction. */
export async function seedPostgres(url: string, fixture: Fixture, count: number): Promise<{ seconds: number }> {
  const started = performance.now();
  await admin(url, async (c) => {
    await c.query('begin');
    let batch: unknown[][] = [];
    const flush = async () => {
      if (!batch.length) return;
      const values = batch.map((_, r) => `(${COLUMNS.map((__, k) => `$${r * COLUMNS.length + k + 1}`).join(', ')})`).join(', ');
      await c.query(`insert into post (${COLUMNS.join(', ')}) values ${values}`, batch.flat());
      batch = [];
    };
    for (const row of postRows(fixture, count)) {
      batch.push(COLUMNS.map((k) => row[k]));
      if (batch.length === 1000) await flush();
    }
    await flush();
    await c.query('commit');
    // Autovacuum would analyze the table after this many inserts anyway; do it now.
    await c.query('analyze');
  });
  return { seconds: (performance.now() - started) / 1000 };
}

export async function countRowsPg(url: string): Promise<Record<'post' | 'audit_event' | 'outbox', number>> {
  return admin(url, async (c) => {
    // One statement: one snapshot of the three tables.
    const { rows } = await c.query('select (select count(*) from post) as post, (select count(*) from audit_event) as audit_event, (select count(*) from outbox) as outbox');
    return { post: Number(rows[0].post), audit_event: Number(rows[0].audit_event), outbox: Number(rows[0].outbox) };
  });
}
