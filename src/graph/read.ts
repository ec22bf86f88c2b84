import { AppError, invalidParameter } from '../errors.js';
import { authorizeNodeRead } from '../policies/read.js';
import type { NodeType, Presentation } from '../presenters/types.js';
import type { Actor } from '../domain/actor.js';
import type { ResolvedNode } from './nodes/index.js';
import type { Registry } from './registry.js';
import { edgeOf, edgeQuery, pagingBlock, renderRows } from './render.js';
import type { GraphRequest } from './request.js';

/** The node type and row that present a resolved node. */
export function presentable(registry: Registry, node: ResolvedNode): { type: NodeType<any>; row: unknown } {
  const def = registry.node(node.type);
  if (!def?.type) throw invalidParameter(`${node.type} has no fields to read`);
  return { type: def.type, row: def.present ? def.present(node) : node.row };
}

/** Throws unless the actor may read the node itself (not yet its edges): the node type's read rule. */
export function authorizeRead(registry: Registry, actor: Actor, node: ResolvedNode, segment: string, method = 'get'): void {
  const def = registry.node(node.type);
  if (!def) throw new Error(`graph registry: no node type ${node.type}`);
  authorizeNodeRead(actor, def.read, node, segment, method);
}

/** GET /{id}: the node with the requested fields. */
export async function readNode(req: GraphRequest): Promise<Record<string, unknown>> {
  const registry = req.presentation.registry;
  authorizeRead(registry, req.actor, req.node, req.segment);
  const { type, row } = presentable(registry, req.node);
  const [out] = await renderRows(req.presentation, type, [row], req.fields);
  return out;
}

const PAGING_PARAMS = ['limit', 'after', 'before', 'since', 'until', 'order', 'type', 'filter', 'summary'] as const;

/** GET /{id}/{edge}: one page of an edge with `data`, `paging` and, when asked, `summary`. */
export async function listEdge(req: GraphRequest): Promise<Record<string, unknown>> {
  const registry = req.presentation.registry;
  const def = registry.node(req.node.type);
  if (!def?.edgesOwnRules) authorizeRead(registry, req.actor, req.node, req.segment);
  const { type, row } = presentable(registry, req.node);
  const edge = edgeOf(type, req.edge ?? '');
  if (!edge) throw new AppError('unknown_path', `Unknown path components: /${req.edge}`);
  edge.authorize?.(req.presentation, row);
  const raw = Object.fromEntries(PAGING_PARAMS.map((k) => [k, req.params.string(k)])) as Record<(typeof PAGING_PARAMS)[number], string | undefined>;
  if (raw.after && raw.before) throw invalidParameter('Use either after or before, not both');
  const extra: Record<string, string> = {};
  for (const name of edge.params ?? []) {
    const value = req.params.string(name);
    if (value !== undefined) extra[name] = value;
  }
  const q = { ...edgeQuery(req.presentation, raw), extra };
  const page = q.limit === 0 ? { rows: [], hasNext: false, hasPrevious: false } : await edge.page(req.presentation, row, q);
  const data = await renderRows(req.presentation, registry.type(edge.target), page.rows, req.fields);
  const out: Record<string, unknown> = { data };
  const original = stringParams(req);
  const paging = pagingBlock(req.presentation, req.path, original, page, edge, q.limit);
  if (paging) out.paging = paging;
  const summary = req.params.string('summary');
  if (summary && !['false', '0'].includes(summary.toLowerCase()) && edge.summary) {
    [out.summary] = await edge.summary(req.presentation, [row], q);
  }
  return out;
}

/** The request's parameters that paging links keep (scalars only; uploads and nested values are dropped). */
export function stringParams(req: GraphRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.params.values)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
  }
  delete out.method;
  return out;
}

export type { Presentation };
