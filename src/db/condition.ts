import { type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { CompareOp, Condition, FieldKind, ListPosition, Scalar } from '../domain/accountQuery.js';

// Translates a domain Condition tree into one SQL boolean expression, the same text on SQLite
// and PostgreSQL. Every predicate is two-valued (never NULL), so `not` means what it says for
// rows where an attribute is absent.

/** How one field reads in SQL: its expression, kind, and optionally a faster equality. */
export interface ColumnSpec {
  expr: RawBuilder<unknown>;
  kind: FieldKind;
  /** Index-friendly equality for a lower-cased (or exact) value. */
  eq?: (value: string) => RawBuilder<boolean>;
}

export type RelationCompiler = (where: Condition<string>) => RawBuilder<boolean>;

const TRUE = sql<boolean>`(1 = 1)`;
const FALSE = sql<boolean>`(1 = 0)`;
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const ORDER: Record<string, string> = { gt: '>', ge: '>=', lt: '<', le: '<=' };

function compare(spec: ColumnSpec, op: CompareOp, value: Scalar): RawBuilder<boolean> {
  const e = spec.expr;
  if (spec.kind === 'boolean') {
    if (typeof value !== 'boolean') throw new Error(`a boolean field compares with true or false, not ${JSON.stringify(value)}`);
    if (op !== 'eq' && op !== 'ne') throw new Error(`a boolean field supports eq and ne, not ${op}`);
    return (op === 'eq') === value ? sql<boolean>`(${e})` : sql<boolean>`(not (${e}))`;
  }
  if (value === null) {
    if (op === 'eq') return sql<boolean>`(${e} is null)`;
    if (op === 'ne') return sql<boolean>`(${e} is not null)`;
    throw new Error(`${op} needs a value`);
  }
  if (spec.kind === 'time') {
    if (typeof value !== 'number') throw new Error('a time field compares with a time');
    if (op === 'eq') return sql<boolean>`(${e} is not null and ${e} = ${value})`;
    if (op === 'ne') return sql<boolean>`(${e} is null or ${e} <> ${value})`;
    if (op in ORDER) return sql<boolean>`(${e} is not null and ${e} ${sql.raw(ORDER[op])} ${value})`;
    throw new Error(`a time field does not support ${op}`);
  }
  const text = spec.kind === 'text';
  const v = text ? String(value).toLowerCase() : String(value);
  const col = text ? sql`lower(${e})` : e;
  switch (op) {
    case 'eq':
      return spec.eq ? spec.eq(v) : sql<boolean>`(${e} is not null and ${col} = ${v})`;
    case 'ne':
      return spec.eq ? sql<boolean>`(not ${spec.eq(v)})` : sql<boolean>`(${e} is null or ${col} <> ${v})`;
    case 'co':
      return sql<boolean>`(${e} is not null and ${col} like ${`%${likeEscape(v)}%`} escape '\\')`;
    case 'sw':
      return sql<boolean>`(${e} is not null and ${col} like ${`${likeEscape(v)}%`} escape '\\')`;
    case 'ew':
      return sql<boolean>`(${e} is not null and ${col} like ${`%${likeEscape(v)}`} escape '\\')`;
    default:
      return sql<boolean>`(${e} is not null and ${col} ${sql.raw(ORDER[op])} ${v})`;
  }
}

/** One SQL boolean expression for the condition, given how each field and relation reads. */
export function compileCondition<F extends string, R extends string>(
  condition: Condition<F, R>,
  columns: Record<F, ColumnSpec>,
  relations: Record<R, RelationCompiler>,
): RawBuilder<boolean> {
  switch (condition.kind) {
    case 'compare':
      return compare(columns[condition.field], condition.op, condition.value);
    case 'present': {
      const spec = columns[condition.field];
      if (spec.kind === 'boolean') return TRUE;
      if (spec.kind === 'time') return sql<boolean>`(${spec.expr} is not null)`;
      return sql<boolean>`(${spec.expr} is not null and ${spec.expr} <> '')`;
    }
    case 'and':
    case 'or': {
      if (condition.items.length === 0) return condition.kind === 'and' ? TRUE : FALSE;
      const parts = condition.items.map((c) => compileCondition(c, columns, relations));
      return sql<boolean>`(${sql.join(parts, sql.raw(condition.kind === 'and' ? ' and ' : ' or '))})`;
    }
    case 'not':
      return sql<boolean>`(not ${compileCondition(condition.item, columns, relations)})`;
    case 'related':
      return relations[condition.relation](condition.where);
  }
}

/** The value a sorted list orders by (select it to remember where a page ended). */
export function sortKey(spec: ColumnSpec): RawBuilder<unknown> {
  return spec.kind === 'text' ? sql`lower(${spec.expr})` : spec.expr;
}

/** ORDER BY parts that put absent values last on both dialects, then break ties by id. */
export function orderParts(spec: ColumnSpec | undefined, descending: boolean, id: RawBuilder<unknown>): RawBuilder<unknown>[] {
  const dir = sql.raw(descending ? 'desc' : 'asc');
  if (!spec) return [sql`${id} ${dir}`];
  return [sql`(${spec.expr} is null) asc`, sql`${sortKey(spec)} ${dir}`, sql`${id} ${dir}`];
}

/** The rows after `after` in the order orderParts gives (keyset paging). */
export function afterPosition(spec: ColumnSpec | undefined, descending: boolean, id: RawBuilder<unknown>, after: ListPosition): RawBuilder<boolean> {
  const beyond = sql.raw(descending ? '<' : '>');
  const idAfter = sql<boolean>`(${id} ${beyond} ${after.id})`;
  if (!spec) return idAfter;
  if (after.sortKey === null || after.sortKey === undefined) return sql<boolean>`((${spec.expr} is null) and ${idAfter})`;
  const key = sortKey(spec);
  return sql<boolean>`((${spec.expr} is null) or (${key} ${beyond} ${after.sortKey}) or (${key} = ${after.sortKey} and ${idAfter}))`;
}

/**
 * One page of `base` (its table, columns and WHERE) in the order orderParts gives, `offset`
 * rows after `after` (or the start). A skip is first read over the id and sort key alone (an
 * index-only read for the default order) and the page then by keyset, so deep pages never fetch
 * the rows they skip. Sorted rows carry `sort_key`, from which a caller remembers the position.
 */
export async function selectPage<DB, TB extends keyof DB, O>(
  base: SelectQueryBuilder<DB, TB, O>,
  id: RawBuilder<unknown>,
  spec: ColumnSpec | undefined,
  descending: boolean,
  request: { offset: number; limit: number; after?: ListPosition },
): Promise<(O & { sort_key?: ListPosition['sortKey'] })[]> {
  // Kysely cannot type a query whose columns vary with the sort: the builder is used untyped.
  type Untyped = SelectQueryBuilder<any, any, any>;
  const ordered = (q: Untyped, after: ListPosition | undefined) => {
    let out = after ? q.where(afterPosition(spec, descending, id, after)) : q;
    for (const part of orderParts(spec, descending, id)) out = out.orderBy(part as never);
    return out;
  };
  const withKey = (q: Untyped) => (spec ? q.select(sortKey(spec).as('sort_key')) : q);
  let after = request.after;
  if (request.offset > 0) {
    const narrow = withKey((base as Untyped).clearSelect().select(id.as('id')));
    const skipped = await ordered(narrow, after).limit(1).offset(request.offset - 1).executeTakeFirst();
    if (!skipped) return [];
    after = { id: String(skipped.id), sortKey: skipped.sort_key };
  }
  return ordered(withKey(base as Untyped), after).limit(request.limit).execute();
}
