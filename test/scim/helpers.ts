import assert from 'node:assert/strict';
import { http, type TestServer } from '../helpers/server.js';

export const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const DATES = 'urn:ietf:params:scim:schemas:extension:facebook:starttermdates:2.0:User';
export const STATUS = 'urn:ietf:params:scim:schemas:extension:facebook:accountstatusdetails:2.0:User';
export const AUTH = 'urn:ietf:params:scim:schemas:extension:facebook:authmethod:2.0:User';
export const FRONTLINE = 'urn:ietf:params:scim:schemas:extension:facebook:frontline:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const USER_URN_V1 = 'urn:scim:schemas:core:1.0';
export const V1 = {
  core: 'urn:scim:schemas:core:1.0',
  ent: 'urn:scim:schemas:extension:enterprise:1.0',
  dates: 'urn:scim:schemas:extension:facebook:starttermdates:1.0',
  status: 'urn:scim:schemas:extension:facebook:accountstatusdetails:1.0',
  auth: 'urn:scim:schemas:extension:facebook:auth_method:1.0',
};

export type Reply = Awaited<ReturnType<typeof http>>;

/** A SCIM client for one token and mount ('' = Workplace's /scim, 'v2', 'v1'). */
export function scimClient(ts: TestServer, token: string | undefined, mount: '' | 'v2' | 'v1' = '') {
  const base = `${ts.base}/scim${mount ? `/${mount}` : ''}`;
  const call = (method: string, path: string, json?: unknown, headers: Record<string, string> = {}) => http(method, `${base}${path}`, { token, json, headers });
  return {
    base,
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    post: (path: string, json: unknown, headers?: Record<string, string>) => call('POST', path, json, headers),
    put: (path: string, json: unknown, headers?: Record<string, string>) => call('PUT', path, json, headers),
    patch: (path: string, json: unknown, headers?: Record<string, string>) => call('PATCH', path, json, headers),
    delete: (path: string, headers?: Record<string, string>) => call('DELETE', path, undefined, headers),
    /** PATCH with a list of operations. */
    ops: (path: string, operations: unknown[], headers?: Record<string, string>) => call('PATCH', path, { schemas: [PATCH_OP], Operations: operations }, headers),
  };
}

/** Asserts an RFC 7644 Error: the HTTP status, `status` as a string, and optionally the scimType. */
export function assertScimError(r: Reply, status: number, scimType?: string): void {
  assert.equal(r.status, status, r.text);
  assert.deepEqual(r.json?.schemas, [ERROR], r.text);
  assert.equal(r.json.status, String(status));
  assert.equal(typeof r.json.detail, 'string');
  if (scimType) assert.equal(r.json.scimType, scimType, r.text);
}

let counter = 0;
/** A fresh, unique user body. */
export function newUser(extra: Record<string, unknown> = {}, name = `user${++counter}`): Record<string, unknown> {
  return { schemas: [CORE], userName: `${name}.${counter}@example.com`, name: { givenName: name, familyName: 'Tester' }, active: true, ...extra };
}

/** Audit events of a target, oldest first. */
export async function auditOf(ts: TestServer, targetId: string) {
  const rows = await ts.ctx.db.selectFrom('audit_event').selectAll().where('target_id', '=', targetId).orderBy('time').orderBy('id').execute();
  return rows.map((r) => ({ ...r, old_value: r.old_value ? JSON.parse(r.old_value) : null, new_value: r.new_value ? JSON.parse(r.new_value) : null }));
}
