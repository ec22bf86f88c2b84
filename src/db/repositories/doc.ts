import type { Db } from '../database.js';
import type { DocRevisionTable, DocTable } from '../groupContentSchema.js';
import { firstOfEach, keysetPage, type Page, type PageRequest } from '../keyset.js';
import { indexObject } from './object.js';

export type DocRow = DocTable;
export type DocRevisionRow = DocRevisionTable;

export async function insertDoc(db: Db, row: DocRow, revision: DocRevisionRow): Promise<void> {
  await db.insertInto('doc').values(row).execute();
  await db.insertInto('doc_revision').values(revision).execute();
  await indexObject(db, row.id, 'doc');
}

export async function findDocsByIds(db: Db, ids: readonly string[]): Promise<DocRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('doc').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

/** Writes a new revision and makes it current. */
export async function reviseDoc(db: Db, id: string, revision: DocRevisionRow): Promise<void> {
  await db.updateTable('doc').set({ title: revision.title, body: revision.body, revision: revision.revision, updated_time: revision.created_time }).where('id', '=', id).execute();
  await db.insertInto('doc_revision').values(revision).execute();
}

/** Docs of a group, most recently updated first. */
export async function listGroupDocs(db: Db, groupId: string, page: PageRequest): Promise<Page<DocRow>> {
  return keysetPage(db.selectFrom('doc').selectAll().where('group_id', '=', groupId), { sort: 'updated_time', id: 'id' }, page);
}

export async function listGroupDocsOfMany(db: Db, groupIds: readonly string[], order: 'asc' | 'desc', limit: number): Promise<DocRow[]> {
  return firstOfEach(db, groupIds, { sort: 'updated_time', id: 'id', direction: order }, (groupId) =>
    db.selectFrom('doc').selectAll().where('group_id', '=', groupId).limit(limit + 1),
  );
}

/** A doc's revisions, newest first by default. */
export async function listDocRevisions(db: Db, docId: string, page: PageRequest): Promise<Page<DocRevisionRow>> {
  return keysetPage(db.selectFrom('doc_revision').selectAll().where('doc_id', '=', docId), { sort: 'revision', id: 'doc_id' }, page);
}

export async function listDocRevisionsOfMany(db: Db, docIds: readonly string[], order: 'asc' | 'desc', limit: number): Promise<DocRevisionRow[]> {
  return firstOfEach(db, docIds, { sort: 'revision', id: 'doc_id', direction: order }, (docId) =>
    db.selectFrom('doc_revision').selectAll().where('doc_id', '=', docId).limit(limit + 1),
  );
}

/** Deletes the docs posts show, with every revision. */
export async function deleteDocsOfPosts(db: Db, postIds: readonly string[]): Promise<void> {
  if (postIds.length === 0) return;
  const docs = db.selectFrom('doc').select('id').where('post_id', 'in', [...postIds]);
  await db.deleteFrom('doc_revision').where('doc_id', 'in', docs).execute();
  await db.deleteFrom('doc').where('post_id', 'in', [...postIds]).execute();
}
