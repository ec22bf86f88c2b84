import { type RawBuilder, sql } from 'kysely';
import type { CompareOp, Condition, FieldKind, Scalar } from '../domain/accountQuery.js';

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

/** ORDER BY parts that put absent values last on both dialects, then break ties by id. */
export function orderParts(spec: ColumnSpec | undefined, descending: boolean, id: RawBuilder<unknown>): RawBuilder<unknown>[] {
  const dir = sql.raw(descending ? 'desc' : 'asc');
  if (!spec) return [sql`${id} ${dir}`];
  const value = spec.kind === 'text' ? sql`lower(${spec.expr})` : spec.expr;
  return [sql`(${spec.expr} is null) asc`, sql`${value} ${dir}`, sql`${id} ${dir}`];
}
