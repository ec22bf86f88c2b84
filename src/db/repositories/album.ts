import type { Db } from '../database.js';
import type { AlbumTable } from '../groupContentSchema.js';
import { firstOfEach, keysetPage, type Page, type PageRequest } from '../keyset.js';
import type { MediaRow } from './media.js';
import { indexObject } from './object.js';

export type AlbumRow = AlbumTable;

export async function insertAlbum(db: Db, row: AlbumRow): Promise<void> {
  await db.insertInto('album').values(row).execute();
  await indexObject(db, row.id, 'album');
}

export async function findAlbumsByIds(db: Db, ids: readonly string[]): Promise<AlbumRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('album').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

/** The album each post shows, by post id. */
export async function albumsOfPosts(db: Db, postIds: readonly string[]): Promise<Map<string, AlbumRow>> {
  if (postIds.length === 0) return new Map();
  const rows = await db.selectFrom('album').selectAll().where('post_id', 'in', [...new Set(postIds)]).execute();
  return new Map(rows.map((r) => [r.post_id, r]));
}

export async function touchAlbum(db: Db, id: string, now: number): Promise<void> {
  await db.updateTable('album').set({ updated_time: now }).where('id', '=', id).execute();
}

/** Albums of a group, newest first. */
export async function listGroupAlbums(db: Db, groupId: string, page: PageRequest): Promise<Page<AlbumRow>> {
  return keysetPage(db.selectFrom('album').selectAll().where('group_id', '=', groupId), { sort: 'created_time', id: 'id' }, page);
}

export async function listGroupAlbumsOfMany(db: Db, groupIds: readonly string[], order: 'asc' | 'desc', limit: number): Promise<AlbumRow[]> {
  return firstOfEach(db, groupIds, { sort: 'created_time', id: 'id', direction: order }, (groupId) =>
    db.selectFrom('album').selectAll().where('group_id', '=', groupId).limit(limit + 1),
  );
}

/** Photos of an album, in the order they were added. */
export async function listAlbumPhotos(db: Db, albumId: string, page: PageRequest): Promise<Page<MediaRow>> {
  return keysetPage(db.selectFrom('media').selectAll().where('album_id', '=', albumId), { sort: 'created_time', id: 'id' }, page);
}

export async function listAlbumPhotosOfMany(db: Db, albumIds: readonly string[], order: 'asc' | 'desc', limit: number): Promise<MediaRow[]> {
  return firstOfEach(db, albumIds, { sort: 'created_time', id: 'id', direction: order }, (albumId) =>
    db.selectFrom('media').selectAll().where('album_id', '=', albumId).limit(limit + 1),
  );
}

/** How many photos each album holds. */
export async function countAlbumPhotos(db: Db, albumIds: readonly string[]): Promise<Map<string, number>> {
  if (albumIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('media')
    .select(['album_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('album_id', 'in', [...new Set(albumIds)])
    .groupBy('album_id')
    .execute();
  return new Map(rows.map((r) => [r.album_id!, Number(r.n)]));
}

/** The first photo of each album (its cover), in one statement. */
export async function albumCovers(db: Db, albumIds: readonly string[]): Promise<Map<string, MediaRow>> {
  const rows = await listAlbumPhotosOfMany(db, albumIds, 'asc', 0);
  return new Map(rows.map((m) => [m.album_id!, m]));
}

export async function putPhotosInAlbum(db: Db, albumId: string, mediaIds: readonly string[]): Promise<void> {
  if (mediaIds.length === 0) return;
  await db.updateTable('media').set({ album_id: albumId }).where('id', 'in', [...mediaIds]).execute();
}

/** Deletes the albums posts show (the photos stay, as loose group photos). */
export async function deleteAlbumsOfPosts(db: Db, postIds: readonly string[]): Promise<void> {
  if (postIds.length === 0) return;
  const albums = db.selectFrom('album').select('id').where('post_id', 'in', [...postIds]);
  await db.updateTable('media').set({ album_id: null }).where('album_id', 'in', albums).execute();
  await db.deleteFrom('album').where('post_id', 'in', [...postIds]).execute();
}
