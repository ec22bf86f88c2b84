import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Bus } from './db/bus.js';
import type { Db, DialectName } from './db/database.js';
import type { MediaLinkSigner } from './media/links.js';
import type { RemoteMediaFetcher } from './media/remote.js';
import type { MediaStore } from './media/store.js';
import type { SecretBox } from './domain/secrets.js';

/** What every layer receives explicitly (DESIGN.md §4.11): no globals, no DI framework. */
export interface Context {
  db: Db;
  dialect: DialectName;
  /** PostgreSQL schema in use, when not the default (tests). */
  schema?: string;
  log: Logger;
  clock: Clock;
  config: Config;
  secrets: SecretBox;
  /** Notifications between server processes (cache invalidation, live events, worker wake-ups). */
  bus: Bus;
  /** Where uploaded files are kept. */
  media: MediaStore;
  /** Fetches photos and files given by URL through the egress policy. */
  remote: RemoteMediaFetcher;
  /** Signs media links with an expiry, by rotatable keys. */
  mediaLinks: MediaLinkSigner;
}
