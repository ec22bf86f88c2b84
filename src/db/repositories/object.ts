import { sql } from 'kysely';
import type { Db } from '../database.js';

export type ObjectType = 'member' | 'group' | 'post' | 'comment' | 'page' | 'app' | 'media' | 'community';

/** Which table holds an id: one query over every primary key. */
export async function objectTypeOf(db: Db, id: string): Promise<ObjectType | undefined> {
  const result = await sql<{ t: ObjectType }>`
    select 'member' as t from member where id = ${id}
    union all select 'group' from work_group where id = ${id}
    union all select 'post' from post where id = ${id}
    union all select 'comment' from comment where id = ${id}
    union all select 'page' from page where id = ${id}
    union all select 'app' from app where id = ${id}
    union all select 'media' from media where id = ${id}
    union all select 'community' from community where id = ${id}
    limit 1`.execute(db);
  return result.rows[0]?.t;
}
