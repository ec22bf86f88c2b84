import type { Kysely, Migration } from 'kysely';

// Community features: custom badges and awarded badges, skills, background data export jobs
// (with author indexes on posts and comments for their activity columns), reported content.
export const communityMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('custom_badge')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('icon', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('deleted_time', 'bigint')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('member_badge')
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('badge', 'text', (c) => c.notNull())
      .addColumn('awarded_by_type', 'text', (c) => c.notNull())
      .addColumn('awarded_by_id', 'text')
      .addColumn('awarded_time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('member_badge_pk', ['member_id', 'badge'])
      .execute();
    await db.schema.createIndex('member_badge_badge').on('member_badge').columns(['badge', 'member_id']).execute();

    await db.schema
      .createTable('skill')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_lower', 'text', (c) => c.notNull().unique())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('member_skill')
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('skill_id', 'text', (c) => c.notNull())
      .addColumn('added_time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('member_skill_pk', ['member_id', 'skill_id'])
      .execute();
    await db.schema.createIndex('member_skill_skill').on('member_skill').columns(['skill_id', 'member_id']).execute();

    await db.schema
      .createTable('export_job')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('requested_by_type', 'text', (c) => c.notNull())
      .addColumn('requested_by_id', 'text')
      .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('file_name', 'text')
      .addColumn('error', 'text')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('started_time', 'bigint')
      .addColumn('finished_time', 'bigint')
      .execute();
    await db.schema.createIndex('export_job_due').on('export_job').columns(['status', 'created_time']).execute();
    await db.schema
      .createTable('reported_content')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('object_id', 'text', (c) => c.notNull())
      .addColumn('object_type', 'text', (c) => c.notNull())
      .addColumn('post_id', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('author_id', 'text', (c) => c.notNull())
      .addColumn('excerpt', 'text', (c) => c.notNull())
      .addColumn('reporter_type', 'text', (c) => c.notNull())
      .addColumn('reporter_id', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('resolution', 'text')
      .addColumn('resolution_note', 'text')
      .addColumn('resolved_by_type', 'text')
      .addColumn('resolved_by_id', 'text')
      .addColumn('resolved_time', 'bigint')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('reported_content_status').on('reported_content').columns(['status', 'created_time', 'id']).execute();
    await db.schema.createIndex('reported_content_object').on('reported_content').columns(['object_id', 'reporter_id']).execute();

    // The export's activity columns count each member's posts and comments.
    await db.schema.createIndex('post_author').on('post').columns(['author_id', 'created_time']).execute();
    await db.schema.createIndex('comment_author').on('comment').columns(['author_id', 'created_time']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('comment_author').execute();
    await db.schema.dropIndex('post_author').execute();
    for (const table of ['reported_content', 'export_job', 'member_skill', 'skill', 'member_badge', 'custom_badge']) await db.schema.dropTable(table).execute();
  },
};
