import type { Kysely, Migration } from 'kysely';

// Id node leases: each process that creates ids holds one node number (the "process bits" of
// every id it makes) so that several processes on one database never make the same id.
export const fidelityMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('id_node')
      .addColumn('node', 'integer', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('expires_time', 'bigint', (c) => c.notNull())
      .addColumn('last_tick', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('id_node').execute();
  },
};
