import type { MediaRow } from './media.js';
import type { KnowledgeCategoryTable, KnowledgeQuickLinkTable } from '../knowledgeSchema.js';
import type { Db } from '../database.js';
import { indexObject } from './object.js';

export type KnowledgeCategoryRow = KnowledgeCategoryTable;
export type QuickLinkRow = KnowledgeQuickLinkTable;

// The Knowledge Library is read whole: a community's tree is small (hundreds of pages), and the
// audience of a category depends on every ancestor's.

/** Every category, siblings in order. */
export async function listAllCategories(db: Db): Promise<KnowledgeCategoryRow[]> {
  return db.selectFrom('knowledge_category').selectAll().orderBy('order_index').orderBy('id').execute();
}

export async function findCategoryById(db: Db, id: string): Promise<KnowledgeCategoryRow | undefined> {
  return db.selectFrom('knowledge_category').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertCategory(db: Db, row: KnowledgeCategoryRow): Promise<void> {
  await db.insertInto('knowledge_category').values(row).execute();
  await indexObject(db, row.id, 'knowledge_category');
}

export async function updateCategory(db: Db, id: string, changes: Partial<KnowledgeCategoryRow>): Promise<void> {
  await db.updateTable('knowledge_category').set(changes).where('id', '=', id).execute();
}

/** Deletes categories with their photos (the links and the media rows). */
export async function deleteCategories(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const media = db.selectFrom('knowledge_media').select('media_id').where('category_id', 'in', [...ids]);
  await db.deleteFrom('media').where('id', 'in', media).execute();
  await db.deleteFrom('knowledge_media').where('category_id', 'in', [...ids]).execute();
  await db.deleteFrom('knowledge_category').where('id', 'in', [...ids]).execute();
}

export async function insertKnowledgeMedia(db: Db, categoryId: string, mediaId: string, now: number): Promise<void> {
  const row = await db.selectFrom('knowledge_media').select((eb) => eb.fn.max<number | null>('position').as('n')).where('category_id', '=', categoryId).executeTakeFirst();
  const position = row?.n === null || row?.n === undefined ? 0 : Number(row.n) + 1;
  await db.insertInto('knowledge_media').values({ category_id: categoryId, media_id: mediaId, position, created_time: now }).execute();
}

/** The photos of some categories, in the order they were added, by category. */
export async function mediaOfCategories(db: Db, categoryIds: readonly string[]): Promise<Map<string, MediaRow[]>> {
  const out = new Map<string, MediaRow[]>();
  if (categoryIds.length === 0) return out;
  const rows = await db
    .selectFrom('knowledge_media')
    .innerJoin('media', 'media.id', 'knowledge_media.media_id')
    .selectAll('media')
    .select('knowledge_media.category_id')
    .where('knowledge_media.category_id', 'in', [...new Set(categoryIds)])
    .orderBy('knowledge_media.position')
    .execute();
  for (const { category_id, ...media } of rows) out.set(category_id, [...(out.get(category_id) ?? []), media as MediaRow]);
  return out;
}

/** The next free position among a parent's children (null: the roots). */
export async function nextCategoryIndex(db: Db, parentId: string | null): Promise<number> {
  const q = db.selectFrom('knowledge_category').select((eb) => eb.fn.max<number | null>('order_index').as('n'));
  const row = await (parentId === null ? q.where('parent_id', 'is', null) : q.where('parent_id', '=', parentId)).executeTakeFirst();
  return row?.n === null || row?.n === undefined ? 0 : Number(row.n) + 1;
}

/** Ids of the categories under `id`, at any depth. */
export async function descendantIds(db: Db, id: string): Promise<string[]> {
  const rows = await db.selectFrom('knowledge_category').select(['id', 'parent_id']).execute();
  const children = new Map<string, string[]>();
  for (const r of rows) if (r.parent_id) children.set(r.parent_id, [...(children.get(r.parent_id) ?? []), r.id]);
  const out: string[] = [];
  const stack = [...(children.get(id) ?? [])];
  while (stack.length) {
    const next = stack.pop()!;
    out.push(next);
    stack.push(...(children.get(next) ?? []));
  }
  return out;
}

export async function listQuickLinks(db: Db): Promise<QuickLinkRow[]> {
  return db.selectFrom('knowledge_quick_link').selectAll().orderBy('order_index').orderBy('id').execute();
}

export async function findQuickLinksByIds(db: Db, ids: readonly string[]): Promise<QuickLinkRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('knowledge_quick_link').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

export async function insertQuickLink(db: Db, row: QuickLinkRow): Promise<void> {
  await db.insertInto('knowledge_quick_link').values(row).execute();
  await indexObject(db, row.id, 'knowledge_quick_link');
}

export async function updateQuickLink(db: Db, id: string, changes: Partial<QuickLinkRow>): Promise<void> {
  await db.updateTable('knowledge_quick_link').set(changes).where('id', '=', id).execute();
}

export async function deleteQuickLink(db: Db, id: string): Promise<void> {
  await db.deleteFrom('knowledge_quick_link').where('id', '=', id).execute();
}

export async function nextQuickLinkIndex(db: Db): Promise<number> {
  const row = await db.selectFrom('knowledge_quick_link').select((eb) => eb.fn.max<number | null>('order_index').as('n')).executeTakeFirst();
  return row?.n === null || row?.n === undefined ? 0 : Number(row.n) + 1;
}

export async function isKnowledgeEditor(db: Db, memberId: string): Promise<boolean> {
  return !!(await db.selectFrom('knowledge_editor').select('member_id').where('member_id', '=', memberId).executeTakeFirst());
}

export async function listKnowledgeEditors(db: Db): Promise<string[]> {
  return (await db.selectFrom('knowledge_editor').select('member_id').orderBy('granted_time').execute()).map((r) => r.member_id);
}

export async function setKnowledgeEditor(db: Db, memberId: string, editor: boolean, time: number): Promise<boolean> {
  const had = await isKnowledgeEditor(db, memberId);
  if (had === editor) return false;
  if (editor) await db.insertInto('knowledge_editor').values({ member_id: memberId, granted_time: time }).execute();
  else await db.deleteFrom('knowledge_editor').where('member_id', '=', memberId).execute();
  return true;
}

/** A parent's children (null: the roots), in order. */
export async function childCategories(db: Db, parentId: string | null): Promise<KnowledgeCategoryRow[]> {
  const q = db.selectFrom('knowledge_category').selectAll();
  return (parentId === null ? q.where('parent_id', 'is', null) : q.where('parent_id', '=', parentId)).orderBy('order_index').orderBy('id').execute();
}
