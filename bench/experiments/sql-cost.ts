// Experiment, not part of the benchmark: what the SQL of one feed read / feed POST costs in
// isolation (no HTTP, no concurrency), on a seeded SQLite database, three ways:
//   - Commonplace's statements, prepared on every call (what Kysely's SqliteDriver does),
//   - the same statements prepared once,
//   - the floor's statements, prepared once;
// plus what building the read's queries with Kysely (compile only) costs.
//   node --import tsx bench/experiments/sql-cost.ts [--posts 100000] [--iterations 20000]
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { makeTemplate, SQLITE_FILE, seedSqlite } from '../seed.js';
import { cleanup } from '../server.js';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const posts = opt('--posts', 100_000);
const iterations = opt('--iterations', 20_000);

type Call = [sql: string, params: unknown[], kind: 'all' | 'get' | 'run'];

function time(label: string, fn: () => void): number {
  for (let i = 0; i < Math.min(2000, iterations); i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const us = Number(process.hrtime.bigint() - start) / 1000 / iterations;
  console.log(`${us.toFixed(1).padStart(8)} µs  ${label}`);
  return us;
}

try {
  const t = await makeTemplate('sqlcost');
  const seeded = seedSqlite(t, 'sqlcost-seeded', posts);
  const db = new SQLite(path.join(seeded.dir, SQLITE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -64000');
  const tokenHash = (db.prepare('select token_hash from app').get() as { token_hash: string }).token_hash;
  const g = t.groupId;
  const objectType = `
    select 'member' as t from member where id = ?
    union all select 'group' from work_group where id = ?
    union all select 'post' from post where id = ?
    union all select 'comment' from comment where id = ?
    union all select 'page' from page where id = ?
    union all select 'app' from app where id = ?
    union all select 'media' from media where id = ?
    union all select 'community' from community where id = ?
    limit 1`;
  const commonplaceRead: Call[] = [
    ['select * from "app" where "token_hash" = ?', [tokenHash], 'get'],
    [objectType, Array(8).fill(g), 'all'],
    ['select * from "work_group" where "id" = ?', [g], 'get'],
    ['select * from "post" where "feed_id" = ? order by "created_time" desc, "id" desc limit ?', [g, 26], 'all'],
    ['select * from "member" where "id" in (?)', [t.pageId], 'all'],
    ['select * from "page" where "id" in (?)', [t.pageId], 'all'],
  ];
  const floorRead: Call[] = [
    ['select * from app where token_hash = ?', [tokenHash], 'get'],
    ['select * from post where feed_id = ? order by created_time desc, id desc limit ?', [g, 26], 'all'],
    ['select id, name from page where id in (?)', [t.pageId], 'all'],
  ];
  const run = (stmt: SQLite.Statement, params: unknown[], kind: Call[2]) => (kind === 'all' ? stmt.all(...params) : kind === 'get' ? stmt.get(...params) : stmt.run(...params));
  const prepared = (calls: Call[]) => calls.map(([text, params, kind]) => [db.prepare(text), params, kind] as const);

  console.log(`\nfeed read, ${posts.toLocaleString('en-US')} posts, ${iterations.toLocaleString('en-US')} iterations (per request):`);
  for (const [text, params, kind] of commonplaceRead) {
    const s = db.prepare(text);
    time(`prepare each time: ${text.replace(/\s+/g, ' ').trim().slice(0, 70)}`, () => run(db.prepare(text), params, kind));
    time(`prepared once:     ${text.replace(/\s+/g, ' ').trim().slice(0, 70)}`, () => run(s, params, kind));
  }
  time('Commonplace read SQL, prepared on every call (6 statements)', () => {
    for (const [text, params, kind] of commonplaceRead) run(db.prepare(text), params, kind);
  });
  const cpPrepared = prepared(commonplaceRead);
  time('Commonplace read SQL, prepared once (6 statements)', () => {
    for (const [s, params, kind] of cpPrepared) run(s, params, kind);
  });
  const floorPrepared = prepared(floorRead);
  time('floor read SQL, prepared once (3 statements)', () => {
    for (const [s, params, kind] of floorPrepared) run(s, params, kind);
  });

  // Building the read's queries with Kysely (no execution): what query compilation costs.
  const kdb = new Kysely<any>({ dialect: new SqliteDialect({ database: db }) });
  time('Kysely: compile the 6 read queries (no execution)', () => {
    kdb.selectFrom('app').selectAll().where('token_hash', '=', tokenHash).compile();
    sql`select 'member' as t from member where id = ${g} limit 1`.compile(kdb);
    kdb.selectFrom('work_group').selectAll().where('id', '=', g).compile();
    kdb.selectFrom('post').selectAll().where('feed_id', '=', g).orderBy('created_time', 'desc').orderBy('id', 'desc').limit(26).compile();
    kdb.selectFrom('member').selectAll().where('id', 'in', [t.pageId]).compile();
    kdb.selectFrom('page').selectAll().where('id', 'in', [t.pageId]).compile();
  });

  // The write: Commonplace's statements vs the floor's, in a transaction, rolled back each time.
  const insertPost = 'insert into "post" ("id", "feed_id", "feed_type", "author_id", "author_type", "message", "formatting", "link", "message_tags", "type", "status_type", "content_hash", "created_time", "updated_time") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const insertAudit = 'insert into "audit_event" ("id", "time", "actor_type", "actor_id", "action", "target_type", "target_id", "old_value", "new_value") values (?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const insertOutbox = 'insert into "outbox" ("id", "topic", "field", "entry_id", "ordering_key", "payload", "created_time") values (?, ?, ?, ?, ?, ?, ?)';
  let n = 0;
  const rows = () => {
    const id = `9${String(++n).padStart(16, '0')}`;
    return {
      post: [id, g, 'group', t.pageId, 'page', `m${n}`, 'PLAINTEXT', null, '[]', 'status', 'app_created_story', 'h', Date.now(), Date.now()],
      audit: [`8${id.slice(1)}`, Date.now(), 'integration', t.appId, 'post.created', 'post', `${g}_${id}`, null, '{}'],
      outbox: [`7${id.slice(1)}`, 'group', 'posts', g, g, '{}', Date.now()],
    };
  };
  const commonplaceWrite: [string, (r: ReturnType<typeof rows>) => unknown[], Call[2]][] = [
    ['select * from "app" where "token_hash" = ?', () => [tokenHash], 'get'],
    [objectType, () => Array(8).fill(g), 'all'],
    ['select * from "work_group" where "id" = ?', () => [g], 'get'],
    ['begin', () => [], 'run'],
    ['select * from "post" where "feed_id" = ? and "author_id" = ? order by "created_time" desc, "id" desc limit ?', () => [g, t.pageId, 1], 'get'],
    [insertPost, (r) => r.post, 'run'],
    [insertAudit, (r) => r.audit, 'run'],
    [insertOutbox, (r) => r.outbox, 'run'],
    ['rollback', () => [], 'run'],
  ];
  console.log('\nfeed POST (rolled back each time, so no fsync; per request):');
  time('Commonplace write SQL, prepared on every call (9 statements incl. begin/rollback)', () => {
    const r = rows();
    for (const [text, params, kind] of commonplaceWrite) run(db.prepare(text), params(r), kind);
  });
  const cpw = commonplaceWrite.map(([text, params, kind]) => [db.prepare(text), params, kind] as const);
  time('Commonplace write SQL, prepared once', () => {
    const r = rows();
    for (const [s, params, kind] of cpw) run(s, params(r), kind);
  });
  const fApp = db.prepare('select * from app where token_hash = ?');
  const [fPost, fAudit, fOutbox] = [insertPost, insertAudit, insertOutbox].map((x) => db.prepare(x));
  const fBegin = db.prepare('begin');
  const fRollback = db.prepare('rollback');
  time('floor write SQL, prepared once (app + begin + 3 inserts + rollback)', () => {
    const r = rows();
    fApp.get(tokenHash);
    fBegin.run();
    fPost.run(...r.post);
    fAudit.run(...r.audit);
    fOutbox.run(...r.outbox);
    fRollback.run();
  });

  // The duplicate check when the author has not posted in the feed yet: it walks the feed's index.
  const other = '99999999999999999';
  const dup = db.prepare('select * from "post" where "feed_id" = ? and "author_id" = ? order by "created_time" desc, "id" desc limit ?');
  const plan = db.prepare(`explain query plan ${dup.source}`).all(g, other, 1) as { detail: string }[];
  console.log(`\nduplicate check (latestPostByAuthor) plan: ${plan.map((p) => p.detail).join('; ')}`);
  const start = process.hrtime.bigint();
  dup.get(g, other, 1);
  console.log(`duplicate check for an author with no post in a ${posts.toLocaleString('en-US')}-post feed: ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(1)} ms (the benchmark's author posted last: ${(() => {
    const s = process.hrtime.bigint();
    dup.get(g, t.pageId, 1);
    return (Number(process.hrtime.bigint() - s) / 1e6).toFixed(3);
  })()} ms)`);
  db.close();
} finally {
  await cleanup();
}
