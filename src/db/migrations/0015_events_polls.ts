import type { Kysely, Migration } from 'kysely';

// Group events with their RSVPs, signed calendar feed links, and polls on posts.
export const eventsPollsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('event')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('owner_type', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('start_time', 'bigint', (c) => c.notNull())
      .addColumn('end_time', 'bigint')
      .addColumn('timezone', 'text', (c) => c.notNull())
      .addColumn('place', 'text')
      .addColumn('cover_url', 'text')
      .addColumn('category', 'text')
      .addColumn('event_times', 'text', (c) => c.notNull())
      .addColumn('is_canceled', 'integer', (c) => c.notNull())
      .addColumn('is_draft', 'integer', (c) => c.notNull())
      .addColumn('can_guests_invite', 'integer', (c) => c.notNull())
      .addColumn('guest_list_enabled', 'integer', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('event_group_start').on('event').columns(['group_id', 'start_time', 'id']).execute();
    await db.schema.createIndex('event_start').on('event').columns(['start_time', 'id']).execute();
    await db.schema.createIndex('event_owner_start').on('event').columns(['owner_id', 'start_time', 'id']).execute();

    await db.schema
      .createTable('event_rsvp')
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('responder_id', 'text', (c) => c.notNull())
      .addColumn('responder_type', 'text', (c) => c.notNull())
      .addColumn('rsvp_status', 'text', (c) => c.notNull())
      .addColumn('time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('event_rsvp_pk', ['event_id', 'responder_id'])
      .execute();
    await db.schema.createIndex('event_rsvp_status').on('event_rsvp').columns(['event_id', 'rsvp_status', 'time', 'responder_id']).execute();
    await db.schema.createIndex('event_rsvp_responder').on('event_rsvp').columns(['responder_id', 'rsvp_status']).execute();

    await db.schema
      .createTable('calendar_feed')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text')
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('last_used_time', 'bigint')
      .execute();
    await db.schema.createIndex('calendar_feed_member').on('calendar_feed').columns(['member_id', 'group_id']).execute();

    await db.schema
      .createTable('poll')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('post_id', 'text', (c) => c.notNull().unique())
      .addColumn('question', 'text', (c) => c.notNull())
      .addColumn('allow_multiple', 'integer', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('poll_option')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('poll_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('poll_option_poll').on('poll_option').columns(['poll_id', 'position']).execute();
    await db.schema
      .createTable('poll_vote')
      .addColumn('option_id', 'text', (c) => c.notNull())
      .addColumn('poll_id', 'text', (c) => c.notNull())
      .addColumn('voter_id', 'text', (c) => c.notNull())
      .addColumn('voter_type', 'text', (c) => c.notNull())
      .addColumn('time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('poll_vote_pk', ['option_id', 'voter_id'])
      .execute();
    await db.schema.createIndex('poll_vote_poll').on('poll_vote').columns(['poll_id', 'voter_id']).execute();
    await db.schema.createIndex('poll_vote_option').on('poll_vote').columns(['option_id', 'time', 'voter_id']).execute();
  },
  async down(db: Kysely<any>) {
    for (const table of ['poll_vote', 'poll_option', 'poll', 'calendar_feed', 'event_rsvp', 'event']) await db.schema.dropTable(table).execute();
  },
};
