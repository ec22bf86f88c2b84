import type { Context } from '../context.js';
import { objectTypeOf } from '../db/repositories/object.js';
import type { Actor } from '../domain/actor.js';
import { unknownObject } from '../errors.js';
import type { NodeKey, ResolvedNode } from './nodes/index.js';
import type { Registry } from './registry.js';

/**
 * Finds what the first path segment names: a form a node type recognises (`me`, `app`,
 * `community`, `debug_token`, an email, `t_…`, `m_…`, `{feed}_{post}`), or a numeric id, whose
 * type the object index records. Anything else, and anything the actor may not know exists, is
 * "unknown object" (error 100).
 */
export async function resolveNode(ctx: Context, registry: Registry, actor: Actor, segment: string, method = 'get'): Promise<ResolvedNode> {
  for (const def of registry.nodes) {
    if (!def.recognize) continue;
    const node = await def.recognize(ctx, actor, segment);
    if (node === null) throw unknownObject(segment, method);
    if (node !== undefined) return node as ResolvedNode;
  }
  if (!/^\d{1,20}$/.test(segment)) throw unknownObject(segment, method);
  const type = await objectTypeOf(ctx.db, segment);
  const def = type && registry.node(type satisfies NodeKey);
  const node = def?.load ? (await def.load(ctx, actor, [segment])).get(segment) : undefined;
  if (!node) throw unknownObject(segment, method);
  return node as ResolvedNode;
}
