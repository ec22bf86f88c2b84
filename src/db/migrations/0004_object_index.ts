import { type Kysely, type Migration, sql } from 'kysely';

// The object index: what each id names, recorded when the object is created, so resolving an id
// is one primary-key lookup. Existing objects are indexed here from their tables. Photos gain
// their pixel size (Graph's width and height), read when a file is stored.
const TABLES: [table: string, type: string][] = [
  ['community', 'community'],
  ['member', 'member'],
  ['work_group', 'group'],
  ['page', 'page'],
  ['app', 'app'],
  ['post', 'post'],
  ['comment', 'comment'],
  ['media', 'photo'],
];

export const objectIndexMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('object')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .execute();
    for (const [table, type] of TABLES) {
      await sql`insert into ${sql.table('object')} (id, type) select id, ${type} from ${sql.table(table)}`.execute(db);
    }
    await db.schema.alterTable('media').addColumn('width', 'integer').execute();
    await db.schema.alterTable('media').addColumn('height', 'integer').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('object').execute();
    await db.schema.alterTable('media').dropColumn('width').execute();
    await db.schema.alterTable('media').dropColumn('height').execute();
  },
};
