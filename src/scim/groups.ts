import type { Db } from '../db/database.js';
import { countPeopleSets, findPeopleSetById, listPeopleSets, type PeopleSetRow, setMemberIds } from '../db/repositories/peopleSet.js';
import { peopleSetCreator, peopleSetDeleter, peopleSetUpdater } from '../domain/commands/peopleSet.js';
import { AppError, invalidParameter } from '../errors.js';
import { presentScimGroups } from '../presenters/scimGroup.js';
import { URN } from '../presenters/scimSchemas.js';
import { etagOf } from '../presenters/scimUser.js';
import { filterFromQuery, groupFilter, groupSortField } from './filter.js';
import { bodyObject, groupFieldsFrom } from './input.js';
import { patchGroup, patchV1Group } from './patch.js';
import { type Projection, parseProjection, project } from './projection.js';
import { checkIfMatch, listPage, listResponse, notModified, paging, presentation, rulesOf, type ScimCall, type ScimReply, sortOrderParam, stringParam, write } from './request.js';

// /Groups: Workplace's people sets.

const notFound = (id: string) => new AppError('unknown_object', `Group ${id} not found`);

async function load(db: Db, id: string): Promise<PeopleSetRow> {
  const set = /^\d{1,20}$/.test(id) ? await findPeopleSetById(db, id) : undefined;
  if (!set) throw notFound(id);
  return set;
}

/** Members are loaded only when the response will carry them. */
function wantsMembers(p: Projection): boolean {
  if (p.attributes) return p.attributes.some((a) => /(^|:)members(\.|\[|$)/i.test(a));
  return !p.excluded?.some((a) => /(^|:)members$/i.test(a));
}

async function one(call: ScimCall, set: PeopleSetRow, status: number): Promise<ScimReply> {
  const projection = parseProjection(call.query.attributes, call.query.excludedAttributes);
  const [resource] = await presentScimGroups(presentation(call), [set], { members: wantsMembers(projection) });
  const meta = resource.meta as { location: string; version: string };
  const headers: Record<string, string> = { etag: meta.version };
  if (status === 201) headers.location = meta.location;
  return { status, body: project(resource, projection, 'Group', call.flavour), headers };
}

export async function listGroups(call: ScimCall, params: Record<string, unknown> = call.query, filterText?: string): Promise<ScimReply> {
  const text = filterText ?? (call.rawQuery ? filterFromQuery(call.rawQuery) : undefined);
  const condition = text === undefined || text.trim() === '' ? undefined : groupFilter(text);
  const { startIndex, count } = paging(params.startIndex, params.count);
  const sortBy = stringParam(params.sortBy);
  const sort = sortBy ? { field: groupSortField(sortBy), descending: sortOrderParam(params.sortOrder) } : undefined;
  const list = { name: 'groups' as const, filter: text, sort: sort ? `${sort.field} ${sort.descending}` : '' };
  const rows = await listPage(call, list, startIndex, count, (request) => listPeopleSets(call.ctx.db, condition, { ...request, sort }));
  const total = startIndex === 1 && rows.length < count ? rows.length : await countPeopleSets(call.ctx.db, condition);
  const projection = parseProjection(params.attributes, params.excludedAttributes);
  const resources = (await presentScimGroups(presentation(call), rows, { members: wantsMembers(projection) })).map((r) => project(r, projection, 'Group', call.flavour));
  return { status: 200, body: listResponse(URN[call.flavour].list, total, startIndex, resources) };
}

export async function searchGroups(call: ScimCall): Promise<ScimReply> {
  const body = bodyObject(call.body ?? {});
  const list = (v: unknown) => (Array.isArray(v) ? v.join(',') : v);
  const params = { ...body, attributes: list(body.attributes), excludedAttributes: list(body.excludedAttributes) };
  return listGroups({ ...call, query: params }, params, typeof body.filter === 'string' ? body.filter : '');
}

export async function getGroup(call: ScimCall): Promise<ScimReply> {
  const set = await load(call.ctx.db, call.id!);
  if (notModified(call, set.updated_time)) return { status: 304, headers: { etag: etagOf(set.updated_time) } };
  return one(call, set, 200);
}

export async function createGroup(call: ScimCall): Promise<ScimReply> {
  const { fields, members } = groupFieldsFrom(bodyObject(call.body), 'create');
  const set = await write(call, (w) => peopleSetCreator(w, fields, members ?? [], rulesOf(call)));
  return one(call, set, 201);
}

/** PUT /Groups/{id}: `members`, when given, is the whole list; absent attributes keep their values. */
export async function replaceGroup(call: ScimCall): Promise<ScimReply> {
  const { fields, members } = groupFieldsFrom(bodyObject(call.body), 'merge');
  if (call.mount === 'v2' && !fields.displayName?.trim()) throw invalidParameter('displayName is required (RFC 7643 §4.2) and must be a non-empty string');
  const set = await write(call, async (w) => {
    const current = await load(w.trx, call.id!);
    checkIfMatch(call, current.updated_time);
    return peopleSetUpdater(w, current, fields, members ? { replace: members } : undefined, rulesOf(call));
  });
  return one(call, set, 200);
}

export async function patchGroupResource(call: ScimCall): Promise<ScimReply> {
  const body = bodyObject(call.body);
  const set = await write(call, async (w) => {
    const current = await load(w.trx, call.id!);
    checkIfMatch(call, current.updated_time);
    const ids = await setMemberIds(w.trx, current.id);
    const change = call.flavour === '2.0' ? patchGroup(body, ids, current.id) : patchV1Group(body, ids);
    return peopleSetUpdater(w, current, { displayName: change.displayName, externalId: change.externalId }, change.members ? { replace: change.members } : undefined, rulesOf(call));
  });
  return one(call, set, 200);
}

export async function deleteGroup(call: ScimCall): Promise<ScimReply> {
  await write(call, async (w) => {
    const current = await load(w.trx, call.id!);
    checkIfMatch(call, current.updated_time);
    await peopleSetDeleter(w, current);
  });
  return { status: call.mount === 'v2' ? 204 : 200 };
}
