import {
  type AttributeDef,
  EXTENSIONS,
  type ExtensionKey,
  extensionAttributes,
  groupAttributes,
  metaAttribute,
  schemaKeyOf,
  URN,
  userAttributes,
} from '../presenters/scimSchemas.js';

// Attribute paths (RFC 7644 §3.10) resolved against the schema definitions: names are
// case-insensitive, may carry a schema URN of either flavour, and extension attributes are
// also found without their URN when the name is unambiguous.

export type ResourceKind = 'User' | 'Group';
export type SchemaKey = 'core' | 'group' | ExtensionKey;

export interface ResolvedPath {
  schema: SchemaKey;
  /** Undefined when the path names a whole extension (`urn:…:enterprise:2.0:User`). */
  attr?: AttributeDef;
  sub?: AttributeDef;
  /** The value filter inside `[…]`, as written. */
  filter?: string;
  /** A sub-attribute after the filter: `emails[type eq "work"].value`. */
  filterSub?: AttributeDef;
}

const ALL_URNS = [...Object.values(URN['2.0']), ...Object.values(URN['1.1']), 'urn:ietf:params:scim:schemas:core:2.0/User']
  .filter((u, i, a) => a.indexOf(u) === i && !u.includes(':api:'))
  .sort((a, b) => b.length - a.length);

const find = (list: readonly AttributeDef[] | undefined, name: string) => list?.find((a) => a.name.toLowerCase() === name.toLowerCase());

function attributesOf(schema: SchemaKey, kind: ResourceKind): AttributeDef[] {
  if (schema === 'core' || schema === 'group') return [...(kind === 'User' ? userAttributes : groupAttributes), metaAttribute];
  return extensionAttributes[schema].flatMap((a) => (schema === 'authmethod' && a.name === 'authMethod' ? [a, { ...a, name: 'auth_method' }] : [a]));
}

/** Splits `urn:…:User:name.givenName` into the schema key and the rest (`name.givenName`). */
export function splitUrn(path: string, kind: ResourceKind): { schema: SchemaKey; rest: string } | undefined {
  const lower = path.toLowerCase();
  if (!lower.startsWith('urn:')) return { schema: kind === 'User' ? 'core' : 'group', rest: path };
  for (const urn of ALL_URNS) {
    const u = urn.toLowerCase();
    if (lower === u || lower.startsWith(`${u}:`)) {
      let schema = schemaKeyOf(urn);
      if (!schema) return undefined;
      if (kind === 'Group' && schema === 'core' && (u.endsWith(':1.0') || u.endsWith(':group'))) schema = 'group';
      if (kind === 'Group' && schema !== 'group') return undefined;
      if (kind === 'User' && schema === 'group') return undefined;
      return { schema, rest: path.slice(urn.length + 1) };
    }
  }
  return undefined;
}

/** Reads `name[filter].sub` into its parts; undefined when malformed. */
function splitAttrPath(rest: string): { name: string; sub?: string; filter?: string; filterSub?: string } | undefined {
  const bracket = rest.indexOf('[');
  if (bracket >= 0) {
    if (!rest.includes(']')) return undefined;
    const close = rest.lastIndexOf(']');
    const name = rest.slice(0, bracket);
    const filter = rest.slice(bracket + 1, close);
    const after = rest.slice(close + 1);
    if (!name || !filter.trim() || (after && !/^\.[A-Za-z$][\w$]*$/.test(after))) return undefined;
    return { name, filter, filterSub: after ? after.slice(1) : undefined };
  }
  const parts = rest.split('.');
  if (parts.length > 2 || parts.some((p) => !/^[A-Za-z$][\w$-]*$/.test(p))) return undefined;
  return { name: parts[0], sub: parts[1] };
}

/** Resolves an attribute path, or undefined when it names nothing this server knows. */
export function resolvePath(path: string, kind: ResourceKind): ResolvedPath | undefined {
  const split = splitUrn(path.trim(), kind);
  if (!split) return undefined;
  if (split.rest === '') return path.trim() ? { schema: split.schema } : undefined;
  const parts = splitAttrPath(split.rest);
  if (!parts) return undefined;
  let schema = split.schema;
  let attr = find(attributesOf(schema, kind), parts.name);
  if (!attr && schema === 'core' && !path.toLowerCase().startsWith('urn:')) {
    const matches = EXTENSIONS.map((key) => [key, find(attributesOf(key, kind), parts.name)] as const).filter(([, a]) => a);
    if (matches.length === 1) [schema, attr] = matches[0] as [ExtensionKey, AttributeDef];
  }
  if (!attr) return undefined;
  const out: ResolvedPath = { schema, attr };
  if (parts.sub) {
    out.sub = find(attr.subAttributes, parts.sub);
    if (!out.sub) return undefined;
  }
  if (parts.filter !== undefined) {
    if (!attr.multiValued) return undefined;
    out.filter = parts.filter;
    if (parts.filterSub) {
      out.filterSub = find(attr.subAttributes, parts.filterSub);
      if (!out.filterSub) return undefined;
    }
  }
  return out;
}

/** The canonical 2.0 path text: core attributes bare, extension attributes behind their URN. */
export function canonicalPath(p: ResolvedPath): string {
  const prefix = p.schema === 'core' || p.schema === 'group' ? '' : `${URN['2.0'][p.schema]}:`;
  if (!p.attr) return URN['2.0'][p.schema];
  let text = `${prefix}${p.attr.name === 'auth_method' ? 'authMethod' : p.attr.name}`;
  if (p.filter !== undefined) text += `[${p.filter}]${p.filterSub ? `.${p.filterSub.name}` : ''}`;
  else if (p.sub) text += `.${p.sub.name}`;
  return text;
}

/** True when the path (or the sub-attribute it names) cannot be written by clients. */
export function isReadOnly(p: ResolvedPath): boolean {
  if (!p.attr) return false;
  if (p.attr.mutability === 'readOnly') return true;
  const sub = p.sub ?? p.filterSub;
  return sub?.mutability === 'readOnly';
}
