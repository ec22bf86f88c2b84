// The raw floor (DESIGN.md §5): a bare node:http server doing the same SQL as Commonplace's
// feed read and feed write, with better-sqlite3 (FLOOR_SQLITE_FILE) or pg (FLOOR_DATABASE_URL)
// and JSON.stringify. No framework, no query builder, no field selection, no policies: it is
// what the two calls cost at the very least. Run as its own process:
//   PORT=… PUBLIC_URL=… FLOOR_SQLITE_FILE=… node --import tsx bench/floor.ts
// It only serves what the benchmark sends: GET /graph/{gid}/feed?fields=…&limit=N (first page)
// and POST /graph/{gid}/feed with a form body message=…; plus GET /healthz.
import { createHash, randomInt } from 'node:crypto';
import http from 'node:http';
import SQLite from 'better-sqlite3';
import pg from 'pg';

const port = Number(process.env.PORT);
const publicUrl = process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`;
const sqliteFile = process.env.FLOOR_SQLITE_FILE || undefined;
const databaseUrl = process.env.FLOOR_DATABASE_URL || undefined;

interface AppRow {
  id: string;
  page_id: string;
  name: string;
  permissions: string;
  enabled: number;
}
interface PostRow {
  id: string;
  feed_id: string;
  author_id: string;
  author_type: string;
  message: string | null;
  created_time: number;
}
interface NameRow {
  id: string;
  name: string;
}
interface NewPost {
  id: string;
  feedId: string;
  authorId: string;
  message: string;
  contentHash: string;
  now: number;
  auditId: string;
  actorId: string;
  newValue: string;
  outboxId: string;
  payload: string;
}

/** The four reads and one write transaction, on either database. */
interface Store {
  appByTokenHash(hash: string): Promise<AppRow | undefined>;
  feed(feedId: string, limit: number): Promise<PostRow[]>;
  names(table: 'member' | 'page', ids: string[]): Promise<NameRow[]>;
  insertPost(p: NewPost): Promise<void>;
}

const POST_SQL = `insert into post (id, feed_id, feed_type, author_id, author_type, message, formatting, link, message_tags, type, status_type, content_hash, created_time, updated_time)
  values ($1, $2, 'group', $3, 'page', $4, 'PLAINTEXT', null, '[]', 'status', 'app_created_story', $5, $6, $7)`;
const AUDIT_SQL = `insert into audit_event (id, time, actor_type, actor_id, action, target_type, target_id, old_value, new_value)
  values ($1, $2, 'integration', $3, 'post.created', 'post', $4, null, $5)`;
const OUTBOX_SQL = `insert into outbox (id, topic, field, entry_id, ordering_key, payload, created_time) values ($1, 'group', 'posts', $2, $3, $4, $5)`;
const FEED_SQL = 'select * from post where feed_id = $1 order by created_time desc, id desc limit $2';
const APP_SQL = 'select * from app where token_hash = $1';

function sqliteStore(file: string): Store {
  const db = new SQLite(file);
  // The same pragmas as Commonplace (src/db/database.ts).
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -64000');
  // Every $n appears once and in order, so positional ? placeholders bind the same values.
  const sqlite = (text: string) => text.replace(/\$\d+/g, '?');
  const app = db.prepare<[string], AppRow>(sqlite(APP_SQL));
  const feed = db.prepare<[string, number], PostRow>(sqlite(FEED_SQL));
  const namesBy = new Map<string, SQLite.Statement<string[], NameRow>>();
  const post = db.prepare(sqlite(POST_SQL));
  const audit = db.prepare(sqlite(AUDIT_SQL));
  const outbox = db.prepare(sqlite(OUTBOX_SQL));
  const write = db.transaction((p: NewPost) => {
    post.run(p.id, p.feedId, p.authorId, p.message, p.contentHash, p.now, p.now);
    audit.run(p.auditId, p.now, p.actorId, `${p.feedId}_${p.id}`, p.newValue);
    outbox.run(p.outboxId, p.feedId, p.feedId, p.payload, p.now);
  });
  return {
    appByTokenHash: async (hash) => app.get(hash),
    feed: async (feedId, limit) => feed.all(feedId, limit),
    names: async (table, ids) => {
      const key = `${table}:${ids.length}`;
      let stmt = namesBy.get(key);
      if (!stmt) {
        stmt = db.prepare<string[], NameRow>(`select id, name from ${table} where id in (${ids.map(() => '?').join(',')})`);
        namesBy.set(key, stmt);
      }
      return stmt.all(...ids);
    },
    insertPost: async (p) => write(p),
  };
}

function pgStore(url: string): Store {
  pg.types.setTypeParser(20, Number);
  // Named (server-side prepared) statements by default; FLOOR_PG_PREPARED=0 sends every query
  // unnamed, as Kysely does, to see how much of the floor's lead that is.
  const prepared = process.env.FLOOR_PG_PREPARED !== '0';
  const q = (name: string, text: string, values: unknown[]) => (prepared ? { name, text, values } : { text, values });
  // FLOOR_PG_LOCK=1 takes Commonplace's per-(feed, author) advisory lock in the write transaction
  // (src/domain/commands/post.ts), to see what serializing one author's posts to one feed costs.
  const lock = process.env.FLOOR_PG_LOCK === '1';
  // Commonplace's pool size (src/db/database.ts).
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  return {
    appByTokenHash: async (hash) => (await pool.query<AppRow>(q('app', APP_SQL, [hash]))).rows[0],
    feed: async (feedId, limit) => (await pool.query<PostRow>(q('feed', FEED_SQL, [feedId, limit]))).rows,
    names: async (table, ids) => (await pool.query<NameRow>(`select id, name from ${table} where id = any($1)`, [ids])).rows,
    insertPost: async (p) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        if (lock) await client.query(q('lock', 'select pg_advisory_xact_lock(hashtextextended($1, 0))', [`post:${p.feedId}:${p.authorId}`]));
        await client.query(q('post', POST_SQL, [p.id, p.feedId, p.authorId, p.message, p.contentHash, p.now, p.now]));
        await client.query(q('audit', AUDIT_SQL, [p.auditId, p.now, p.actorId, `${p.feedId}_${p.id}`, p.newValue]));
        await client.query(q('outbox', OUTBOX_SQL, [p.outboxId, p.feedId, p.feedId, p.payload, p.now]));
        await client.query('commit');
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

const store = sqliteFile ? sqliteStore(sqliteFile) : databaseUrl ? pgStore(databaseUrl) : undefined;
if (!store) throw new Error('set FLOOR_SQLITE_FILE or FLOOR_DATABASE_URL');

// Commonplace's id scheme (src/ids.ts): ms since the epoch * 8192 + a sequence.
let sequence = randomInt(8192);
let lastMs = 0;
function newId(): string {
  let ms = Date.now();
  if (ms < lastMs) ms = lastMs;
  sequence = (sequence + 1) % 8192;
  if (ms === lastMs && sequence === 0) ms += 1;
  lastMs = ms;
  return (BigInt(ms) * 8192n + BigInt(sequence)).toString();
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const graphTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}+0000`;
const cursor = (p: PostRow) => Buffer.from(JSON.stringify([p.created_time, p.id])).toString('base64url');

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const fail = (res: http.ServerResponse, status: number, message: string, code: number) =>
  send(res, status, { error: { message, type: 'OAuthException', code } });

async function authenticate(req: http.IncomingMessage): Promise<AppRow | undefined> {
  const token = (req.headers.authorization ?? '').replace(/^bearer\s+/i, '').trim();
  if (!token) return undefined;
  const app = await store!.appByTokenHash(sha256(token));
  if (!app || !app.enabled) return undefined;
  JSON.parse(app.permissions);
  return app;
}

async function readFeed(res: http.ServerResponse, url: URL, feedId: string): Promise<void> {
  const limit = Number(url.searchParams.get('limit') ?? 25);
  const rows = await store!.feed(feedId, limit + 1);
  const more = rows.length > limit;
  if (more) rows.pop();
  const memberIds = [...new Set(rows.filter((r) => r.author_type === 'member').map((r) => r.author_id))];
  const pageIds = [...new Set(rows.filter((r) => r.author_type === 'page').map((r) => r.author_id))];
  const [members, pages] = await Promise.all([
    memberIds.length ? store!.names('member', memberIds) : [],
    pageIds.length ? store!.names('page', pageIds) : [],
  ]);
  const names = new Map<string, string>();
  for (const r of [...members, ...pages]) names.set(r.id, r.name);
  const data = rows.map((p) => ({
    id: `${p.feed_id}_${p.id}`,
    message: p.message ?? undefined,
    created_time: graphTime(p.created_time),
    from: { id: p.author_id, name: names.get(p.author_id) },
  }));
  const out: Record<string, unknown> = { data };
  if (rows.length) {
    const before = cursor(rows[0]);
    const after = cursor(rows[rows.length - 1]);
    const paging: Record<string, unknown> = { cursors: { before, after } };
    if (more) {
      const query = new URLSearchParams(url.searchParams);
      query.delete('after');
      query.delete('before');
      if (!query.has('limit')) query.set('limit', String(limit));
      query.set('after', after);
      paging.next = `${publicUrl}/graph/${feedId}/feed?${query.toString()}`;
    }
    out.paging = paging;
  }
  send(res, 200, out);
}

async function writePost(req: http.IncomingMessage, res: http.ServerResponse, app: AppRow, feedId: string): Promise<void> {
  let body = '';
  req.setEncoding('utf8');
  for await (const chunk of req) body += chunk;
  const message = new URLSearchParams(body).get('message');
  if (!message) return fail(res, 400, '(#100) A post needs a message or a link', 100);
  const now = Date.now();
  const id = newId();
  const wireId = `${feedId}_${id}`;
  await store!.insertPost({
    id,
    feedId,
    authorId: app.page_id,
    message,
    contentHash: sha256(JSON.stringify([message, null, []])),
    now,
    auditId: newId(),
    actorId: app.id,
    newValue: JSON.stringify({ message, link: null, formatting: 'PLAINTEXT', media: [] }),
    outboxId: newId(),
    payload: JSON.stringify({
      verb: 'add',
      post_id: wireId,
      from: { id: app.page_id, name: app.name },
      message,
      message_tags: [],
      type: 'status',
      created_time: Math.floor(now / 1000),
      target_type: 'group',
      target_id: feedId,
    }),
  });
  send(res, 200, { id: wireId });
}

const server = http.createServer((req, res) => {
  void (async () => {
    const url = new URL(req.url ?? '/', publicUrl);
    if (url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
    const m = /^\/graph\/(\d{1,20})\/feed\/?$/.exec(url.pathname);
    if (!m) return fail(res, 404, 'Unknown path', 100);
    const app = await authenticate(req);
    if (!app) return fail(res, 401, 'Invalid OAuth access token.', 190);
    if (req.method === 'GET') return readFeed(res, url, m[1]);
    if (req.method === 'POST') return writePost(req, res, app, m[1]);
    return fail(res, 400, 'Unsupported method', 100);
  })().catch((error) => {
    console.error(error);
    if (!res.headersSent) fail(res, 500, 'internal error', 1);
    else res.destroy();
  });
});
server.keepAliveTimeout = 72_000;
server.listen(port, '127.0.0.1');
const shutdown = () => server.close(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
