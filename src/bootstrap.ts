import { loadConfig, type Config } from './config.js';
import { type Clock, systemClock } from './clock.js';
import type { Context } from './context.js';
import { openBus } from './db/bus.js';
import { openDatabase, type DatabaseOptions } from './db/database.js';
import { MediaLinkSigner } from './media/links.js';
import { RemoteMediaFetcher } from './media/remote.js';
import { openMediaStore } from './media/store.js';
import { AllowList } from './webhooks/egress.js';
import { migrateToLatest } from './db/migrations.js';
import { findCommunity, insertCommunity } from './db/repositories/community.js';
import { countAdmins, findMemberByEmail } from './db/repositories/member.js';
import { memberCreator } from './domain/commands/member.js';
import { recordChange } from './domain/events.js';
import { loadSecretBox, newOpaqueToken } from './domain/secrets.js';
import { createLogger } from './http/logging.js';
import { newId, processIdGenerator } from './ids.js';
import type { Logger } from 'pino';

export interface Opened {
  ctx: Context;
  close(): Promise<void>;
}

/** Opens the database named by the config, runs migrations, takes an id node lease, and builds the context. */
export async function openContext(
  options: { config?: Config; log?: Logger; clock?: Clock; pgSchema?: string; migrate?: boolean } = {},
): Promise<Opened> {
  const config = options.config ?? loadConfig();
  const log = options.log ?? createLogger(config.logLevel);
  const dbOptions: DatabaseOptions = {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pgSchema: options.pgSchema,
    poolSize: config.dbPoolSize,
    // PgBouncer before 1.21 cannot carry named statements in transaction mode: a separate direct URL says one is in between.
    preparedStatements: config.dbPrepared ?? !config.databaseDirectUrl,
  };
  const handle = await openDatabase(dbOptions);
  const ids = processIdGenerator();
  if (options.migrate !== false) {
    await migrateToLatest(handle.db, handle.schema);
    await ids.attach(handle.db);
  }
  const clock = options.clock ?? systemClock;
  const bus = openBus({ dialect: handle.dialect, db: handle.db, log, listenUrl: config.databaseDirectUrl ?? config.databaseUrl, schema: handle.schema, sqliteFile: handle.sqliteFile });
  const media = await openMediaStore(config.mediaUrl, { config, db: handle.db, now: () => clock.now() });
  const remote = new RemoteMediaFetcher(new AllowList(config.webhookAllowedHosts), config.webhookTimeoutMs);
  const secrets = loadSecretBox(config.secretKey, config.dataDir);
  const mediaLinks = new MediaLinkSigner(handle.db, secrets, clock, config.mediaLinkTtlMs);
  // Without migrations (commonplace migrate itself) the key table may not exist yet, and nothing signs links.
  if (options.migrate !== false) await mediaLinks.load();
  else await mediaLinks.load().catch(() => undefined);
  const unsubscribe = bus.subscribe((message) => {
    if (message.t === 'media_keys' || message.t === 'resync') mediaLinks.load().catch((error: unknown) => log.warn({ err: error }, 'reloading media link keys failed'));
  });
  const ctx: Context = { db: handle.db, dialect: handle.dialect, schema: handle.schema, log, clock, config, secrets, bus, media, remote, mediaLinks };
  return {
    ctx,
    async close() {
      unsubscribe();
      await bus.close();
      await remote.close();
      await ids.detach(handle.db);
      await handle.close();
    },
  };
}

/**
 * Makes sure the community and a first system admin exist. The admin comes from
 * COMMONPLACE_ADMIN_EMAIL / COMMONPLACE_ADMIN_PASSWORD, or is generated and its password
 * printed once (returned so the caller can print it).
 */
export async function ensureCommunity(ctx: Context, name = process.env.COMMONPLACE_COMMUNITY_NAME || 'Commonplace'): Promise<{ generated?: { email: string; password: string } }> {
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await findCommunity(trx))) {
      const row = { id: newId(), name, created_time: ctx.clock.now() };
      await insertCommunity(trx, row);
      await recordChange(trx, ctx, { kind: 'system' }, { action: 'community.created', target: { type: 'community', id: row.id }, new: row });
    }
    if ((await countAdmins(trx)) > 0) return {};
    const email = ctx.config.adminEmail ?? 'admin@commonplace.local';
    const password = ctx.config.adminPassword ?? newOpaqueToken(18);
    if (await findMemberByEmail(trx, email)) return {};
    await memberCreator({ ctx, actor: { kind: 'system' }, trx }, { email, name: 'System Admin', is_admin: true, state: 'claimed', password });
    return ctx.config.adminPassword ? {} : { generated: { email, password } };
  });
}
