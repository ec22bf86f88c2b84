import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';

/** A position in a list ordered by (sort value, id): what Graph cursors encode. */
export interface Position {
  sort: number | string;
  id: string;
}

export interface PageRequest {
  limit: number;
  /** 'desc' lists newest first (feeds); 'asc' oldest first (chronological comments). */
  order: 'asc' | 'desc';
  after?: Position;
  before?: Position;
}

export interface Page<Row> {
  rows: Row[];
  /** More rows exist past the last one, in the list's order. */
  hasNext: boolean;
  /** More rows exist before the first one. */
  hasPrevious: boolean;
}

/**
 * Runs a keyset-paged query ordered by `sortColumn, idColumn`. `after` moves forward from a
 * position, `before` backward; each asks one row more than the limit to know whether another
 * page follows, and a cheap probe in the other direction tells whether one precedes.
 */
export async function keysetPage<DB, TB extends keyof DB, O extends Record<string, unknown>>(
  base: SelectQueryBuilder<DB, TB, O>,
  columns: { sort: string; id: string },
  request: PageRequest,
): Promise<Page<O>> {
  const backward = request.before !== undefined && request.after === undefined;
  const cursor = backward ? request.before : request.after;
  // Walking backward reads the list in reverse, then flips the page.
  const descending = (request.order === 'desc') !== backward;
  const query = cursor ? base.where(beyond(columns, cursor, descending)) : base;
  const rows = (await query
    .orderBy(sql.ref(columns.sort), descending ? 'desc' : 'asc')
    .orderBy(sql.ref(columns.id), descending ? 'desc' : 'asc')
    .limit(request.limit + 1)
    .execute()) as O[];
  const more = rows.length > request.limit;
  if (more) rows.pop();
  if (backward) rows.reverse();
  let other = false;
  if (cursor) {
    // Is there anything on the other side of the cursor (including the cursor row itself)?
    const probe = await base
      .where(beyond(columns, cursor, !descending, true))
      .select(sql<number>`1`.as('probe'))
      .limit(1)
      .execute();
    other = probe.length > 0;
  }
  return backward ? { rows, hasNext: other, hasPrevious: more } : { rows, hasNext: more, hasPrevious: other };
}

/** The condition "row comes after `p`" in the given direction (optionally including `p`). */
export function beyond(columns: { sort: string; id: string }, p: Position, descending: boolean, inclusive = false) {
  const op = descending ? '<' : '>';
  const sortRef = sql.ref(columns.sort);
  const idRef = sql.ref(columns.id);
  const idOp = sql.raw(inclusive ? `${op}=` : op);
  return sql<boolean>`(${sortRef} ${sql.raw(op)} ${p.sort} or (${sortRef} = ${p.sort} and ${idRef} ${idOp} ${p.id}))` as never;
}

/**
 * The first rows of each of several lists in one statement: a UNION ALL of one ordered, limited
 * subquery per parent. Unlike a window function it reads only the rows it returns from the
 * index, however long each list is. Chunks stay under SQLite's compound-select limit (500).
 */
export async function firstOfEach<O extends Record<string, any>>(
  db: Kysely<any>,
  parentIds: readonly string[],
  order: { sort: keyof O & string; id: keyof O & string; direction: 'asc' | 'desc' },
  build: (parentId: string) => SelectQueryBuilder<any, any, O>,
): Promise<O[]> {
  const out: O[] = [];
  const unique = [...new Set(parentIds)];
  for (let i = 0; i < unique.length; i += 100) {
    let query: SelectQueryBuilder<any, any, any> | undefined;
    unique.slice(i, i + 100).forEach((id, j) => {
      const part = db
        .selectFrom(build(id).orderBy(sql.ref(order.sort), order.direction).orderBy(sql.ref(order.id), order.direction).as(`p${j}`))
        .selectAll();
      query = query ? query.unionAll(part) : part;
    });
    out.push(...((await query!.execute()) as O[]));
  }
  // UNION ALL promises no order across or within its parts: restore it here.
  const sign = order.direction === 'asc' ? 1 : -1;
  return out.sort((a, b) => {
    const x = a[order.sort];
    const y = b[order.sort];
    if (x !== y) return (x < y ? -1 : 1) * sign;
    return (a[order.id] < b[order.id] ? -1 : a[order.id] > b[order.id] ? 1 : 0) * sign;
  });
}
