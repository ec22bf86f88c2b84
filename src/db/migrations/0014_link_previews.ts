import type { Kysely, Migration } from 'kysely';

// Authenticated link previews: the domains each integration unfurls, and one preview per shared
// URL of a post, comment or chat message (asked for in the background, kept with its outcome).
// Also the photos of Knowledge Library categories.
export const linkPreviewsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('link_domain')
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('domain', 'text', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('link_domain_pk', ['app_id', 'domain'])
      .execute();
    await db.schema.createIndex('link_domain_domain').on('link_domain').column('domain').execute();

    await db.schema
      .createTable('link_preview')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('object_type', 'text', (c) => c.notNull())
      .addColumn('object_id', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('requester_id', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('title', 'text')
      .addColumn('description', 'text')
      .addColumn('image_url', 'text')
      .addColumn('icon_url', 'text')
      .addColumn('preview_type', 'text')
      .addColumn('privacy', 'text')
      .addColumn('canonical_link', 'text')
      .addColumn('download_url', 'text')
      .addColumn('fields', 'text')
      .addColumn('error', 'text')
      .addColumn('status_code', 'integer')
      .addColumn('latency_ms', 'integer')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('completed_time', 'bigint')
      .execute();
    await db.schema.createIndex('link_preview_object').on('link_preview').columns(['object_type', 'object_id', 'position']).execute();
    // One preview per object, URL and viewer: Workplace asked for every person who sees a link.
    await db.schema.createIndex('link_preview_viewer').on('link_preview').columns(['object_type', 'object_id', 'url', 'requester_id']).unique().execute();
    await db.schema.createIndex('link_preview_due').on('link_preview').columns(['state', 'created_time']).execute();
    await db.schema.createIndex('link_preview_app').on('link_preview').columns(['app_id', 'created_time']).execute();

    await db.schema
      .createTable('knowledge_media')
      .addColumn('category_id', 'text', (c) => c.notNull())
      .addColumn('media_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('knowledge_media_pk', ['category_id', 'media_id'])
      .execute();
    await db.schema.createIndex('knowledge_media_media').on('knowledge_media').column('media_id').execute();
  },
  async down(db: Kysely<any>) {
    for (const table of ['knowledge_media', 'link_preview', 'link_domain']) await db.schema.dropTable(table).execute();
  },
};
