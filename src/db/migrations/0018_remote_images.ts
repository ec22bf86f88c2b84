import type { Kysely, Migration } from 'kysely';

// A group's cover given by URL is fetched once and stored as a photo; the group keeps the photo
// (served by signed, expiring links) beside the URL it was given.
export const remoteImagesMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('work_group').addColumn('cover_media_id', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('work_group').dropColumn('cover_media_id').execute();
  },
};
