// The raw floor of the SCIM benchmark (bench/scim.ts, DESIGN.md §5): a bare node:http server
// running the SQL Commonplace runs for the three calls an identity provider's sync makes, with
// better-sqlite3 (FLOOR_SQLITE_FILE) or pg (FLOOR_DATABASE_URL) and JSON.stringify. No
// framework, no query builder, no filter parser, no policies, no presenters. Run as its own process:
//   PORT=… FLOOR_SQLITE_FILE=… node --import tsx bench/scimFloor.ts
// It serves only what the benchmark sends:
//   POST  /scim/v2/Users          {userName, externalId, name{givenName,familyName}, emails[…]}: the
//         uniqueness probe, then member, object index, member_email and audit_event rows in one transaction
//   GET   /scim/v2/Users?filter=userName eq "…"
//   PATCH /scim/v2/Users/{id}     one replace of the enterprise manager
// and GET /healthz.
import { createHash, randomInt } from 'node:crypto';
import http from 'node:http';
import SQLite from 'better-sqlite3';
import pg from 'pg';

const port = Number(process.env.PORT);
const sqliteFile = process.env.FLOOR_SQLITE_FILE || undefined;
const databaseUrl = process.env.FLOOR_DATABASE_URL || undefined;
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

interface MemberRow {
  id: string;
  user_name: string | null;
  email: string | null;
  external_id: string | null;
  first_name: string;
  last_name: string;
  name: string;
  emails_json: string | null;
  manager_id: string | null;
  state: string;
  created_time: number;
  updated_time: number;
}

interface Store {
  appByTokenHash(hash: string): Promise<{ id: string } | undefined>;
  /** Inserts the member, its email row and its audit event unless the userName is taken. */
  create(row: MemberRow, audit: { id: string; actorId: string; newValue: string }): Promise<'created' | 'taken'>;
  byUserName(lower: string): Promise<MemberRow[]>;
  /** Sets the manager (which must exist) and writes the audit event; undefined when either is missing. */
  setManager(id: string, managerId: string, now: number, auditId: string, actorId: string): Promise<MemberRow | undefined>;
}

const MEMBER_COLUMNS = ['id', 'email', 'email_lower', 'user_name', 'user_name_lower', 'external_id', 'first_name', 'last_name', 'name', 'emails_json', 'state', 'is_frontline', 'is_admin', 'created_time', 'updated_time'];
const INSERT_MEMBER = `insert into member (${MEMBER_COLUMNS.join(', ')}) values (${MEMBER_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) on conflict do nothing`;
const INSERT_OBJECT = "insert into object (id, type) values ($1, 'member')";
const INSERT_EMAIL = 'insert into member_email (member_id, position, value, value_lower, type, is_primary) values ($1, 0, $2, $3, $4, 1)';
const INSERT_AUDIT = `insert into audit_event (id, time, actor_type, actor_id, action, target_type, target_id, old_value, new_value) values ($1, $2, 'integration', $3, $4, 'member', $5, $6, $7)`;
const HOLDER = 'select id from member where user_name_lower = $1 or email_lower = $2 limit 1';
const BY_USER_NAME = 'select * from member where user_name_lower = $1 or (user_name_lower is null and email_lower = $2) order by id limit 100';
const BY_ID = 'select * from member where id = $1';
const SET_MANAGER = 'update member set manager_id = $1, updated_time = $2 where id = $3';
const APP = 'select id from app where token_hash = $1';

const memberValues = (r: MemberRow) => [r.id, r.email, r.email?.toLowerCase() ?? null, r.user_name, r.user_name?.toLowerCase() ?? null, r.external_id, r.first_name, r.last_name, r.name, r.emails_json, r.state, 0, 0, r.created_time, r.updated_time];

function sqliteStore(file: string): Store {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -64000');
  const sqlite = (text: string) => text.replace(/\$\d+/g, '?');
  const prepare = (text: string) => db.prepare(sqlite(text));
  const [app, holder, insertMember, insertObject, insertEmail, insertAudit, byUserName, byId, setManager] = [APP, HOLDER, INSERT_MEMBER, INSERT_OBJECT, INSERT_EMAIL, INSERT_AUDIT, BY_USER_NAME, BY_ID, SET_MANAGER].map(prepare);
  const create = db.transaction((row: MemberRow, audit: { id: string; actorId: string; newValue: string }) => {
    if (holder.get(row.user_name?.toLowerCase(), row.email?.toLowerCase())) return 'taken' as const;
    if (insertMember.run(...memberValues(row)).changes === 0) return 'taken' as const;
    insertObject.run(row.id);
    if (row.email) insertEmail.run(row.id, row.email, row.email.toLowerCase(), 'work');
    insertAudit.run(audit.id, row.created_time, audit.actorId, 'account.provisioned', row.id, null, audit.newValue);
    return 'created' as const;
  });
  const manager = db.transaction((id: string, managerId: string, now: number, auditId: string, actorId: string) => {
    const row = byId.get(id) as MemberRow | undefined;
    if (!row || !byId.get(managerId)) return undefined;
    setManager.run(managerId, now, id);
    insertAudit.run(auditId, now, actorId, 'account.updated', id, JSON.stringify({ manager_id: row.manager_id }), JSON.stringify({ manager_id: managerId }));
    return { ...row, manager_id: managerId, updated_time: now };
  });
  return {
    appByTokenHash: async (hash) => app.get(hash) as { id: string } | undefined,
    create: async (row, audit) => create(row, audit),
    byUserName: async (lower) => byUserName.all(lower, lower) as MemberRow[],
    setManager: async (id, managerId, now, auditId, actorId) => manager(id, managerId, now, auditId, actorId),
  };
}

function pgStore(url: string): Store {
  pg.types.setTypeParser(20, Number);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const inTransaction = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const c = await pool.connect();
    try {
      await c.query('begin');
      const out = await fn(c);
      await c.query('commit');
      return out;
    } catch (error) {
      await c.query('rollback');
      throw error;
    } finally {
      c.release();
    }
  };
  return {
    appByTokenHash: async (hash) => (await pool.query<{ id: string }>({ name: 'app', text: APP, values: [hash] })).rows[0],
    create: (row, audit) =>
      inTransaction(async (c) => {
        if ((await c.query({ name: 'holder', text: HOLDER, values: [row.user_name?.toLowerCase(), row.email?.toLowerCase()] })).rowCount) return 'taken';
        if ((await c.query({ name: 'member', text: INSERT_MEMBER, values: memberValues(row) })).rowCount === 0) return 'taken';
        await c.query({ name: 'object', text: INSERT_OBJECT, values: [row.id] });
        if (row.email) await c.query({ name: 'email', text: INSERT_EMAIL, values: [row.id, row.email, row.email.toLowerCase(), 'work'] });
        await c.query({ name: 'audit', text: INSERT_AUDIT, values: [audit.id, row.created_time, audit.actorId, 'account.provisioned', row.id, null, audit.newValue] });
        return 'created';
      }),
    byUserName: async (lower) => (await pool.query<MemberRow>({ name: 'by_user_name', text: BY_USER_NAME, values: [lower, lower] })).rows,
    setManager: (id, managerId, now, auditId, actorId) =>
      inTransaction(async (c) => {
        const row = (await c.query<MemberRow>({ name: 'by_id', text: BY_ID, values: [id] })).rows[0];
        if (!row || !(await c.query({ name: 'by_id', text: BY_ID, values: [managerId] })).rowCount) return undefined;
        await c.query({ name: 'set_manager', text: SET_MANAGER, values: [managerId, now, id] });
        await c.query({ name: 'audit', text: INSERT_AUDIT, values: [auditId, now, actorId, 'account.updated', id, JSON.stringify({ manager_id: row.manager_id }), JSON.stringify({ manager_id: managerId })] });
        return { ...row, manager_id: managerId, updated_time: now };
      }),
  };
}

const store = sqliteFile ? sqliteStore(sqliteFile) : databaseUrl ? pgStore(databaseUrl) : undefined;
if (!store) throw new Error('FLOOR_SQLITE_FILE or FLOOR_DATABASE_URL is required');

let sequence = randomInt(8192);
function newId(): string {
  sequence = (sequence + 1) % 8192;
  return (BigInt(Date.now()) * 8192n + BigInt(sequence)).toString();
}

function present(r: MemberRow, base: string): Record<string, unknown> {
  const out: Record<string, unknown> = { schemas: [CORE], id: r.id, userName: r.user_name ?? r.email, name: { formatted: r.name, familyName: r.last_name, givenName: r.first_name }, displayName: r.name, active: r.state !== 'deactivated' };
  if (r.external_id) out.externalId = r.external_id;
  if (r.emails_json) out.emails = JSON.parse(r.emails_json);
  if (r.manager_id) {
    out.schemas = [CORE, ENT];
    out[ENT] = { manager: { value: r.manager_id, $ref: `${base}/Users/${r.manager_id}` } };
  }
  out.meta = { resourceType: 'User', created: new Date(r.created_time).toISOString(), lastModified: new Date(r.updated_time).toISOString(), location: `${base}/Users/${r.id}`, version: `W/"${r.updated_time.toString(36)}"` };
  return out;
}

const send = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/scim+json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

async function handle(req: http.IncomingMessage, res: http.ServerResponse, text: string): Promise<void> {
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  if (url.pathname === '/healthz') return send(res, 200, { ok: true });
  const base = `http://127.0.0.1:${port}/scim/v2`;
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const app = token ? await store!.appByTokenHash(createHash('sha256').update(token).digest('hex')) : undefined;
  if (!app) return send(res, 401, { status: '401' });
  const item = /^\/scim\/v2\/Users\/(\d+)$/.exec(url.pathname);
  if (req.method === 'POST' && url.pathname === '/scim/v2/Users') {
    const body = JSON.parse(text) as { userName: string; externalId?: string; name?: { givenName?: string; familyName?: string }; emails?: { value: string; type?: string; primary?: boolean }[] };
    const now = Date.now();
    const first = body.name?.givenName ?? '';
    const last = body.name?.familyName ?? '';
    const row: MemberRow = {
      id: newId(),
      user_name: body.userName,
      email: body.userName.includes('@') ? body.userName : null,
      external_id: body.externalId ?? null,
      first_name: first,
      last_name: last,
      name: [first, last].filter(Boolean).join(' ') || body.userName,
      emails_json: body.emails ? JSON.stringify(body.emails) : null,
      manager_id: null,
      state: 'provisioned',
      created_time: now,
      updated_time: now,
    };
    const result = await store!.create(row, { id: newId(), actorId: app.id, newValue: JSON.stringify(row) });
    if (result === 'taken') return send(res, 409, { status: '409', scimType: 'uniqueness' });
    return send(res, 201, present(row, base));
  }
  if (req.method === 'GET' && url.pathname === '/scim/v2/Users') {
    const value = /^userName eq "(.*)"$/i.exec(url.searchParams.get('filter') ?? '')?.[1];
    if (value === undefined) return send(res, 400, { status: '400', scimType: 'invalidFilter' });
    const rows = await store!.byUserName(value.toLowerCase());
    const resources = rows.map((r) => present(r, base));
    return send(res, 200, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: resources.length, itemsPerPage: resources.length, startIndex: 1, Resources: resources });
  }
  if (req.method === 'PATCH' && item) {
    const body = JSON.parse(text) as { Operations: { value: { value: string } }[] };
    const managerId = body.Operations[0].value.value;
    const row = await store!.setManager(item[1], managerId, Date.now(), newId(), app.id);
    if (!row) return send(res, 400, { status: '400', scimType: 'invalidValue' });
    return send(res, 200, present(row, base));
  }
  return send(res, 404, { status: '404' });
}

const server = http.createServer((req, res) => {
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (text += chunk));
  req.on('end', () => {
    handle(req, res, text).catch((error) => send(res, 500, { status: '500', detail: String(error) }));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
