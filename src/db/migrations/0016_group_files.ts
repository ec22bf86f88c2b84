import type { Kysely, Migration } from 'kysely';

// Group content: files (uploaded by POST /group_file_revisions, attached to posts with files=),
// photo albums and docs (each backed by the post that shows it in the feed; docs keep every
// revision), videos with their resumable upload sessions, requests to join and former members of groups, and the trash of stored
// files whose rows are gone, emptied after each commit and by housekeeping.
export const groupFilesMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('group_file')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('owner_type', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text')
      .addColumn('post_id', 'text')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('file_name', 'text', (c) => c.notNull())
      .addColumn('mime_type', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('group_file_group').on('group_file').columns(['group_id', 'updated_time', 'id']).execute();
    await db.schema.createIndex('group_file_post').on('group_file').column('post_id').execute();
    await db.schema.createIndex('group_file_unattached').on('group_file').columns(['post_id', 'created_time']).execute();

    await db.schema
      .createTable('album')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('post_id', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('owner_type', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('location', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('album_group').on('album').columns(['group_id', 'created_time', 'id']).execute();
    await db.schema.createIndex('album_post').on('album').column('post_id').execute();
    await db.schema.alterTable('media').addColumn('album_id', 'text').execute();
    await db.schema.createIndex('media_album').on('media').columns(['album_id', 'created_time', 'id']).execute();

    await db.schema
      .createTable('doc')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('post_id', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('owner_type', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('doc_group').on('doc').columns(['group_id', 'updated_time', 'id']).execute();
    await db.schema.createIndex('doc_post').on('doc').column('post_id').execute();
    await db.schema
      .createTable('doc_revision')
      .addColumn('doc_id', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('editor_id', 'text', (c) => c.notNull())
      .addColumn('editor_type', 'text', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('doc_revision_pk', ['doc_id', 'revision'])
      .execute();

    await db.schema
      .createTable('group_member_request')
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('requested_time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('group_member_request_pk', ['group_id', 'member_id'])
      .execute();
    await db.schema.createIndex('group_member_request_time').on('group_member_request').columns(['group_id', 'requested_time', 'member_id']).execute();
    await db.schema
      .createTable('group_former_member')
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('left_time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('group_former_member_pk', ['group_id', 'member_id'])
      .execute();
    await db.schema.createIndex('group_former_member_time').on('group_former_member').columns(['group_id', 'left_time', 'member_id']).execute();

    await db.schema
      .createTable('video')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('owner_type', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('post_id', 'text')
      .addColumn('title', 'text')
      .addColumn('description', 'text')
      .addColumn('source_url', 'text')
      .addColumn('file_name', 'text')
      .addColumn('mime_type', 'text')
      .addColumn('size', 'bigint')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('video_group').on('video').columns(['group_id', 'created_time', 'id']).execute();
    await db.schema.createIndex('video_post').on('video').column('post_id').execute();
    await db.schema
      .createTable('video_upload')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('file_size', 'bigint', (c) => c.notNull())
      .addColumn('received', 'bigint', (c) => c.notNull())
      .addColumn('chunks', 'integer', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('media_trash')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('media_album').execute();
    await db.schema.alterTable('media').dropColumn('album_id').execute();
    for (const table of ['media_trash', 'video_upload', 'video', 'group_former_member', 'group_member_request', 'doc_revision', 'doc', 'album', 'group_file']) await db.schema.dropTable(table).execute();
  },
};
