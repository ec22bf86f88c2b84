import type { Kysely, Migration } from 'kysely';

// The community model, integrations, content, audit log and webhook outbox. Types mean the
// same on SQLite and PostgreSQL: text ids, bigint epoch-ms times, integer 0/1 flags, text JSON.
export const coreMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('community')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('member')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text')
      .addColumn('email_lower', 'text', (c) => c.unique())
      .addColumn('first_name', 'text', (c) => c.notNull())
      .addColumn('last_name', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('title', 'text')
      .addColumn('department', 'text')
      .addColumn('division', 'text')
      .addColumn('organization', 'text')
      .addColumn('employee_number', 'text')
      .addColumn('cost_center', 'text')
      .addColumn('locale', 'text')
      .addColumn('primary_phone', 'text')
      .addColumn('primary_address', 'text')
      .addColumn('external_id', 'text', (c) => c.unique())
      .addColumn('manager_id', 'text')
      .addColumn('is_frontline', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('picture_media_id', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('invited_time', 'bigint')
      .addColumn('claimed_time', 'bigint')
      .addColumn('deactivated_time', 'bigint')
      .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('password_hash', 'text')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('member_manager').on('member').column('manager_id').execute();
    await db.schema.createIndex('member_state_name').on('member').columns(['state', 'name', 'id']).execute();

    await db.schema
      .createTable('session')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('expires_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('session_member').on('session').column('member_id').execute();

    await db.schema
      .createTable('work_group')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('privacy', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text')
      .addColumn('post_permissions', 'text', (c) => c.notNull())
      .addColumn('join_setting', 'text', (c) => c.notNull())
      .addColumn('post_requires_admin_approval', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('cover_url', 'text')
      .addColumn('owner_id', 'text')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('group_member')
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('joined_time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('group_member_pk', ['group_id', 'member_id'])
      .execute();
    await db.schema.createIndex('group_member_member').on('group_member').columns(['member_id', 'group_id']).execute();

    await db.schema
      .createTable('page')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('picture_media_id', 'text')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('app')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('page_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('picture_media_id', 'text')
      .addColumn('permissions', 'text', (c) => c.notNull())
      .addColumn('scope_all', 'integer', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('token_hint', 'text', (c) => c.notNull())
      .addColumn('token_time', 'bigint', (c) => c.notNull())
      .addColumn('secret_sealed', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('require_proof', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('auto_invite', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_by', 'text')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .addColumn('last_request_time', 'bigint')
      .execute();

    await db.schema
      .createTable('app_group')
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('app_group_pk', ['app_id', 'group_id'])
      .execute();

    await db.schema
      .createTable('app_usage')
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('requests', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('app_usage_pk', ['app_id', 'day'])
      .execute();

    await db.schema
      .createTable('post')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('feed_id', 'text', (c) => c.notNull())
      .addColumn('feed_type', 'text', (c) => c.notNull())
      .addColumn('author_id', 'text', (c) => c.notNull())
      .addColumn('author_type', 'text', (c) => c.notNull())
      .addColumn('message', 'text')
      .addColumn('formatting', 'text', (c) => c.notNull())
      .addColumn('link', 'text')
      .addColumn('message_tags', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('status_type', 'text', (c) => c.notNull())
      .addColumn('content_hash', 'text', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('post_feed_time').on('post').columns(['feed_id', 'created_time', 'id']).execute();
    await db.schema.createIndex('post_author_time').on('post').columns(['author_id', 'created_time']).execute();

    await db.schema
      .createTable('comment')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('post_id', 'text', (c) => c.notNull())
      .addColumn('parent_id', 'text')
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('author_id', 'text', (c) => c.notNull())
      .addColumn('author_type', 'text', (c) => c.notNull())
      .addColumn('message', 'text')
      .addColumn('message_tags', 'text', (c) => c.notNull())
      .addColumn('media_id', 'text')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('comment_owner_time').on('comment').columns(['owner_id', 'created_time', 'id']).execute();
    await db.schema.createIndex('comment_post').on('comment').column('post_id').execute();

    await db.schema
      .createTable('reaction')
      .addColumn('object_id', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('actor_type', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('reaction_pk', ['object_id', 'actor_id'])
      .execute();
    await db.schema.createIndex('reaction_object_time').on('reaction').columns(['object_id', 'created_time', 'actor_id']).execute();

    await db.schema
      .createTable('seen')
      .addColumn('post_id', 'text', (c) => c.notNull())
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('seen_time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('seen_pk', ['post_id', 'member_id'])
      .execute();

    await db.schema
      .createTable('media')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('owner_type', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('source_url', 'text')
      .addColumn('file_name', 'text')
      .addColumn('mime_type', 'text')
      .addColumn('size', 'bigint')
      .addColumn('caption', 'text')
      .addColumn('published', 'integer', (c) => c.notNull())
      .addColumn('group_id', 'text')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('media_group').on('media').columns(['group_id', 'created_time']).execute();

    await db.schema
      .createTable('post_media')
      .addColumn('post_id', 'text', (c) => c.notNull())
      .addColumn('media_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('post_media_pk', ['post_id', 'media_id'])
      .execute();

    await db.schema
      .createTable('audit_event')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('time', 'bigint', (c) => c.notNull())
      .addColumn('actor_type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text')
      .addColumn('old_value', 'text')
      .addColumn('new_value', 'text')
      .execute();
    await db.schema.createIndex('audit_event_time').on('audit_event').columns(['time', 'id']).execute();
    await db.schema.createIndex('audit_event_actor').on('audit_event').columns(['actor_id', 'time']).execute();

    await db.schema
      .createTable('outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('entry_id', 'text', (c) => c.notNull())
      .addColumn('ordering_key', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('outbox_time').on('outbox').columns(['created_time', 'id']).execute();
  },
};
