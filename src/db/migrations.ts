import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { coreMigration } from './migrations/0001_core.js';
import { accountsMigration } from './migrations/0002_accounts.js';
import { webhooksChatMigration } from './migrations/0003_webhooks_chat.js';
import { objectIndexMigration } from './migrations/0004_object_index.js';
import { scimRfcMigration } from './migrations/0005_scim_rfc.js';
import { automationMigration } from './migrations/0006_automation.js';
import { hardeningMigration } from './migrations/0007_hardening.js';
import { scaleOutMigration } from './migrations/0008_scale_out.js';
import { fidelityMigration } from './migrations/0009_fidelity.js';
import { communityMigration } from './migrations/0010_community.js';
import { mediaKeysMigration } from './migrations/0012_media_keys.js';
import { knowledgeMigration } from './migrations/0013_knowledge.js';
import { linkPreviewsMigration } from './migrations/0014_link_previews.js';
import { eventsPollsMigration } from './migrations/0015_events_polls.js';
import { groupFilesMigration } from './migrations/0016_group_files.js';
import { remoteImagesMigration } from './migrations/0018_remote_images.js';
import { previewImagesMigration } from './migrations/0021_preview_images.js';

// Migrations run in name order at start and by `commonplace migrate`; one file per migration
// under migrations/, listed here.
const migrations: Record<string, Migration> = {
  '0001_core': coreMigration,
  '0002_accounts': accountsMigration,
  '0003_webhooks_chat': webhooksChatMigration,
  '0004_object_index': objectIndexMigration,
  '0005_scim_rfc': scimRfcMigration,
  '0006_automation': automationMigration,
  '0007_hardening': hardeningMigration,
  '0008_scale_out': scaleOutMigration,
  '0009_fidelity': fidelityMigration,
  '0010_community': communityMigration,
  '0012_media_keys': mediaKeysMigration,
  '0013_knowledge': knowledgeMigration,
  '0014_link_previews': linkPreviewsMigration,
  '0015_events_polls': eventsPollsMigration,
  '0016_group_files': groupFilesMigration,
  '0018_remote_images': remoteImagesMigration,
  '0021_preview_images': previewImagesMigration,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** `schema` names the PostgreSQL schema that holds the migration tables (tests use one per file). */
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider, migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every migration has run (readiness). */
export async function migrationsCurrent(db: Kysely<any>, schema?: string): Promise<boolean> {
  const migrator = new Migrator({ db, provider, migrationTableSchema: schema });
  const list = await migrator.getMigrations();
  return list.every((m) => m.executedAt !== undefined);
}
