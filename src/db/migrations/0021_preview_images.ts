import type { Kysely, Migration } from 'kysely';

// A link preview's image and icon are fetched once by the server and kept as photos (served by
// signed, expiring /media links, never by the viewer's browser from the integration's host).
// link_preview_media marks those photos, so the ones no preview uses any more are removed with
// their files.
export const previewImagesMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('link_preview').addColumn('image_media_id', 'text').execute();
    await db.schema.alterTable('link_preview').addColumn('icon_media_id', 'text').execute();
    await db.schema
      .createTable('link_preview_media')
      .addColumn('media_id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('source_url', 'text', (c) => c.notNull())
      .addColumn('used_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('link_preview_media_source').on('link_preview_media').columns(['app_id', 'source_url']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('link_preview_media').execute();
    await db.schema.alterTable('link_preview').dropColumn('icon_media_id').execute();
    await db.schema.alterTable('link_preview').dropColumn('image_media_id').execute();
  },
};
