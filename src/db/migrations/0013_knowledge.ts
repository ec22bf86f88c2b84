import type { Kysely, Migration } from 'kysely';

// The Knowledge Library: categories (a tree of pages with a read audience), quick links, and
// the members who edit it.
export const knowledgeMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('knowledge_category')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('parent_id', 'text')
      .addColumn('order_index', 'integer', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('json_content', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('color', 'text')
      .addColumn('icon', 'text')
      .addColumn('audience_type', 'text', (c) => c.notNull())
      .addColumn('audience_groups', 'text', (c) => c.notNull())
      .addColumn('audience_users', 'text', (c) => c.notNull())
      .addColumn('audience_conditions', 'text', (c) => c.notNull())
      .addColumn('search_text', 'text', (c) => c.notNull())
      .addColumn('last_editor_type', 'text', (c) => c.notNull())
      .addColumn('last_editor_id', 'text')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('last_updated', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('knowledge_category_parent').on('knowledge_category').columns(['parent_id', 'order_index', 'id']).execute();

    await db.schema
      .createTable('knowledge_quick_link')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('link', 'text', (c) => c.notNull())
      .addColumn('order_index', 'integer', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('knowledge_editor')
      .addColumn('member_id', 'text', (c) => c.primaryKey())
      .addColumn('granted_time', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    for (const table of ['knowledge_editor', 'knowledge_quick_link', 'knowledge_category']) await db.schema.dropTable(table).execute();
  },
};
