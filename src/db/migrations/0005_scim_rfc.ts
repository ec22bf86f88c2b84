import { type Kysely, type Migration, PostgresAdapter, sql } from 'kysely';

// RFC 7643 §3.1 gives externalId no uniqueness: two users, or two groups, may share one, so the
// unique constraints on member.external_id and people_set.external_id become plain indexes.
// Workplace's flavour (/scim/, /scim/v1/, Graph) still refuses a second holder, in the commands.

const tables = [
  { table: 'member', index: 'member_external_id' },
  { table: 'people_set', index: 'people_set_external_id' },
] as const;

/**
 * SQLite cannot drop a column's inline UNIQUE: the table is rebuilt from its own CREATE TABLE
 * text without it (the documented 12-step procedure), and its indexes are recreated.
 */
async function rebuildWithoutUnique(db: Kysely<any>, table: string): Promise<void> {
  const rows = await sql<{ type: string; name: string; sql: string | null }>`select type, name, sql from sqlite_master where tbl_name = ${table}`.execute(db);
  const create = rows.rows.find((r) => r.type === 'table')?.sql;
  if (!create) throw new Error(`table ${table} not found`);
  const rebuilt = create.replace(/("?external_id"?\s+text)\s+unique/i, '$1');
  if (rebuilt === create) return;
  const indexes = rows.rows.filter((r) => r.type === 'index' && r.sql).map((r) => r.sql!);
  const staging = `${table}_rebuild`;
  await sql.raw(rebuilt.replace(new RegExp(`^CREATE TABLE\\s+"?${table}"?`, 'i'), `create table "${staging}"`)).execute(db);
  await sql.raw(`insert into "${staging}" select * from "${table}"`).execute(db);
  await sql.raw(`drop table "${table}"`).execute(db);
  await sql.raw(`alter table "${staging}" rename to "${table}"`).execute(db);
  for (const index of indexes) await sql.raw(index).execute(db);
}

export const scimRfcMigration: Migration = {
  async up(db: Kysely<any>) {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    for (const { table, index } of tables) {
      if (postgres) await sql.raw(`alter table ${table} drop constraint if exists ${table}_external_id_key`).execute(db);
      else await rebuildWithoutUnique(db, table);
      await db.schema.createIndex(index).ifNotExists().on(table).columns(['external_id', 'id']).execute();
    }
  },
};
