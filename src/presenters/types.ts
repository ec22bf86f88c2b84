import type { Context } from '../context.js';
import type { Position } from '../db/keyset.js';
import type { Actor } from '../domain/actor.js';
import type { RequestBudget } from '../graph/budget.js';
import type { FieldNode } from '../graph/fields.js';
import type { GraphAction } from '../policies/graph.js';
import type { Registry } from '../graph/registry.js';

/** What presenting one Graph request needs: who asks, and how to build absolute links. */
export interface Presentation {
  ctx: Context;
  actor: Actor;
  /** Absolute base of the Graph surface, e.g. http://127.0.0.1:8080/graph. */
  graphBase: string;
  /** Absolute base of the server, e.g. http://127.0.0.1:8080. */
  publicBase: string;
  /** Parameters every paging link keeps (access_token when it came in the query, and so on). */
  carry: Record<string, string>;
  /** The Graph registry: edge and reference targets are looked up here by name. */
  registry: Registry;
  /** The request's cost budget (graph/budget.ts); absent outside Graph requests. */
  budget?: RequestBudget;
}

/** Modifiers of an edge (from `edge.limit(5)…` or from the query string of `/{id}/{edge}`). */
export interface EdgeQuery {
  limit: number;
  order?: 'chronological' | 'reverse_chronological';
  since?: number;
  until?: number;
  type?: string;
  filter?: string;
  after?: Position;
  before?: Position;
  /** Edge-specific query parameters of a top-level list (`external_ids`, `inactive`). */
  extra?: Record<string, string>;
}

/** One page of an edge for one parent. */
export interface EdgePage<Row> {
  rows: Row[];
  hasNext: boolean;
  hasPrevious: boolean;
}

export type FieldSpec<Row> =
  /** A value computed from the row alone. */
  | { kind: 'scalar'; get: (row: Row, p: Presentation) => unknown; action?: GraphAction }
  /** A value computed for all rows at once (counts, lookups). */
  | { kind: 'batch'; load: (p: Presentation, rows: Row[]) => Promise<unknown[]>; action?: GraphAction }
  /** A nested object of another node type, loaded for all rows at once. */
  | {
      kind: 'ref';
      /** Registry name of the nested object's type. */
      target: string;
      key: (row: Row) => string | null;
      load: (p: Presentation, keys: string[]) => Promise<Map<string, unknown>>;
      action?: GraphAction;
    };

export interface EdgeSpec<Row, Child = any> {
  /** Registry name of the children's type. */
  target: string;
  /** Throws when the actor may not list this edge of this parent. */
  authorize?: (p: Presentation, parent: Row) => void;
  /** One page for one parent, with cursors. */
  page: (p: Presentation, parent: Row, q: EdgeQuery) => Promise<EdgePage<Child>>;
  /** The first `q.limit + 1` children of each parent in one go (nested edges): a fixed number of statements however many parents. */
  many: (p: Presentation, parents: Row[], q: EdgeQuery) => Promise<Child[][]>;
  /** The `summary` object of each parent. */
  summary?: (p: Presentation, parents: Row[], q: EdgeQuery) => Promise<Record<string, unknown>[]>;
  /** The cursor position of a child. */
  position: (child: Child) => Position;
  /** Default order when the query names none. */
  defaultOrder?: 'chronological' | 'reverse_chronological';
  /** 'time' for feeds: paging links by time and `__paging_token`, as Graph paged feeds (graph/paging.ts). */
  paging?: 'time';
  /** Ignored query modifiers are fine; these are refused when given. */
  rejects?: readonly string[];
  /** Query parameters of its own (`external_ids`, `source`…), passed in `EdgeQuery.extra`. */
  params?: readonly string[];
}

/** A Graph node type: its fields, its default field set and its edges. */
export interface NodeType<Row> {
  name: string;
  /** Fields returned when the request names none. */
  defaults: readonly string[];
  id: (row: Row) => string;
  fields: Record<string, FieldSpec<Row>>;
  edges: Record<string, EdgeSpec<Row>>;
}

export type { FieldNode };
