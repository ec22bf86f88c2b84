import { type Kysely, type Migration, PostgresAdapter, sql } from 'kysely';

// State several server processes share: request budgets (rate limits), idempotency keys, leases
// of scheduled jobs, and media kept in the database. On PostgreSQL, committed outbox rows wake
// every process's delivery worker through NOTIFY (a statement trigger: no extra round trip).
export const scaleOutMigration: Migration = {
  async up(db: Kysely<any>) {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

    await db.schema
      .createTable('rate_budget')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('points', 'integer', (c) => c.notNull())
      .addColumn('expire_time', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('idempotency_key')
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('content_type', 'text')
      .addColumn('headers', 'text')
      .addColumn('body', 'text')
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_key_pk', ['scope', 'key'])
      .execute();
    await db.schema.createIndex('idempotency_key_created').on('idempotency_key').column('created_time').execute();

    await db.schema
      .createTable('scheduled_job')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('next_run_time', 'bigint', (c) => c.notNull())
      .addColumn('owner', 'text')
      .execute();

    await db.schema
      .createTable('media_blob')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('mime_type', 'text')
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('data', postgres ? sql`bytea` : sql`blob`, (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .execute();

    if (postgres) {
      await sql`create or replace function cp_outbox_notify() returns trigger language plpgsql as $$
        begin
          perform pg_notify('cp_' || current_schema(), '{"t":"outbox"}');
          return null;
        end $$`.execute(db);
      await sql`create trigger outbox_notify after insert on outbox for each statement execute function cp_outbox_notify()`.execute(db);
    }
  },
  async down(db: Kysely<any>) {
    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      await sql`drop trigger if exists outbox_notify on outbox`.execute(db);
      await sql`drop function if exists cp_outbox_notify()`.execute(db);
    }
    for (const table of ['media_blob', 'scheduled_job', 'idempotency_key', 'rate_budget']) await db.schema.dropTable(table).execute();
  },
};
