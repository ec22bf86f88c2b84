import { sql } from 'kysely';
import type { Db, DialectName } from '../database.js';
import type { LinkDomainTable, LinkPreviewObject, LinkPreviewTable } from '../linkPreviewSchema.js';

export type LinkDomainRow = LinkDomainTable;
export type LinkPreviewRow = LinkPreviewTable;

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

/** The previews of some objects, in URL order. */
export async function previewsOf(db: Db, objectType: LinkPreviewObject, objectIds: readonly string[]): Promise<Map<string, LinkPreviewRow[]>> {
  const out = new Map<string, LinkPreviewRow[]>();
  if (objectIds.length === 0) return out;
  const rows = await db
    .selectFrom('link_preview')
    .selectAll()
    .where('object_type', '=', objectType)
    .where('object_id', 'in', [...new Set(objectIds)])
    .orderBy('object_id')
    .orderBy('position')
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
