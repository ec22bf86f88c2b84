// The raw floor of the webhook benchmark: the least a relay can do — poll the outbox, sign each
// event's JSON (sha1 + sha256), POST it to every callback with undici (keep-alive), mark the
// rows sent. No retries, no ordering, no log, no permission checks. Same SQL access as
// Commonplace (better-sqlite3 on the same file, or pg), in its own process.
// Env: FLOOR_SQLITE_FILE or FLOOR_DATABASE_URL, FLOOR_CALLBACKS (comma-separated), FLOOR_SECRET.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Agent, request } from 'undici';

const callbacks = (process.env.FLOOR_CALLBACKS ?? '').split(',').filter(Boolean);
const secret = process.env.FLOOR_SECRET ?? 'floor';
const agent = new Agent({ connections: 64 });

interface Row {
  id: string;
  topic: string;
  field: string;
  entry_id: string;
  payload: string;
  created_time: number;
}

type Store = { take(): Promise<Row[]>; mark(ids: string[]): Promise<void> };

function sqliteStore(file: string): Store {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  const take = db.prepare('select id, topic, field, entry_id, payload, created_time from outbox where seq is null order by created_time, id limit 500');
  const mark = db.prepare('update outbox set seq = 1 where id = ?');
  const markAll = db.transaction((ids: string[]) => ids.forEach((id) => mark.run(id)));
  return { take: async () => take.all() as Row[], mark: async (ids) => void markAll(ids) };
}

function pgStore(url: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  return {
    take: async () => (await pool.query('select id, topic, field, entry_id, payload, created_time from outbox where seq is null order by created_time, id limit 500')).rows as Row[],
    mark: async (ids) => void (await pool.query('update outbox set seq = 1 where id = any($1)', [ids])),
  };
}

const store = process.env.FLOOR_SQLITE_FILE ? sqliteStore(process.env.FLOOR_SQLITE_FILE) : pgStore(process.env.FLOOR_DATABASE_URL!);

async function post(url: string, row: Row): Promise<void> {
  const body = Buffer.from(JSON.stringify({ object: row.topic, entry: [{ id: row.entry_id, time: Math.floor(Number(row.created_time) / 1000), changes: [{ field: row.field, value: JSON.parse(row.payload) }] }] }));
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    body,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
      'x-commonplace-delivery': `${row.id}-${url}`,
    },
  });
  await res.body.dump();
}

async function loop(): Promise<void> {
  for (;;) {
    const rows = await store.take();
    if (rows.length === 0) {
      await new Promise((r) => setTimeout(r, 10));
      continue;
    }
    await Promise.all(rows.flatMap((row) => callbacks.map((url) => post(url, row).catch(() => undefined))));
    await store.mark(rows.map((r) => r.id));
  }
}

http.createServer((_q, s) => s.end('{"status":"ok"}')).listen(Number(process.env.PORT), '127.0.0.1');
void loop();
