import { sql } from 'kysely';
import type { Db } from '../database.js';

export type ObjectType = 'member' | 'group' | 'post' | 'comment' | 'page' | 'app' | 'media' | 'community' | 'skill' | 'export_job' | 'reported_content';

// Ids are never reused and never change table, so what an id is can be remembered, per
// database handle. A deleted object still fails its own lookup afterwards.
const knownByDb = new WeakMap<Db, Map<string, ObjectType>>();
const KNOWN_MAX = 50_000;

/** Which table holds an id: one query over every primary key (remembered per database handle). */
export async function objectTypeOf(db: Db, id: string): Promise<ObjectType | undefined> {
  let known = knownByDb.get(db);
  if (!known) knownByDb.set(db, (known = new Map()));
  const cached = known.get(id);
  if (cached) return cached;
  const type = await lookup(db, id);
  if (type) {
    if (known.size >= KNOWN_MAX) known.delete(known.keys().next().value!);
    known.set(id, type);
  }
  return type;
}

async function lookup(db: Db, id: string): Promise<ObjectType | undefined> {
  const result = await sql<{ t: ObjectType }>`
    select 'member' as t from member where id = ${id}
    union all select 'group' from work_group where id = ${id}
    union all select 'post' from post where id = ${id}
    union all select 'comment' from comment where id = ${id}
    union all select 'page' from page where id = ${id}
    union all select 'app' from app where id = ${id}
    union all select 'media' from media where id = ${id}
    union all select 'community' from community where id = ${id}
    union all select 'skill' from skill where id = ${id}
    union all select 'export_job' from export_job where id = ${id}
    union all select 'reported_content' from reported_content where id = ${id}
    limit 1`.execute(db);
  return result.rows[0]?.t;
}
