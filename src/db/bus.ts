import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Db, DialectName } from './database.js';

/** What processes tell each other. Payloads stay small: PostgreSQL limits a notification to 8,000 bytes. */
export type BusMessage =
  /** An integration's token, state, permissions or group scope changed (drop cached credentials). */
  | { t: 'app'; id: string }
  /** Webhook events were committed (wake the delivery worker). */
  | { t: 'outbox' }
  /** An export job was scheduled (wake the export runners). */
  | { t: 'export' }
  /** A conversation got a message or changed, for the members' live event streams. */
  | { t: 'thread'; thread: string; updated: number; last: string | null; members: string[] }
  /** A media signing key was added or retired (reload the keys). */
  | { t: 'media_keys' }
  /** Notifications may have been missed (the listening connection dropped): drop caches and look again. */
  | { t: 'resync' };

/**
 * The notification bus between server processes. On PostgreSQL it is `LISTEN/NOTIFY` on one
 * direct connection (never through PgBouncer's transaction pooling, which cannot hold a LISTEN);
 * a message published in a transaction reaches every process, this one included, when it
 * commits, and not at all when it rolls back (`app` messages also reach this process at once). On SQLite it is in-process, and commits by other
 * processes (the CLI) are noticed through the database file and announced as `resync`.
 */
export interface Bus {
  /** Sends a message to every process once `trx` commits. */
  publish(trx: Db, message: BusMessage): Promise<void>;
  /** Called after outbox rows were written in a transaction (PostgreSQL announces them by trigger). */
  outboxWritten(): void;
  /**
   * Announces, before it resolves, what other processes committed up to now — for a cache that
   * must never serve a revoked credential. PostgreSQL's notifications arrive by themselves; on
   * SQLite the database file's version is compared now rather than on the next file event.
   */
  catchUp(): Promise<void>;
  /** Calls `handler` for every message from now on; returns the unsubscribe function. */
  subscribe(handler: (message: BusMessage) => void): () => void;
  /** Starts listening (idempotent); resolves once notifications are received. */
  listen(): Promise<void>;
  close(): Promise<void>;
}

const MEMBERS_PER_MESSAGE = 300;

/** The channel of one database schema (tests run one schema per file on one server). */
export function busChannel(schema: string | undefined): string {
  return `cp_${schema ?? 'public'}`;
}

/** Splits a thread message so each notification stays under PostgreSQL's payload limit. */
function chunks(message: BusMessage): BusMessage[] {
  if (message.t !== 'thread' || message.members.length <= MEMBERS_PER_MESSAGE) return [message];
  const out: BusMessage[] = [];
  for (let i = 0; i < message.members.length; i += MEMBERS_PER_MESSAGE) out.push({ ...message, members: message.members.slice(i, i + MEMBERS_PER_MESSAGE) });
  return out;
}

class LocalEmitter {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  emit(message: BusMessage): void {
    this.emitter.emit('m', message);
  }
  subscribe(handler: (message: BusMessage) => void): () => void {
    this.emitter.on('m', handler);
    return () => this.emitter.off('m', handler);
  }
}

class PostgresBus implements Bus {
  private readonly local = new LocalEmitter();
  private client: pg.Client | undefined;
  private listening: Promise<void> | undefined;
  private closed = false;
  private retryMs = 500;

  constructor(
    private readonly url: string,
    private readonly schema: string | undefined,
    private readonly log: Logger,
  ) {}

  async publish(trx: Db, message: BusMessage): Promise<void> {
    for (const part of chunks(message)) await sql`select pg_notify(${busChannel(this.schema)}, ${JSON.stringify(part)})`.execute(trx);
    // This process drops its cache now too, so its next request cannot beat the notification.
    if (message.t === 'app') this.local.emit(message);
  }

  outboxWritten(): void {}

  async catchUp(): Promise<void> {}

  subscribe(handler: (message: BusMessage) => void): () => void {
    return this.local.subscribe(handler);
  }

  listen(): Promise<void> {
    this.listening ??= this.connect();
    return this.listening;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, application_name: 'commonplace-listen' });
    client.on('notification', (n) => {
      if (n.channel !== busChannel(this.schema) || !n.payload) return;
      try {
        this.local.emit(JSON.parse(n.payload) as BusMessage);
      } catch (error) {
        this.log.warn({ err: error }, 'unreadable bus notification');
      }
    });
    client.on('error', (error) => {
      this.log.warn({ err: error }, 'bus connection lost; reconnecting');
      void client.end().catch(() => undefined);
      this.reconnect();
    });
    await client.connect();
    await client.query(`LISTEN "${busChannel(this.schema)}"`);
    this.client = client;
    this.retryMs = 500;
  }

  private reconnect(): void {
    this.client = undefined;
    if (this.closed) return;
    setTimeout(() => {
      if (this.closed) return;
      this.listening = this.connect().then(
        // What was published while nobody listened is lost: every cache starts over.
        () => this.local.emit({ t: 'resync' }),
        (error) => {
          this.log.warn({ err: error }, 'bus reconnect failed');
          this.retryMs = Math.min(this.retryMs * 2, 10_000);
          this.reconnect();
        },
      );
    }, this.retryMs).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }
}

class SqliteBus implements Bus {
  private readonly local = new LocalEmitter();
  private watcher: fs.FSWatcher | undefined;
  private version: number | undefined;
  private checking: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly file: string,
    private readonly log: Logger,
  ) {}

  async publish(_trx: Db, message: BusMessage): Promise<void> {
    // One connection serializes everything, so a reader woken now runs after this transaction.
    this.local.emit(message);
  }

  outboxWritten(): void {
    this.local.emit({ t: 'outbox' });
  }

  subscribe(handler: (message: BusMessage) => void): () => void {
    return this.local.subscribe(handler);
  }

  /** Watches the write-ahead log: `data_version` moves only when another connection committed. */
  async listen(): Promise<void> {
    if (this.watcher) return;
    this.version = await this.dataVersion();
    const wal = `${path.basename(this.file)}-wal`;
    this.watcher = fs.watch(path.dirname(this.file), (_event, name) => {
      if (name !== wal || this.checking) return;
      // Every commit touches the log, this process's own too: look at most ten times a second.
      this.checking = setTimeout(() => {
        this.checking = undefined;
        void this.check();
      }, 100);
    });
    this.watcher.unref();
  }

  async catchUp(): Promise<void> {
    if (this.version !== undefined) await this.check();
  }

  private async check(): Promise<void> {
    try {
      const version = await this.dataVersion();
      if (version !== this.version) {
        this.version = version;
        this.local.emit({ t: 'resync' });
      }
    } catch (error) {
      this.log.warn({ err: error }, 'could not read the database version');
    }
  }

  private async dataVersion(): Promise<number> {
    const { rows } = await sql<{ data_version: number }>`pragma data_version`.execute(this.db);
    return Number(rows[0]?.data_version ?? 0);
  }

  async close(): Promise<void> {
    this.watcher?.close();
    if (this.checking) clearTimeout(this.checking);
  }
}

export interface BusOptions {
  dialect: DialectName;
  db: Db;
  log: Logger;
  /** PostgreSQL: the direct URL to LISTEN on. */
  listenUrl?: string;
  schema?: string;
  /** SQLite: the database file. */
  sqliteFile?: string;
}

export function openBus(options: BusOptions): Bus {
  if (options.dialect === 'postgres') return new PostgresBus(options.listenUrl!, options.schema, options.log);
  return new SqliteBus(options.db, options.sqliteFile!, options.log);
}
