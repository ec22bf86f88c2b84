import type { Kysely, Migration } from 'kysely';

// The account lifecycle and the Account Management API: SCIM attributes kept for a faithful
// round trip, secondary emails (filterable), invitations with claim links, the mail outbox,
// and people sets (SCIM Groups).
const memberText = [
  'user_name',
  'user_name_lower',
  'display_name',
  'nick_name',
  'profile_url',
  'user_type',
  'preferred_language',
  'timezone',
  'middle_name',
  'honorific_prefix',
  'honorific_suffix',
  'auth_method',
  'emails_json',
  'phone_numbers_json',
  'addresses_json',
  'photos_json',
] as const;

export const accountsMigration: Migration = {
  async up(db: Kysely<any>) {
    for (const column of memberText) await db.schema.alterTable('member').addColumn(column, 'text').execute();
    await db.schema.alterTable('member').addColumn('start_time', 'bigint').execute();
    await db.schema.alterTable('member').addColumn('term_time', 'bigint').execute();
    await db.schema.createIndex('member_user_name_lower').unique().on('member').column('user_name_lower').execute();
    await db.schema.createIndex('member_updated').on('member').columns(['updated_time', 'id']).execute();
    await db.schema.createIndex('member_created').on('member').columns(['created_time', 'id']).execute();

    await db.schema
      .createTable('member_email')
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('value_lower', 'text', (c) => c.notNull())
      .addColumn('type', 'text')
      .addColumn('is_primary', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('member_email_pk', ['member_id', 'position'])
      .execute();
    await db.schema.createIndex('member_email_value').on('member_email').columns(['value_lower', 'member_id']).execute();

    await db.schema
      .createTable('account_invite')
      .addColumn('member_id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('token_sealed', 'text', (c) => c.notNull())
      .addColumn('access_code_hash', 'text', (c) => c.notNull().unique())
      .addColumn('access_code_sealed', 'text', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('expires_time', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('mail_outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('member_id', 'text')
      .addColumn('to_address', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('sent_time', 'bigint')
      .execute();
    await db.schema.createIndex('mail_outbox_time').on('mail_outbox').columns(['created_time', 'id']).execute();

    await db.schema
      .createTable('people_set')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('display_name_lower', 'text', (c) => c.notNull().unique())
      .addColumn('external_id', 'text', (c) => c.unique())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('updated_time', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('people_set_member')
      .addColumn('set_id', 'text', (c) => c.notNull())
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('added_time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('people_set_member_pk', ['set_id', 'member_id'])
      .execute();
    await db.schema.createIndex('people_set_member_member').on('people_set_member').columns(['member_id', 'set_id']).execute();
  },
};
