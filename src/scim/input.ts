import type { MemberRow } from '../db/repositories/member.js';
import type { MultiValue } from '../domain/accountAttributes.js';
import type { AccountFields, AccountName } from '../domain/commands/account.js';
import type { PeopleSetFields } from '../domain/commands/peopleSet.js';
import { AppError, invalidParameter } from '../errors.js';
import { type AttributeDef, EXTENSIONS, type ExtensionKey, extensionAttributes, groupAttributes, schemaKeyOf, userAttributes } from '../presenters/scimSchemas.js';

// SCIM request bodies (either flavour) to domain fields. Attribute names are
// case-insensitive; extension objects may use 2.0 or 1.0 URNs whatever the endpoint; read-only
// attributes (id, meta, claimed, claimLink…) are ignored as RFC 7644 §3.5.1 says.
//
// Modes: `create` and `merge` (PUT) leave absent attributes unset / unchanged; `replace` (the
// result of a PATCH, a full representation) clears every absent writable attribute.

export type InputMode = 'create' | 'merge' | 'replace';
type Json = Record<string, unknown>;

export function bodyObject(body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('invalid_syntax', '(#100) The request body must be a JSON object');
  return body as Json;
}

const findDef = (defs: readonly AttributeDef[] | undefined, key: string) => defs?.find((d) => d.name.toLowerCase() === key.toLowerCase());

function str(value: unknown, path: string): string | null | undefined {
  if (value === undefined || value === null) return value as undefined | null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw invalidParameter(`${path} must be a string`);
}

function bool(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw invalidParameter(`${path} must be true or false`);
}

function epochSeconds(value: unknown, path: string): number | null | undefined {
  if (value === undefined || value === null) return value as undefined | null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) return Number(value);
  throw invalidParameter(`${path} must be epoch seconds`);
}

function object(value: unknown, path: string): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(`${path} must be an object`);
  return value as Json;
}

/** An object with its keys renamed to the canonical names of `defs` (unknown keys dropped). */
function canonical(value: Json, defs: readonly AttributeDef[]): Json {
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    const def = findDef(defs, key);
    if (def) out[def.name] = v;
  }
  return out;
}

function multiValues(value: unknown, def: AttributeDef, path: string): MultiValue[] | null | undefined {
  if (value === undefined || value === null) return value as undefined | null;
  const list = Array.isArray(value) ? value : [value];
  return list.map((entry, i) => {
    const o = object(entry, `${path}[${i}]`) ?? {};
    const out = canonical(o, def.subAttributes ?? []);
    for (const sub of def.subAttributes ?? []) {
      if (!(sub.name in out)) continue;
      if (sub.type === 'boolean') out[sub.name] = bool(out[sub.name], `${path}[${i}].${sub.name}`);
      else out[sub.name] = str(out[sub.name], `${path}[${i}].${sub.name}`);
      if (out[sub.name] === undefined || out[sub.name] === null) delete out[sub.name];
    }
    return out;
  });
}

/** Splits a body into core attributes and extension objects, by canonical name. */
function sections(body: Json): { core: Json; ext: Partial<Record<ExtensionKey, Json>> } {
  const core: Json = {};
  const ext: Partial<Record<ExtensionKey, Json>> = {};
  const addExt = (key: ExtensionKey, values: Json) => {
    ext[key] = { ...(ext[key] ?? {}), ...canonical(values, [...extensionAttributes[key], ...(key === 'authmethod' ? [{ ...extensionAttributes.authmethod[0], name: 'auth_method' }] : [])]) };
  };
  const entries = Object.entries(body);
  const coreUrn = entries.find(([k]) => k.toLowerCase().startsWith('urn:') && schemaKeyOf(k) === 'core');
  const plain = [...(coreUrn ? Object.entries(object(coreUrn[1], coreUrn[0]) ?? {}) : []), ...entries].filter(([k]) => !k.toLowerCase().startsWith('urn:'));
  for (const [key, value] of plain) {
    const def = findDef(userAttributes, key) ?? (key.toLowerCase() === 'email' && !('emails' in body) ? findDef(userAttributes, 'emails') : undefined);
    if (def) core[def.name] = value;
    else {
      const owners = EXTENSIONS.filter((x) => findDef(extensionAttributes[x], key));
      if (owners.length === 1) addExt(owners[0], { [key]: value });
    }
  }
  for (const [key, value] of entries) {
    const schema = key.toLowerCase().startsWith('urn:') ? schemaKeyOf(key) : undefined;
    if (schema && schema !== 'core' && schema !== 'group') addExt(schema, object(value, key) ?? {});
  }
  return { core, ext };
}

/** The manager id a body asks for: `managerId` (Workplace) or `value` (RFC); when both differ, the one that changes something. */
function managerOf(value: unknown, current: MemberRow | undefined, mode: InputMode): string | null | undefined {
  if (value === undefined) return mode === 'replace' ? null : undefined;
  if (value === null || value === '') return null;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const o = canonical(object(value, 'manager') ?? {}, extensionAttributes.enterprise.find((a) => a.name === 'manager')!.subAttributes!);
  const byId = str(o.managerId, 'manager.managerId');
  const byValue = str(o.value, 'manager.value');
  if (byId && byValue && byId !== byValue) return byValue !== current?.manager_id && byId === current?.manager_id ? byValue : byId;
  const chosen = byId ?? byValue;
  if (chosen === undefined) return mode === 'replace' ? null : undefined;
  return chosen || null;
}

/** AccountFields from a SCIM User body. */
export function userFieldsFrom(body: Json, mode: InputMode, current?: MemberRow): AccountFields {
  const { core, ext } = sections(body);
  const replace = mode === 'replace';
  const clearable = <T>(v: T | undefined): T | null | undefined => (v === undefined && replace ? null : v);
  const f: AccountFields = {};
  f.userName = clearable(str(core.userName, 'userName'));
  f.externalId = clearable(str(core.externalId, 'externalId'));
  const nameObject = object(core.name, 'name');
  if (nameObject || replace) {
    const n = canonical(nameObject ?? {}, findDef(userAttributes, 'name')!.subAttributes!);
    const name: AccountName = {};
    for (const key of ['formatted', 'givenName', 'familyName', 'middleName', 'honorificPrefix', 'honorificSuffix'] as const) name[key] = clearable(str(n[key], `name.${key}`));
    f.name = name;
  }
  for (const key of ['displayName', 'nickName', 'profileUrl', 'userType', 'title', 'preferredLanguage', 'locale', 'timezone'] as const) f[key] = clearable(str(core[key], key));
  for (const key of ['emails', 'phoneNumbers', 'addresses', 'photos'] as const) f[key] = clearable(multiValues(core[key], findDef(userAttributes, key)!, key));
  f.active = bool(core.active, 'active');

  const ent = ext.enterprise ?? {};
  for (const key of ['employeeNumber', 'costCenter', 'organization', 'division', 'department'] as const) f[key] = clearable(str(ent[key], key));
  f.managerId = managerOf(ent.manager, current, mode);
  const dates = ext.starttermdates ?? {};
  f.startDate = clearable(epochSeconds(dates.startDate, 'startDate'));
  f.termDate = clearable(epochSeconds(dates.termDate, 'termDate'));
  f.invited = bool(ext.accountstatusdetails?.invited, 'invited');
  const method = str(ext.authmethod?.authMethod ?? ext.authmethod?.auth_method, 'authMethod');
  if (method !== undefined && method !== null && !/^(password|sso)$/i.test(method)) throw invalidParameter(`authMethod must be "password" or "sso", not "${method}"`);
  f.authMethod = clearable(method ? (method.toLowerCase() as 'password' | 'sso') : method === null ? null : undefined);
  const frontline = bool(ext.frontline?.is_frontline, 'is_frontline');
  f.isFrontline = frontline ?? (replace ? false : undefined);
  return f;
}

/** People-set fields and member ids from a SCIM Group body. */
export function groupFieldsFrom(body: Json, mode: InputMode): { fields: PeopleSetFields; members: string[] | undefined } {
  const core = canonical(body, groupAttributes);
  const displayName = str(core.displayName, 'displayName');
  if (mode === 'create' && !displayName) throw invalidParameter('displayName is required');
  const fields: PeopleSetFields = { displayName: displayName ?? undefined, externalId: str(core.externalId, 'externalId') ?? (mode === 'replace' ? null : undefined) };
  return { fields, members: core.members === undefined ? undefined : memberIds(core.members) };
}

/** The account ids of a `members` value: `[{"value":"…","type":"user"}]` (a lone object or id also works). */
export function memberIds(value: unknown): string[] {
  if (value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((entry, i) => {
    if (typeof entry === 'string' || typeof entry === 'number') return String(entry);
    const o = canonical(object(entry, `members[${i}]`) ?? {}, findDef(groupAttributes, 'members')!.subAttributes!);
    const type = str(o.type, `members[${i}].type`);
    const id = str(o.value, `members[${i}].value`);
    if (type && type.toLowerCase() !== 'user') throw invalidParameter(`members[${i}] (${id ?? 'no value'}) is of type "${type}": a group's members are users only`);
    if (!id) throw invalidParameter(`members[${i}].value must be a user id`);
    return id;
  });
}
