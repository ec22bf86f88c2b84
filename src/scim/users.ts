import type { Db } from '../db/database.js';
import { countAccounts, listAccounts } from '../db/repositories/account.js';
import { findMemberById, type MemberRow } from '../db/repositories/member.js';
import { type AccountFields, accountDeleter, accountUpdater, userProvisioner } from '../domain/commands/account.js';
import { AppError, invalidParameter } from '../errors.js';
import { URN } from '../presenters/scimSchemas.js';
import { etagOf, presentScimUsers } from '../presenters/scimUser.js';
import { userFilter, userSortField, filterFromQuery } from './filter.js';
import { bodyObject, userFieldsFrom } from './input.js';
import { patchUserResource, patchV1Resource } from './patch.js';
import { parseProjection, project } from './projection.js';
import {
  checkIfMatch,
  listPage,
  listResponse,
  notModified,
  paging,
  presentation,
  rulesOf,
  type ScimCall,
  type ScimReply,
  sortOrderParam,
  stringParam,
  write,
} from './request.js';

// /Users: load → authorize (the plugin checked manage_accounts) → act → present.

const notFound = (id: string) => new AppError('unknown_object', `User ${id} not found`);

async function load(db: Db, id: string): Promise<MemberRow> {
  const member = /^\d{1,20}$/.test(id) ? await findMemberById(db, id) : undefined;
  if (!member) throw notFound(id);
  return member;
}

function projectionOf(call: ScimCall, source: Record<string, unknown> = call.query) {
  return parseProjection(source.attributes, source.excludedAttributes);
}

const options = (call: ScimCall) => ({ linkBase: call.linkBase, rules: rulesOf(call) });

/** RFC 7643 §4.1 makes userName required: on `/scim/v2/` a POST or PUT without one is refused. */
function requireUserName(call: ScimCall, fields: AccountFields): AccountFields {
  if (call.mount === 'v2' && (typeof fields.userName !== 'string' || fields.userName.trim() === '')) {
    throw invalidParameter('userName is required (RFC 7643 §4.1) and must be a non-empty string');
  }
  return fields;
}

async function one(call: ScimCall, member: MemberRow, status: number): Promise<ScimReply> {
  const [resource] = await presentScimUsers(presentation(call), [member], { groups: status !== 201 });
  const meta = resource.meta as { location: string; version: string };
  const headers: Record<string, string> = { etag: meta.version };
  if (status === 201) headers.location = meta.location;
  return { status, body: project(resource, projectionOf(call), 'User', call.flavour), headers };
}

/** GET /Users and POST /Users/.search: a page of accounts matching a filter. */
export async function listUsers(call: ScimCall, params: Record<string, unknown> = call.query, filterText?: string): Promise<ScimReply> {
  const text = filterText ?? (call.rawQuery ? filterFromQuery(call.rawQuery) : undefined);
  const condition = text === undefined || text.trim() === '' ? undefined : userFilter(text);
  const { startIndex, count } = paging(params.startIndex, params.count);
  const sortBy = stringParam(params.sortBy);
  const sort = sortBy ? { field: userSortField(sortBy), descending: sortOrderParam(params.sortOrder) } : undefined;
  const list = { name: 'users' as const, filter: text, sort: sort ? `${sort.field} ${sort.descending}` : '' };
  const rows = await listPage(call, list, startIndex, count, (request) => listAccounts(call.ctx.db, condition, { ...request, sort }));
  // A first page shorter than asked is the whole result: no count query needed.
  const total = startIndex === 1 && rows.length < count ? rows.length : await countAccounts(call.ctx.db, condition);
  const projection = projectionOf(call, params);
  const resources = (await presentScimUsers(presentation(call), rows)).map((r) => project(r, projection, 'User', call.flavour));
  return { status: 200, body: listResponse(URN[call.flavour].list, total, startIndex, resources) };
}

export async function searchUsers(call: ScimCall): Promise<ScimReply> {
  const body = bodyObject(call.body ?? {});
  const list = (v: unknown) => (Array.isArray(v) ? v.join(',') : v);
  const params = { ...body, attributes: list(body.attributes), excludedAttributes: list(body.excludedAttributes) };
  const filter = typeof body.filter === 'string' ? body.filter : '';
  return listUsers({ ...call, query: params }, params, filter);
}

export async function getUser(call: ScimCall): Promise<ScimReply> {
  const member = await load(call.ctx.db, call.id!);
  if (notModified(call, member.updated_time)) return { status: 304, headers: { etag: etagOf(member.updated_time) } };
  return one(call, member, 200);
}

export async function createUser(call: ScimCall): Promise<ScimReply> {
  const fields = requireUserName(call, userFieldsFrom(bodyObject(call.body), 'create'));
  const member = await write(call, (w) => userProvisioner(w, fields, options(call)));
  return one(call, member, 201);
}

/**
 * PUT /Users/{id}: the attributes in the body replace the stored ones; attributes the body
 * leaves out keep their values (Workplace clients send partial bodies), and `null`, "" or []
 * clears one. Read-only attributes are ignored.
 */
export async function replaceUser(call: ScimCall): Promise<ScimReply> {
  const body = bodyObject(call.body);
  const member = await write(call, async (w) => {
    const current = await load(w.trx, call.id!);
    checkIfMatch(call, current.updated_time);
    return (await accountUpdater(w, current, requireUserName(call, userFieldsFrom(body, 'merge', current)), options(call))).member;
  });
  return one(call, member, 200);
}

export async function patchUser(call: ScimCall): Promise<ScimReply> {
  const body = bodyObject(call.body);
  const member = await write(call, async (w) => {
    const current = await load(w.trx, call.id!);
    checkIfMatch(call, current.updated_time);
    const [resource] = await presentScimUsers(presentation(call, w.trx), [current]);
    const patched = call.flavour === '2.0' ? patchUserResource(resource, body) : patchV1Resource(resource, body);
    return (await accountUpdater(w, current, userFieldsFrom(patched, 'replace', current), options(call))).member;
  });
  return one(call, member, 200);
}

/**
 * DELETE /Users/{id}: only never-claimed accounts; claimed ones answer 412 (deactivate them).
 * `/scim/v2/` answers 204 as RFC 7644 says; `/scim/` and `/scim/v1/` answer 200, which is what
 * Workplace's own clients check for.
 */
export async function deleteUser(call: ScimCall): Promise<ScimReply> {
  await write(call, async (w) => {
    const current = await load(w.trx, call.id!);
    checkIfMatch(call, current.updated_time);
    await accountDeleter(w, current);
  });
  return { status: call.mount === 'v2' ? 204 : 200 };
}
