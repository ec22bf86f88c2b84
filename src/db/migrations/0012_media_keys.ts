import type { Kysely, Migration } from 'kysely';

// Keys that sign media links (/media/…, /chat-files/…). Links carry the id of the key that signed
// them; a rotated-out key keeps verifying links until the longest link it signed has expired.
export const mediaKeysMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('media_key')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('key_sealed', 'text', (c) => c.notNull())
      .addColumn('created_time', 'bigint', (c) => c.notNull())
      .addColumn('retired_time', 'bigint')
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('media_key').execute();
  },
};
