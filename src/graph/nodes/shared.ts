import type { IntegrationActor } from '../../domain/actor.js';
import type { EdgeQuery, Presentation } from '../../presenters/types.js';

/** Ascending unless the query asks otherwise. */
export function direction(q: EdgeQuery, fallback: 'asc' | 'desc'): 'asc' | 'desc' {
  if (q.order === 'chronological') return 'asc';
  if (q.order === 'reverse_chronological') return 'desc';
  return fallback;
}

/** Group ids the actor may see, or null for all. */
export function scopeIds(p: Presentation): string[] | null {
  const a = p.actor;
  if ((a.kind === 'integration' || a.kind === 'app') && !a.scopeAll) return [...(a as IntegrationActor).groupIds];
  return null;
}

/** Groups rows by a key, keeping each group in the rows' order: the children of each parent. */
export function byParent<Row>(parents: readonly string[], rows: readonly Row[], keyOf: (row: Row) => string): Row[][] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return parents.map((id) => groups.get(id) ?? []);
}
