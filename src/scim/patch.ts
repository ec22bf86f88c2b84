import { parse, type Filter } from 'scim2-parse-filter';
import { ScimError, scimPatch, type ScimPatchOperation, type ScimResource } from 'scim-patch';
import { AppError, type ErrorKind } from '../errors.js';
import { PATCH_OP_URN, URN } from '../presenters/scimSchemas.js';
import { canonicalPath, isReadOnly, resolvePath } from './attributes.js';
import { memberIds } from './input.js';
import { invalidFilter } from './filter.js';
import { project } from './projection.js';

// PATCH (RFC 7644 §3.5.2 for 2.0; SCIM 1.1 §3.3.2 for 1.x). User operations are normalized
// — ops in any case, attribute names canonical, URN paths resolved, a value without a path
// split into one operation per attribute, complex values split per sub-attribute so unnamed
// sub-attributes stay as they are — then applied with scim-patch to the presented resource.
// The result is a full representation the caller saves in "replace" mode.

type Json = Record<string, unknown>;
type Op = 'add' | 'replace' | 'remove';

const fail = (kind: ErrorKind, detail: string) => new AppError(kind, `(#100) ${detail}`);

function operationsOf(body: Json): { op: Op; path?: string; value?: unknown }[] {
  if (Array.isArray(body.schemas) && !body.schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_URN.toLowerCase())) {
    throw fail('invalid_syntax', `A PATCH body lists the schema ${PATCH_OP_URN}`);
  }
  const ops = body.Operations ?? body.operations;
  if (!Array.isArray(ops) || ops.length === 0) throw fail('invalid_syntax', 'A PATCH body needs a non-empty "Operations" list');
  return ops.map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) throw fail('invalid_syntax', `Operations[${i}] must be an object`);
    const o = Object.fromEntries(Object.entries(raw as Json).map(([k, v]) => [k.toLowerCase(), v]));
    const op = typeof o.op === 'string' ? o.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw fail('invalid_syntax', `Operations[${i}].op must be add, replace or remove`);
    if (o.path !== undefined && (typeof o.path !== 'string' || !o.path.trim())) throw fail('invalid_syntax', `Operations[${i}].path must be a non-empty string`);
    if (op !== 'remove' && !('value' in o)) throw fail('invalid_syntax', `Operations[${i}] (${op}) needs a value`);
    if (op === 'remove' && !o.path) throw fail('no_target', `Operations[${i}] (remove) needs a path`);
    return { op, path: o.path as string | undefined, value: o.value };
  });
}

const coerceBoolean = (v: unknown) => (typeof v === 'string' && /^(true|false)$/i.test(v.trim()) ? v.trim().toLowerCase() === 'true' : v);

/** One client operation as canonical scim-patch operations. */
function normalize(op: Op, path: string | undefined, value: unknown, resourceId: string): ScimPatchOperation[] {
  if (path === undefined) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('invalid_syntax', `${op} without a path needs an object value`);
    return Object.entries(value as Json).flatMap(([key, v]) => {
      const k = key.toLowerCase();
      if (k === 'schemas' || k === 'meta' || (k === 'id' && String(v) === resourceId)) return [];
      return normalize(op, key, v, resourceId);
    });
  }
  const p = resolvePath(path, 'User');
  if (!p) throw fail('invalid_path', `Unknown attribute path "${path}"`);
  if (isReadOnly(p)) throw fail('mutability', `"${path}" is read-only`);
  if (!p.attr) {
    if (op === 'remove') return [{ op, path: URN['2.0'][p.schema] } as ScimPatchOperation];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('invalid_parameter', `The value of ${path} must be an object`);
    return Object.entries(value as Json).flatMap(([key, v]) => normalize(op, `${URN['2.0'][p.schema]}:${key}`, v, resourceId));
  }
  if (p.filter !== undefined) {
    try {
      parse(p.filter);
    } catch (error) {
      throw invalidFilter(`${(error as Error).message} in ${JSON.stringify(p.filter)}`);
    }
  }
  const canonical = canonicalPath(p);
  if (op === 'remove') return [{ op: 'remove', path: canonical, ...(value !== undefined ? { value } : {}) } as ScimPatchOperation];
  const complexSingle = p.attr.type === 'complex' && !p.attr.multiValued && !p.sub;
  if (complexSingle && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.entries(value as Json).flatMap(([key, v]) => {
      const sub = p.attr!.subAttributes?.find((s) => s.name.toLowerCase() === key.toLowerCase());
      if (!sub) throw fail('invalid_path', `Unknown attribute "${path}.${key}"`);
      if (sub.mutability === 'readOnly') return [];
      return normalize(op, `${canonical}.${sub.name}`, v, resourceId);
    });
  }
  if (complexSingle && p.attr.name === 'manager' && (typeof value === 'string' || typeof value === 'number')) {
    return [{ op, path: `${canonical}.value`, value: String(value) } as ScimPatchOperation];
  }
  const def = p.sub ?? p.filterSub ?? p.attr;
  const v = def.type === 'boolean' ? coerceBoolean(value) : value;
  return [{ op, path: canonical, value: v } as ScimPatchOperation];
}

/** Applies a 2.0 PatchOp to a presented User resource. */
export function patchUserResource(resource: Json, body: Json): Json {
  const ops = operationsOf(body).flatMap((o) => normalize(o.op, o.path, o.value, String(resource.id)));
  let working = structuredClone(resource);
  const extensionUrns = new Set(Object.values(URN['2.0']) as string[]);
  try {
    for (const op of ops) {
      // scim-patch reads a schema up to a path's last colon, so a whole extension is removed here.
      if (op.op === 'remove' && extensionUrns.has(op.path)) delete working[op.path];
      else working = scimPatch(working as unknown as ScimResource, [op], { mutateDocument: true, treatMissingAsAdd: true }) as unknown as Json;
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof ScimError) {
      const kind: ErrorKind = error.scimCode === 'noTarget' ? 'no_target' : error.scimCode === 'invalidPath' ? 'invalid_path' : error.scimCode === 'invalidValue' ? 'invalid_parameter' : 'invalid_syntax';
      throw fail(kind, error.message);
    }
    throw fail('invalid_syntax', `The PATCH cannot be applied: ${(error as Error).message}`);
  }
  // The representation carries the manager twice (managerId and value); the one a client
  // patched wins, so the stale twin is dropped.
  const manager = (working[URN['2.0'].enterprise] as Json | undefined)?.manager as Json | undefined;
  if (manager) {
    const touched = (sub: string) => ops.some((o) => o.path?.toLowerCase().endsWith(`:manager.${sub.toLowerCase()}`));
    if (touched('value') && !touched('managerId')) delete manager.managerId;
    if (touched('managerId') && !touched('value')) delete manager.value;
  }
  return working;
}

/**
 * SCIM 1.1 PATCH of a presented 1.x User: `meta.attributes` lists attributes to remove, then
 * the body's attributes are merged in; multi-valued values carrying `"operation":"delete"` are
 * removed, the others added or updated (matched by `value`).
 */
export function patchV1Resource(resource: Json, body: Json): Json {
  const out = structuredClone(resource);
  const meta = body.meta as Json | undefined;
  const removals = Array.isArray(meta?.attributes) ? (meta!.attributes as unknown[]).map(String) : [];
  const cleared = project(out, { excluded: removals }, 'User', '1.1');
  const keyIn = (o: Json, key: string) => Object.keys(o).find((k) => k.toLowerCase() === key.toLowerCase()) ?? key;
  for (const [key, value] of Object.entries(body)) {
    const k = key.toLowerCase();
    if (k === 'schemas' || k === 'meta' || k === 'id') continue;
    const target = keyIn(cleared, key);
    const existing = cleared[target];
    if (Array.isArray(value)) {
      let list = Array.isArray(existing) ? [...(existing as Json[])] : [];
      for (const entry of value as Json[]) {
        const same = (e: Json) => JSON.stringify(e.value) === JSON.stringify(entry?.value);
        list = list.filter((e) => !same(e));
        if (entry && typeof entry === 'object' && String(entry.operation).toLowerCase() !== 'delete') {
          const { operation: _op, ...rest } = entry;
          list.push(rest);
        }
      }
      cleared[target] = list;
    } else if (value && typeof value === 'object' && existing && typeof existing === 'object' && !Array.isArray(existing)) {
      cleared[target] = { ...(existing as Json), ...(value as Json) };
    } else cleared[target] = value;
  }
  return cleared;
}

/** The member ids a `members[value eq "…"]` filter names (or-ed equalities only). */
function memberFilterIds(filter: string): string[] {
  let f: Filter;
  try {
    f = parse(filter);
  } catch (error) {
    throw invalidFilter(`${(error as Error).message} in ${JSON.stringify(filter)}`);
  }
  const ids: string[] = [];
  const walk = (x: Filter): void => {
    if (x.op === 'or') return (x as { filters: Filter[] }).filters.forEach(walk);
    const c = x as { op: string; attrPath?: string; compValue?: unknown };
    if (c.op !== 'eq' || c.attrPath?.toLowerCase() !== 'value' || c.compValue === null || c.compValue === undefined) throw invalidFilter(`members[…] takes value eq "id" (or several joined by or), not ${filter}`);
    ids.push(String(c.compValue));
  };
  walk(f);
  return ids;
}

export interface GroupPatch {
  displayName?: string;
  externalId?: string | null;
  /** The member list after the operations, when they touched members. */
  members?: string[];
}

/** Applies a 2.0 PatchOp to a people set, given its current member ids. */
export function patchGroup(body: Json, currentMembers: readonly string[], setId: string): GroupPatch {
  const out: GroupPatch = {};
  let members: string[] | undefined;
  const list = () => (members ??= [...currentMembers]);
  const apply = (op: Op, path: string | undefined, value: unknown): void => {
    if (path === undefined) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('invalid_syntax', `${op} without a path needs an object value`);
      for (const [key, v] of Object.entries(value as Json)) {
        const k = key.toLowerCase();
        if (k === 'schemas' || k === 'meta' || (k === 'id' && String(v) === setId)) continue;
        apply(op, key, v);
      }
      return;
    }
    const p = resolvePath(path, 'Group');
    if (!p?.attr) throw fail('invalid_path', `Unknown attribute path "${path}"`);
    if (isReadOnly(p) || (p.attr.name === 'members' && (p.sub || p.filterSub))) throw fail('mutability', `"${path}" cannot be changed this way; add or remove members`);
    switch (p.attr.name) {
      case 'displayName':
        if (op === 'remove' || typeof value !== 'string' || !value.trim()) throw fail('invalid_parameter', 'displayName is required and must be a string');
        out.displayName = value;
        return;
      case 'externalId':
        if (op !== 'remove' && value !== null && typeof value !== 'string' && typeof value !== 'number') throw fail('invalid_parameter', 'externalId must be a string');
        out.externalId = op === 'remove' || value === null ? null : String(value);
        return;
      case 'members': {
        if (p.filter !== undefined) {
          if (op !== 'remove') throw fail('invalid_path', 'members[…] can only be removed; add members with path "members"');
          const drop = new Set(memberFilterIds(p.filter));
          members = list().filter((id) => !drop.has(id));
          return;
        }
        const ids = op === 'remove' && value === undefined ? [] : memberIds(value);
        if (op === 'replace') members = [...new Set(ids)];
        else if (op === 'add') members = [...new Set([...list(), ...ids])];
        else if (value === undefined) members = [];
        else {
          const drop = new Set(ids);
          members = list().filter((id) => !drop.has(id));
        }
        return;
      }
      default:
        throw fail('invalid_path', `Unknown attribute path "${path}"`);
    }
  };
  for (const o of operationsOf(body)) apply(o.op, o.path, o.value);
  if (members) out.members = members;
  return out;
}

/** SCIM 1.1 PATCH of a people set: `meta.attributes: ["members"]` clears, `operation: "delete"` removes. */
export function patchV1Group(body: Json, currentMembers: readonly string[]): GroupPatch {
  const out: GroupPatch = {};
  const meta = body.meta as Json | undefined;
  const removals = Array.isArray(meta?.attributes) ? (meta!.attributes as unknown[]).map((a) => String(a).toLowerCase()) : [];
  let members = removals.includes('members') ? [] : [...currentMembers];
  if (removals.includes('externalid')) out.externalId = null;
  for (const [key, value] of Object.entries(body)) {
    const k = key.toLowerCase();
    if (k === 'displayname') {
      if (typeof value !== 'string' || !value.trim()) throw fail('invalid_parameter', 'displayName must be a non-empty string');
      out.displayName = value;
    } else if (k === 'externalid') out.externalId = value === null ? null : String(value);
    else if (k === 'members') {
      for (const entry of Array.isArray(value) ? value : [value]) {
        const [id] = memberIds([entry]);
        members = members.filter((m) => m !== id);
        if (!(entry && typeof entry === 'object' && String((entry as Json).operation).toLowerCase() === 'delete')) members.push(id);
      }
    }
  }
  if (removals.includes('members') || 'members' in body || Object.keys(body).some((k) => k.toLowerCase() === 'members')) out.members = members;
  return out;
}
