import { sql } from 'kysely';
import type { Db, DialectName } from '../database.js';
import type { LinkDomainTable, LinkPreviewObject, LinkPreviewTable } from '../linkPreviewSchema.js';

export type LinkDomainRow = LinkDomainTable;
export type LinkPreviewRow = LinkPreviewTable;
/** A preview as read for showing: with the stored file names of its image and icon (null when there is none). */
export type ShownPreviewRow = LinkPreviewRow & { image_file: string | null; icon_file: string | null };

export async function listLinkDomains(db: Db, appId: string): Promise<string[]> {
  const rows = await db.selectFrom('link_domain').select('domain').where('app_id', '=', appId).orderBy('domain').execute();
  return rows.map((r) => r.domain);
}

/** Every registered domain with its integration. */
export async function listAllLinkDomains(db: Db): Promise<LinkDomainRow[]> {
  return db.selectFrom('link_domain').selectAll().orderBy('domain').orderBy('app_id').execute();
}

export async function replaceLinkDomains(db: Db, appId: string, domains: readonly string[], now: number): Promise<void> {
  await db.deleteFrom('link_domain').where('app_id', '=', appId).execute();
  if (domains.length) await db.insertInto('link_domain').values(domains.map((domain) => ({ app_id: appId, domain, created_time: now }))).execute();
}

export async function deleteLinkDataOfApp(db: Db, appId: string): Promise<void> {
  await db.deleteFrom('link_domain').where('app_id', '=', appId).execute();
  await db.deleteFrom('link_preview').where('app_id', '=', appId).execute();
}

/** Inserts previews; one that exists for the same object, URL and viewer is left as it is. */
export async function insertLinkPreviews(db: Db, rows: readonly LinkPreviewRow[]): Promise<void> {
  if (rows.length) await db.insertInto('link_preview').values([...rows]).onConflict((oc) => oc.columns(['object_type', 'object_id', 'url', 'requester_id']).doNothing()).execute();
}

export async function deleteLinkPreviewsOf(db: Db, objectType: LinkPreviewObject, objectIds: readonly string[]): Promise<void> {
  if (objectIds.length) await db.deleteFrom('link_preview').where('object_type', '=', objectType).where('object_id', 'in', [...objectIds]).execute();
}

export async function deleteLinkPreviewsByIds(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length) await db.deleteFrom('link_preview').where('id', 'in', [...ids]).execute();
}

/** The previews of some objects, in URL order, with their stored image and icon files. */
export async function previewsOf(db: Db, objectType: LinkPreviewObject, objectIds: readonly string[]): Promise<Map<string, ShownPreviewRow[]>> {
  const out = new Map<string, ShownPreviewRow[]>();
  if (objectIds.length === 0) return out;
  const rows = await db
    .selectFrom('link_preview')
    .leftJoin('media as image', 'image.id', 'link_preview.image_media_id')
    .leftJoin('media as icon', 'icon.id', 'link_preview.icon_media_id')
    .selectAll('link_preview')
    .select(['image.file_name as image_file', 'icon.file_name as icon_file'])
    .where('link_preview.object_type', '=', objectType)
    .where('link_preview.object_id', 'in', [...new Set(objectIds)])
    .orderBy('link_preview.object_id')
    .orderBy('link_preview.position')
    .execute();
  for (const row of rows) {
    const list = out.get(row.object_id) ?? [];
    list.push(row);
    out.set(row.object_id, list);
  }
  return out;
}

export async function recentPreviewsOfApp(db: Db, appId: string, limit: number): Promise<LinkPreviewRow[]> {
  return db.selectFrom('link_preview').selectAll().where('app_id', '=', appId).orderBy('created_time', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Leases up to `limit` previews that wait, or whose asker's lease ran out (a process that died
 * mid-request). On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several processes claim at once.
 */
export async function claimLinkPreviews(db: Db, dialect: DialectName, owner: string, now: number, leaseMs: number, limit: number): Promise<LinkPreviewRow[]> {
  const lock = dialect === 'postgres' ? sql`for update skip locked` : sql``;
  const result = await sql<LinkPreviewRow>`
    update link_preview
       set state = 'running', lease_owner = ${owner}, lease_until = ${now + leaseMs}, attempts = attempts + 1
     where id in (select id from link_preview
                   where state = 'pending' or (state = 'running' and lease_until < ${now})
                   order by created_time, id limit ${limit} ${lock})
    returning *`.execute(db);
  return result.rows.map((r) => ({ ...r, attempts: Number(r.attempts), position: Number(r.position), created_time: Number(r.created_time) }));
}

/** Ends a leased preview; false when its lease had passed to another asker. */
export async function finishLinkPreview(db: Db, id: string, owner: string, changes: Partial<LinkPreviewRow>): Promise<boolean> {
  const result = await db
    .updateTable('link_preview')
    .set({ ...changes, lease_owner: null, lease_until: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function hasDueLinkPreviews(db: Db, now: number): Promise<boolean> {
  const row = await db
    .selectFrom('link_preview')
    .select('id')
    .where((eb) => eb.or([eb('state', '=', 'pending'), eb.and([eb('state', '=', 'running'), eb('lease_until', '<', now)])]))
    .limit(1)
    .executeTakeFirst();
  return !!row;
}

/** The stored copy of an image an integration answered, if one is kept; taking it keeps it from the sweep a while. */
export async function takePreviewMedia(db: Db, appId: string, sourceUrl: string, now: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('link_preview_media')
    .innerJoin('media', 'media.id', 'link_preview_media.media_id')
    .select('link_preview_media.media_id')
    .where('link_preview_media.app_id', '=', appId)
    .where('link_preview_media.source_url', '=', sourceUrl)
    .where('media.file_name', 'is not', null)
    .orderBy('link_preview_media.used_time', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  await db.updateTable('link_preview_media').set({ used_time: now }).where('media_id', '=', row.media_id).execute();
  return row.media_id;
}

export async function insertPreviewMedia(db: Db, row: { media_id: string; app_id: string; source_url: string; used_time: number }): Promise<void> {
  await db.insertInto('link_preview_media').values(row).execute();
}

/** Preview photos no preview uses, last taken before `before`, with their files. */
export async function unusedPreviewMedia(db: Db, before: number, limit: number): Promise<{ media_id: string; file_name: string | null }[]> {
  return db
    .selectFrom('link_preview_media')
    .leftJoin('media', 'media.id', 'link_preview_media.media_id')
    .select(['link_preview_media.media_id', 'media.file_name'])
    .where('link_preview_media.used_time', '<', before)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('link_preview')
            .select('link_preview.id')
            .where((w) => w.or([w('link_preview.image_media_id', '=', w.ref('link_preview_media.media_id')), w('link_preview.icon_media_id', '=', w.ref('link_preview_media.media_id'))])),
        ),
      ),
    )
    .orderBy('link_preview_media.media_id')
    .limit(limit)
    .execute();
}

/** Forgets a preview photo once it is unused (false when a preview took it again meanwhile). */
export async function deleteUnusedPreviewMedia(db: Db, mediaId: string, before: number): Promise<boolean> {
  const result = await db
    .deleteFrom('link_preview_media')
    .where('media_id', '=', mediaId)
    .where('used_time', '<', before)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('link_preview').select('id').where((w) => w.or([w('image_media_id', '=', mediaId), w('icon_media_id', '=', mediaId)])))))
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
