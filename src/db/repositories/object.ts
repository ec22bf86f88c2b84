import type { Db } from '../database.js';

/** The node types the object index records (each is a Graph node type of the same name). */
export type ObjectType = 'member' | 'group' | 'post' | 'comment' | 'page' | 'app' | 'photo' | 'community' | 'skill' | 'export_job' | 'reported_content' | 'knowledge_category' | 'knowledge_quick_link' | 'event' | 'question' | 'question_option' | 'group_file' | 'album' | 'doc' | 'video';

// Ids are never reused and never change type, so what an id is can be remembered, per database
// handle. A deleted object still fails its own load afterwards.
const knownByDb = new WeakMap<Db, Map<string, ObjectType>>();
const KNOWN_MAX = 50_000;

/** Records what a new id names; called by the repository that inserts the object, in its transaction. */
export async function indexObject(db: Db, id: string, type: ObjectType): Promise<void> {
  await db.insertInto('object').values({ id, type }).execute();
}

/** What an id names: one primary-key lookup in the object index (remembered per database handle). */
export async function objectTypeOf(db: Db, id: string): Promise<ObjectType | undefined> {
  let known = knownByDb.get(db);
  if (!known) knownByDb.set(db, (known = new Map()));
  const cached = known.get(id);
  if (cached) return cached;
  const row = await db.selectFrom('object').select('type').where('id', '=', id).executeTakeFirst();
  const type = row?.type as ObjectType | undefined;
  if (type) {
    if (known.size >= KNOWN_MAX) known.delete(known.keys().next().value!);
    known.set(id, type);
  }
  return type;
}
