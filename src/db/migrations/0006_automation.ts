import { type Kysely, type Migration, sql } from 'kysely';

// Automation (issue 13): incoming webhooks with their delivery log and the posts they keep
// updating, RSS/Atom feed subscriptions with the items already posted, group membership rules
// with the members they added, and the leases of scheduled jobs.
export const automationMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('incoming_hook')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('app_id', 'text')
      .addColumn('page_id', 'text', (c) => c.notNull())
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('key_hint', 'text', (c) => c.notNull())
      .addColumn('signing_secret_sealed', 'text')
      .addColumn('allow_overrides', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('allow_broadcast', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rate_per_minute', 'integer', (c) => c.notNull())
      .addColumn('rate_window_start', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('rate_window_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('revoked_time', 'bigint')
      .addColumn('post_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_used_time', 'bigint')
      .addColumn('created_by', 'text')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('incoming_hook_target').on('incoming_hook').columns(['target_type', 'target_id']).execute();
    await db.schema.createIndex('incoming_hook_app').on('incoming_hook').column('app_id').execute();

    await db.schema
      .createTable('hook_delivery')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('hook_id', 'text', (c) => c.notNull())
      .addColumn('time', 'bigint', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('answer', 'text', (c) => c.notNull())
      .addColumn('event', 'text')
      .addColumn('request_excerpt', 'text', (c) => c.notNull())
      .addColumn('rendered', 'text')
      .addColumn('object_id', 'text')
      .execute();
    await db.schema.createIndex('hook_delivery_hook_time').on('hook_delivery').columns(['hook_id', 'time', 'id']).execute();

    await db.schema
      .createTable('hook_thread')
      .addColumn('hook_id', 'text', (c) => c.notNull())
      .addColumn('external_key', 'text', (c) => c.notNull())
      .addColumn('post_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text')
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('hook_thread_pk', ['hook_id', 'external_key'])
      .execute();

    await db.schema
      .createTable('feed_subscription')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('title', 'text')
      .addColumn('page_id', 'text', (c) => c.notNull())
      .addColumn('interval_ms', 'bigint', (c) => c.notNull())
      .addColumn('etag', 'text')
      .addColumn('last_modified', 'text')
      .addColumn('next_poll_time', 'bigint', (c) => c.notNull())
      .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('paused_reason', 'text')
      .addColumn('last_error', 'text')
      .addColumn('last_poll_time', 'bigint')
      .addColumn('last_success_time', 'bigint')
      .addColumn('last_item_title', 'text')
      .addColumn('last_item_time', 'bigint')
      .addColumn('item_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('created_by', 'text')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('feed_subscription_group_url', ['group_id', 'url'])
      .execute();
    await db.schema.createIndex('feed_subscription_due').on('feed_subscription').column('next_poll_time').execute();

    await db.schema
      .createTable('feed_item')
      .addColumn('feed_id', 'text', (c) => c.notNull())
      .addColumn('guid', 'text', (c) => c.notNull())
      .addColumn('post_id', 'text')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('feed_item_pk', ['feed_id', 'guid'])
      .execute();

    await db.schema
      .createTable('membership_rule')
      .addColumn('group_id', 'text', (c) => c.primaryKey())
      .addColumn('expression', 'text', (c) => c.notNull())
      .addColumn('keep_manual', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('last_evaluated_time', 'bigint')
      .addColumn('created_by', 'text')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('rule_membership')
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('added_time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('rule_membership_pk', ['group_id', 'member_id'])
      .execute();
    await sql`create index rule_membership_member on rule_membership (member_id)`.execute(db);

    await db.schema
      .createTable('job_lease')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text')
      .addColumn('until', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('last_run_time', 'bigint')
      .execute();
  },
};
