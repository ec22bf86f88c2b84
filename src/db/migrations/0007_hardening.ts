import type { Kysely, Migration } from 'kysely';

// Sign-in back-off shared by every server process (a counter per key), and delivery state of
// the mail outbox (attempts, next try, last error, given up).
export const hardeningMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('sign_in_throttle')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('mail_outbox').addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('mail_outbox').addColumn('next_attempt_time', 'bigint').execute();
    await db.schema.alterTable('mail_outbox').addColumn('last_error', 'text').execute();
    await db.schema.alterTable('mail_outbox').addColumn('failed_time', 'bigint').execute();
    await db.schema.createIndex('mail_outbox_due').on('mail_outbox').columns(['sent_time', 'failed_time', 'next_attempt_time']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('mail_outbox_due').execute();
    for (const column of ['failed_time', 'last_error', 'next_attempt_time', 'attempts']) await db.schema.alterTable('mail_outbox').dropColumn(column).execute();
    await db.schema.dropTable('sign_in_throttle').execute();
  },
};
