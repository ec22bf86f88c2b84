import type { Position } from '../db/keyset.js';
import { invalidParameter } from '../errors.js';
import { allowed } from '../policies/graph.js';
import type { EdgePage, EdgeQuery, EdgeSpec, FieldNode, FieldSpec, NodeType, Presentation } from '../presenters/types.js';
import { type FieldNode as Node, plainFields, serializeFields } from './fields.js';
import { pagesByTime, timeLinks } from './paging.js';
import { parseGraphTime } from './time.js';

export const DEFAULT_LIMIT = 25;
/** Parents whose nested edge one query loads. */
const MANY_CHUNK = 100;

type Out = Record<string, unknown>;

/** Encodes a list position as an opaque cursor. */
export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.sort, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string, name: string): Position {
  try {
    const [sort, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if ((typeof sort === 'number' || typeof sort === 'string') && typeof id === 'string') return { sort, id };
  } catch {
    // fall through to the error below
  }
  throw invalidParameter(`Param ${name} is not a valid cursor`);
}

function nonexisting(type: NodeType<any>, name: string): never {
  throw invalidParameter(`Tried accessing nonexisting field (${name}) on node type (${type.name})`);
}

const MODIFIERS = new Set(['limit', 'summary', 'since', 'until', 'order', 'type', 'as', 'filter', 'source']);

/** A type's field or edge by a name the client sent: own entries only, never the prototype's. */
export function fieldOf<Row>(type: NodeType<Row>, name: string): FieldSpec<Row> | undefined {
  return Object.hasOwn(type.fields, name) ? type.fields[name] : undefined;
}

export function edgeOf<Row>(type: NodeType<Row>, name: string): EdgeSpec<Row> | undefined {
  return Object.hasOwn(type.edges, name) ? type.edges[name] : undefined;
}

/** Writes a value under a client-chosen key (an alias may be `__proto__`). */
function put(out: Out, key: string, value: unknown) {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** The edge query of a nested edge from its modifiers (`.limit(5).order(chronological)…`). */
export function queryFromModifiers(p: Presentation, node: FieldNode, spec: EdgeSpec<any>): EdgeQuery {
  const m = node.modifiers;
  for (const name of Object.keys(m)) {
    if (!MODIFIERS.has(name)) {
      throw invalidParameter(`Unknown modifier .${name}() on ${node.name}`);
    }
    if (spec.rejects?.includes(name)) throw invalidParameter(`Modifier .${name}() is not supported on ${node.name}`);
  }
  const q = edgeQuery(p, {
    limit: m.limit,
    order: m.order,
    since: m.since,
    until: m.until,
    type: m.type,
    filter: m.filter,
  });
  return m.source ? { ...q, extra: { source: m.source } } : q;
}

/** Validates edge query values from modifiers or query parameters. */
export function edgeQuery(
  p: Presentation,
  raw: { limit?: string; order?: string; since?: string; until?: string; type?: string; filter?: string; after?: string; before?: string },
): EdgeQuery {
  let limit = DEFAULT_LIMIT;
  if (raw.limit !== undefined && raw.limit !== '') {
    if (!/^\d+$/.test(raw.limit.trim())) throw invalidParameter('Param limit must be a non-negative integer');
    limit = Math.min(Number(raw.limit), p.ctx.config.maxPageSize);
  }
  let order: EdgeQuery['order'];
  if (raw.order !== undefined && raw.order !== '') {
    const o = raw.order.toLowerCase();
    if (o !== 'chronological' && o !== 'reverse_chronological' && o !== 'ranked') throw invalidParameter('Param order must be chronological or reverse_chronological');
    order = o === 'ranked' ? undefined : o;
  }
  const now = p.ctx.clock.now();
  return {
    limit,
    order,
    since: raw.since ? parseGraphTime(raw.since, now, 'since') : undefined,
    until: raw.until ? parseGraphTime(raw.until, now, 'until') : undefined,
    type: raw.type ? raw.type.toUpperCase() : undefined,
    filter: raw.filter || undefined,
    after: raw.after ? decodeCursor(raw.after, 'after') : undefined,
    before: raw.before ? decodeCursor(raw.before, 'before') : undefined,
  };
}

/** True when `summary(...)` asks for a summary. */
function wantsSummary(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v !== 'false' && v !== '0' && v !== '';
}

/**
 * Renders rows of one node type with a field selection. Loads every reference and nested edge
 * for all rows at once, so a page of 25 posts costs a fixed number of queries.
 */
export async function renderRows<Row>(p: Presentation, type: NodeType<Row>, rows: Row[], selection: Node[] | undefined): Promise<Out[]> {
  const nodes = selection && selection.length ? selection : plainFields(type.defaults);
  const outs: Out[] = rows.map((row) => ({ id: type.id(row) }));
  if (rows.length === 0) {
    for (const node of nodes) if (!fieldOf(type, node.name) && !edgeOf(type, node.name)) nonexisting(type, node.name);
    return outs;
  }
  await p.budget?.charge(rows.length);
  await Promise.all(nodes.map((node) => renderField(p, type, rows, outs, node)));
  for (const out of outs) {
    for (const key of Object.keys(out)) if (out[key] === undefined || out[key] === null) delete out[key];
  }
  return outs;
}

async function renderField<Row>(p: Presentation, type: NodeType<Row>, rows: Row[], outs: Out[], node: Node): Promise<void> {
  const spec = fieldOf(type, node.name);
  if (spec) {
    if (spec.action && !allowed(p.actor, spec.action)) return;
    if (spec.kind === 'scalar') {
      if (node.children) throw invalidParameter(`Field ${node.name} on node type (${type.name}) has no subfields`);
      rows.forEach((row, i) => put(outs[i], node.key, spec.get(row, p)));
    } else if (spec.kind === 'batch') {
      if (node.children) throw invalidParameter(`Field ${node.name} on node type (${type.name}) has no subfields`);
      const values = await spec.load(p, rows);
      values.forEach((v, i) => put(outs[i], node.key, v));
    } else {
      const keys = rows.map((row) => spec.key(row));
      const present = [...new Set(keys.filter((k): k is string => k !== null))];
      const loaded = await spec.load(p, present);
      const target = p.registry.type(spec.target);
      const targets = present.filter((k) => loaded.has(k)).map((k) => loaded.get(k));
      const rendered = await renderRows(p, target, targets, node.children);
      const byKey = new Map(present.filter((k) => loaded.has(k)).map((k, i) => [k, rendered[i]]));
      keys.forEach((k, i) => put(outs[i], node.key, k === null ? undefined : byKey.get(k)));
    }
    return;
  }
  const edge = edgeOf(type, node.name);
  if (!edge) nonexisting(type, node.name);
  const visible: number[] = [];
  rows.forEach((row, i) => {
    try {
      edge.authorize?.(p, row);
      visible.push(i);
    } catch {
      // An edge the actor may not list is left out of that object, not an error for the whole list.
    }
  });
  if (visible.length === 0) return;
  const parents = visible.map((i) => rows[i]);
  const q = queryFromModifiers(p, node, edge);
  const summary = wantsSummary(node.modifiers.summary);
  const envelopes = await nestedEdge(p, type, edge, parents, q, node, summary);
  visible.forEach((i, j) => put(outs[i], node.key, envelopes[j]));
}

async function nestedEdge<Row>(
  p: Presentation,
  type: NodeType<Row>,
  edge: EdgeSpec<Row>,
  parents: Row[],
  q: EdgeQuery,
  node: Node,
  summary: boolean,
): Promise<Out[]> {
  const children = node.children;
  let pages: EdgePage<unknown>[];
  p.budget?.plan(parents.length * q.limit);
  if (q.limit === 0) pages = parents.map(() => ({ rows: [], hasNext: false, hasPrevious: false }));
  else {
    const lists: unknown[][] = [];
    // A few parents per query, with a turn for other requests in between (graph/budget.ts).
    for (let i = 0; i < parents.length; i += MANY_CHUNK) {
      if (i > 0) await p.budget?.pause();
      lists.push(...(await edge.many(p, parents.slice(i, i + MANY_CHUNK), q)));
    }
    pages = lists.map((list) => {
      const more = list.length > q.limit;
      return { rows: more ? list.slice(0, q.limit) : list, hasNext: more, hasPrevious: false };
    });
  }
  const flat = pages.flatMap((pg) => pg.rows);
  const rendered = await renderRows(p, p.registry.type(edge.target), flat, children);
  const summaries = summary && edge.summary ? await edge.summary(p, parents, q) : undefined;
  let offset = 0;
  return pages.map((pg, i) => {
    const data = rendered.slice(offset, offset + pg.rows.length);
    offset += pg.rows.length;
    const out: Out = { data };
    const paging = pagingBlock(p, `${type.id(parents[i])}/${node.name}`, linkParams(node), pg, edge, q);
    if (paging) out.paging = paging;
    if (summaries) out.summary = summaries[i];
    return out;
  });
}

/** The query a nested edge's paging links need to return the same list: its modifiers and selection. */
function linkParams(node: Node): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(node.modifiers)) if (name !== 'as' && name !== 'summary') out[name] = value;
  if (node.children) out.fields = serializeFields(node.children);
  return out;
}

/**
 * The paging object: opaque cursors, and absolute `next`/`previous` links back to this server
 * that keep every original parameter and replace only the cursor. Feeds page by time instead
 * (graph/paging.ts).
 */
export function pagingBlock(
  p: Presentation,
  path: string,
  params: Record<string, string>,
  page: EdgePage<unknown>,
  edge: Pick<EdgeSpec<unknown>, 'position' | 'paging'>,
  q: EdgeQuery,
): Out | undefined {
  const timed = pagesByTime(edge, q.order);
  if (page.rows.length === 0 && (timed || (!page.hasNext && !page.hasPrevious))) return undefined;
  const out: Out = {};
  if (page.rows.length) {
    out.cursors = {
      before: encodeCursor(edge.position(page.rows[0])),
      after: encodeCursor(edge.position(page.rows[page.rows.length - 1])),
    };
  }
  if (timed) return { ...out, ...timeLinks(p, path, params, page, edge, q) };
  const limit = q.limit;
  const link = (cursor: 'after' | 'before', value: string) => {
    const query = new URLSearchParams({ ...p.carry, ...params });
    query.delete('after');
    query.delete('before');
    if (!query.has('limit')) query.set('limit', String(limit));
    query.set(cursor, value);
    return `${p.graphBase}/${path}?${query.toString()}`;
  };
  const cursors = out.cursors as { before: string; after: string } | undefined;
  if (cursors && page.hasPrevious) out.previous = link('before', cursors.before);
  if (cursors && page.hasNext) out.next = link('after', cursors.after);
  return out;
}
