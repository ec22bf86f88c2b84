import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { insertMediaKey, listMediaKeys } from '../db/repositories/mediaKey.js';
import { type SecretBox, safeEqual } from '../domain/secrets.js';

/** Links are issued per time bucket, so one file keeps one URL (and stays cached) for this long. */
export const LINK_BUCKET_MS = 3_600_000;
/** An unknown key id in a link makes a process reload its keys at most this often. */
const RELOAD_AFTER_MS = 5_000;

interface Key {
  id: string;
  key: Buffer;
  retiredTime: number | null;
}

/** The query a signed link carries: `ext` (expiry, epoch seconds) and `hash` (`{key id}.{signature}`). */
export interface LinkSignature {
  ext: number;
  hash: string;
}

/**
 * Signs and checks media links (`/media/…`, `/chat-files/…`) Graph's way: `?ext={expiry}&hash=…`.
 * A link lives at least `ttlMs` and at most one bucket more, and is the same for every read within
 * a bucket. Keys live in the database (`media_key`, sealed with the server key) so every process
 * signs alike; `commonplace media rotate-key` adds a key, and the retired one keeps verifying for
 * `graceMs`, until every link it signed has expired.
 */
export class MediaLinkSigner {
  private keys: Key[] = [];
  private lastReload = 0;
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    readonly ttlMs: number,
  ) {}

  /** How long a retired key keeps verifying: the longest life of a link. */
  get graceMs(): number {
    return this.ttlMs + LINK_BUCKET_MS;
  }

  /** Loads the keys, creating the first one on a new database. */
  async load(): Promise<this> {
    let rows = await listMediaKeys(this.db);
    if (rows.length === 0) {
      await insertMediaKey(this.db, { id: '1', key_sealed: this.box.seal(randomBytes(32).toString('base64url')), created_time: this.clock.now(), retired_time: null });
      rows = await listMediaKeys(this.db);
    }
    this.keys = rows.map((r) => ({ id: r.id, key: Buffer.from(this.box.open(r.key_sealed), 'base64url'), retiredTime: r.retired_time }));
    this.lastReload = this.clock.now();
    return this;
  }

  /** The signature of `subject` for links issued now. */
  sign(subject: string): LinkSignature {
    const now = this.clock.now();
    const key = this.keys.find((k) => k.retiredTime === null) ?? this.keys[0];
    if (!key) throw new Error('media link keys are not loaded');
    const ext = Math.floor((Math.floor(now / LINK_BUCKET_MS) * LINK_BUCKET_MS + LINK_BUCKET_MS + this.ttlMs) / 1000);
    return { ext, hash: `${key.id}.${mac(key.key, subject, ext)}` };
  }

  /** `?ext=…&hash=…` for `subject`. */
  query(subject: string): string {
    const { ext, hash } = this.sign(subject);
    return `ext=${ext}&hash=${hash}`;
  }

  /** Seconds a link with this expiry has left (0 when expired or malformed). */
  secondsLeft(ext: unknown): number {
    const seconds = typeof ext === 'string' && /^\d{1,12}$/.test(ext) ? Number(ext) : 0;
    return Math.max(0, seconds - Math.floor(this.clock.now() / 1000));
  }

  /** True when `hash` signs `subject` until `ext`, which has not passed, by a key still in force. */
  async verify(subject: string, ext: unknown, hash: unknown): Promise<boolean> {
    if (this.secondsLeft(ext) <= 0 || typeof hash !== 'string') return false;
    const match = /^(\d{1,10})\.([A-Za-z0-9_-]{22})$/.exec(hash);
    if (!match) return false;
    let key = this.keys.find((k) => k.id === match[1]);
    if (!key && this.clock.now() - this.lastReload > RELOAD_AFTER_MS) {
      await this.load();
      key = this.keys.find((k) => k.id === match[1]);
    }
    if (!key || (key.retiredTime !== null && key.retiredTime + this.graceMs <= this.clock.now())) return false;
    return safeEqual(match[2], mac(key.key, subject, Number(ext)));
  }
}

function mac(key: Buffer, subject: string, ext: number): string {
  return createHmac('sha256', key).update(`${subject}\n${ext}`).digest('base64url').slice(0, 22);
}
