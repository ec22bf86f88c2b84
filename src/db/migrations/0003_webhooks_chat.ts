import { type Kysely, type Migration, sql } from 'kysely';

// Webhook subscriptions, deliveries (lanes, attempts), per-integration webhook settings, and
// Work Chat (threads, participants, messages, files, Messenger profiles). The outbox gains `seq`,
// the delivery order the fan-out gives each event.
export const webhooksChatMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('outbox').addColumn('seq', 'bigint').execute();
    await db.schema.createIndex('outbox_seq').on('outbox').column('seq').execute();
    await sql`create index outbox_unsent on outbox (created_time, id) where seq is null`.execute(db);

    await db.schema
      .createTable('webhook_subscription')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('fields', 'text', (c) => c.notNull())
      .addColumn('callback_url', 'text', (c) => c.notNull())
      .addColumn('verify_token_sealed', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('failing_since', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('last_failure_time', 'bigint')
      .addColumn('last_success_time', 'bigint')
      .addColumn('verified_time', 'bigint', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('webhook_subscription_app_topic', ['app_id', 'topic'])
      .execute();

    await db.schema
      .createTable('webhook_delivery')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('event_seq', 'bigint', (c) => c.notNull())
      .addColumn('subscription_id', 'text', (c) => c.notNull())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('ordering_key', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_time', 'bigint')
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('first_attempt_time', 'bigint')
      .addColumn('last_attempt_time', 'bigint')
      .addColumn('delivered_time', 'bigint')
      .addColumn('last_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('redelivery_of', 'text')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();
    await sql`create index webhook_delivery_lane on webhook_delivery (subscription_id, ordering_key, event_seq, id) where state = 'pending'`.execute(db);
    await db.schema.createIndex('webhook_delivery_app_time').on('webhook_delivery').columns(['app_id', 'created_time', 'id']).execute();
    await db.schema.createIndex('webhook_delivery_app_state').on('webhook_delivery').columns(['app_id', 'state']).execute();
    await db.schema.createIndex('webhook_delivery_event').on('webhook_delivery').columns(['event_id', 'app_id']).execute();
    await db.schema.createIndex('webhook_delivery_redelivery').on('webhook_delivery').column('redelivery_of').execute();

    await db.schema
      .createTable('webhook_lane')
      .addColumn('subscription_id', 'text', (c) => c.notNull())
      .addColumn('ordering_key', 'text', (c) => c.notNull())
      .addColumn('next_time', 'bigint')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('webhook_lane_pk', ['subscription_id', 'ordering_key'])
      .execute();
    await sql`create index webhook_lane_due on webhook_lane (next_time) where next_time is not null`.execute(db);

    await db.schema
      .createTable('webhook_attempt')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('delivery_id', 'text', (c) => c.notNull())
      .addColumn('app_id', 'text', (c) => c.notNull())
      .addColumn('subscription_id', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('time', 'bigint', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('request_headers', 'text', (c) => c.notNull())
      .addColumn('request_body', 'text', (c) => c.notNull())
      .addColumn('response_status', 'integer')
      .addColumn('response_body', 'text')
      .addColumn('error', 'text')
      .addColumn('latency_ms', 'integer')
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('next_retry_time', 'bigint')
      .addColumn('worker', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('webhook_attempt_delivery').on('webhook_attempt').columns(['delivery_id', 'attempt']).execute();
    await db.schema.createIndex('webhook_attempt_time').on('webhook_attempt').columns(['time']).execute();

    await db.schema
      .createTable('app_webhook_settings')
      .addColumn('app_id', 'text', (c) => c.primaryKey())
      .addColumn('allowed_hosts', 'text', (c) => c.notNull())
      .addColumn('previous_secret_sealed', 'text')
      .addColumn('previous_secret_expires', 'bigint')
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('chat_thread')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('pair_key', 'text', (c) => c.unique())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('chat_participant')
      .addColumn('thread_id', 'text', (c) => c.notNull())
      .addColumn('profile_id', 'text', (c) => c.notNull())
      .addColumn('profile_type', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('joined_time', 'bigint', (c) => c.notNull())
      .addColumn('left_time', 'bigint')
      .addColumn('delivered_watermark', 'bigint')
      .addColumn('read_watermark', 'bigint')
      .addColumn('typing_until', 'bigint')
      .addPrimaryKeyConstraint('chat_participant_pk', ['thread_id', 'profile_id'])
      .execute();
    await db.schema.createIndex('chat_participant_profile').on('chat_participant').columns(['profile_id', 'thread_id']).execute();

    await db.schema
      .createTable('chat_message')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('thread_id', 'text', (c) => c.notNull())
      .addColumn('sender_id', 'text', (c) => c.notNull())
      .addColumn('sender_type', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('text', 'text')
      .addColumn('quick_replies', 'text')
      .addColumn('attachments', 'text')
      .addColumn('quick_reply_payload', 'text')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('chat_message_thread_time').on('chat_message').columns(['thread_id', 'created_time', 'id']).execute();

    await db.schema
      .createTable('chat_file')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('url', 'text')
      .addColumn('file_name', 'text')
      .addColumn('name', 'text')
      .addColumn('mime_type', 'text')
      .addColumn('size', 'bigint')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('messenger_profile')
      .addColumn('page_id', 'text', (c) => c.primaryKey())
      .addColumn('greeting', 'text')
      .addColumn('get_started', 'text')
      .addColumn('persistent_menu', 'text')
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();
  },
};
