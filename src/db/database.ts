import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresAdapter, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { CommonplacePostgresDialect } from './introspector.js';
import type { Database } from './schema.js';

// The one module that knows which dialect is in use. Everything else talks Kysely.
pg.types.setTypeParser(20, Number);

export type DialectName = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  dialect: DialectName;
  /** The PostgreSQL schema in use, when not the default. */
  schema?: string;
  /** The SQLite file, on SQLite. */
  sqliteFile?: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… selects PostgreSQL; otherwise SQLite in dataDir. */
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL schema to use (created if missing); tests use one per file. */
  pgSchema?: string;
  /** SQLite file name inside dataDir. */
  sqliteFile?: string;
  /** PostgreSQL connections per process (default: from the core count). */
  poolSize?: number;
  /** Send repeated queries as named (server-side prepared) statements on PostgreSQL. */
  preparedStatements?: boolean;
}

/** Connections per process when not configured: enough to overlap commits, few enough for several processes. */
export function defaultPoolSize(): number {
  return Math.min(32, Math.max(4, 4 * os.availableParallelism()));
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl && /^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    const schema = options.pgSchema;
    if (schema) {
      if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name ${schema}`);
      const admin = new pg.Client({ connectionString: options.databaseUrl });
      await admin.connect();
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await admin.end();
    }
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize || defaultPoolSize(),
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    const db = new Kysely<Database>({ dialect: new CommonplacePostgresDialect({ pool: options.preparedStatements === false ? pool : withNamedStatements(pool) }) });
    return { db, dialect: 'postgres', schema, close: () => db.destroy() };
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, options.sqliteFile ?? 'commonplace.sqlite');
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('cache_size = -64000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return { db, dialect: 'sqlite', sqliteFile: file, close: () => db.destroy() };
}

const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
const MAX_NAMED = 1000;

/**
 * Sends a query text that was seen before as a named statement: PostgreSQL parses and plans it
 * once per connection instead of on every call (Kysely sends unnamed statements). Texts are
 * named by their hash, so every connection and process agrees; one-off texts (IN lists of
 * varying length) stay unnamed once MAX_NAMED texts have names.
 */
function withNamedStatements(pool: pg.Pool) {
  const seen = new Map<string, string | null>();
  let named = 0;
  const nameOf = (text: string): string | undefined => {
    const known = seen.get(text);
    if (known) return known;
    if (known === undefined) {
      if (seen.size < MAX_NAMED * 4 && PREPARABLE.test(text)) seen.set(text, null);
      return undefined;
    }
    if (named >= MAX_NAMED) return undefined;
    const name = `cp_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    seen.set(text, name);
    named++;
    return name;
  };
  return {
    async connect() {
      const client = await pool.connect();
      return {
        query(text: unknown, values?: unknown[]) {
          if (typeof text !== 'string') return client.query(text as never);
          const name = nameOf(text);
          return name ? client.query({ name, text, values }) : client.query(text, values);
        },
        release: () => client.release(),
      };
    },
    end: () => pool.end(),
  } as unknown as pg.Pool;
}

/**
 * Kysely's SQLite driver prepares every query anew, which costs more than running it. The same
 * SQL text (parameters are bound separately) reuses one prepared statement. Safe because Kysely
 * runs one query at a time on the connection and `all()`/`run()` finish synchronously.
 */
function withStatementCache(database: SQLite.Database, max = 2000) {
  const statements = new Map<string, SQLite.Statement>();
  return {
    prepare(sqlText: string) {
      let statement = statements.get(sqlText);
      if (!statement) {
        statement = database.prepare(sqlText);
        if (statements.size >= max) statements.delete(statements.keys().next().value!);
        statements.set(sqlText, statement);
      }
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}

/** True when the database answers a trivial query (readiness). */
export async function databaseReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

/** True when an error is a unique-constraint violation on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Serializes transactions that touch the same key (check-then-write sequences such as "is
 * this member already in the group?"). On PostgreSQL a transaction-scoped advisory lock; on
 * SQLite writes are already serialized, so nothing to do.
 */
export async function lockKey(db: Db, key: string): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(db);
}
