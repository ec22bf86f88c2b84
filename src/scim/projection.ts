import { URN, type ScimFlavour } from '../presenters/scimSchemas.js';
import { type ResourceKind, resolvePath } from './attributes.js';

// `attributes` and `excludedAttributes` (RFC 7644 §3.9): which attributes a response carries.
// `schemas` and `id` are always returned; unknown names are ignored.

type Json = Record<string, unknown>;

export interface Projection {
  attributes?: string[];
  excluded?: string[];
}

export function parseProjection(attributes: unknown, excluded: unknown): Projection {
  const list = (v: unknown) => {
    if (v === undefined || v === null || v === '') return undefined;
    const items = (Array.isArray(v) ? v.map(String) : String(v).split(',')).map((s) => s.trim()).filter(Boolean);
    return items.length ? items : undefined;
  };
  return { attributes: list(attributes), excluded: list(excluded) };
}

/** Where a path lives in a presented resource: the keys from the top (an extension adds its URN first). */
function locate(path: string, kind: ResourceKind, flavour: ScimFlavour): string[] | undefined {
  const p = resolvePath(path, kind);
  if (!p) return undefined;
  const top = p.schema === 'core' || p.schema === 'group' ? [] : [URN[flavour][p.schema]];
  if (!p.attr) return top.length ? top : undefined;
  const name = flavour === '1.1' && p.attr.name === 'authMethod' ? 'auth_method' : flavour === '2.0' && p.attr.name === 'auth_method' ? 'authMethod' : p.attr.name;
  return [...top, name, ...(p.sub ? [p.sub.name] : [])];
}

/** The part of `value` under `keys` (arrays keep, per entry, only that part), or undefined. */
function pick(value: unknown, keys: string[]): unknown {
  if (keys.length === 0) return value;
  if (Array.isArray(value)) {
    const picked = value.map((v) => pick(v, keys)).filter((v) => v !== undefined);
    return picked.length ? picked : undefined;
  }
  if (!value || typeof value !== 'object' || !(keys[0] in value)) return undefined;
  const inner = pick((value as Json)[keys[0]], keys.slice(1));
  return inner === undefined ? undefined : { [keys[0]]: inner };
}

/** Deep-merges picked parts (arrays entry by entry). */
function merge(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (Array.isArray(a) && Array.isArray(b)) return a.map((v, i) => merge(v, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a)) {
    const out: Json = { ...(a as Json) };
    for (const [k, v] of Object.entries(b as Json)) out[k] = merge(out[k], v);
    return out;
  }
  return b;
}

function drop(value: unknown, keys: string[]): void {
  if (Array.isArray(value)) {
    for (const v of value) drop(v, keys);
    return;
  }
  if (!value || typeof value !== 'object') return;
  if (keys.length === 1) delete (value as Json)[keys[0]];
  else drop((value as Json)[keys[0]], keys.slice(1));
}

/** The resource with only the requested attributes, or without the excluded ones. */
export function project(resource: Json, projection: Projection, kind: ResourceKind, flavour: ScimFlavour): Json {
  if (projection.attributes) {
    let out: Json = { schemas: resource.schemas, id: resource.id };
    for (const path of projection.attributes) {
      const keys = locate(path, kind, flavour);
      const part = keys ? pick(resource, keys) : undefined;
      if (part) out = merge(out, part) as Json;
    }
    return out;
  }
  if (projection.excluded) {
    const out: Json = structuredClone(resource);
    for (const path of projection.excluded) {
      const keys = locate(path, kind, flavour);
      if (keys && keys[0] !== 'id' && keys[0] !== 'schemas') drop(out, keys);
    }
    return out;
  }
  return resource;
}
