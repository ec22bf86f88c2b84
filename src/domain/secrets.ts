import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

/** Integration tokens carry this prefix so leaked ones are easy to recognise and scan for. */
export const TOKEN_PREFIX = 'cpit_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) out += BASE62[b % 62];
  return out;
}

/** A new integration token: prefix + 180 base62 characters drawn from 180 random bytes. */
export function newIntegrationToken(): string {
  // Rejection-free modulo bias is negligible for 62 symbols over 256 values at this length;
  // entropy stays above 1,000 bits.
  return TOKEN_PREFIX + base62(randomBytes(180));
}

/** A new app secret: 32 lowercase hex characters, like Facebook's. */
export function newAppSecret(): string {
  return randomBytes(16).toString('hex');
}

/** A random opaque token for sessions and CSRF. */
export function newOpaqueToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function hmacSha256Hex(key: string, message: string): string {
  return createHmac('sha256', key).update(message).digest('hex');
}

/** Compares two strings in constant time (for equal lengths; unequal lengths return false). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** The last characters of a token, safe to show in lists and logs. */
export function tokenHint(token: string): string {
  return `${TOKEN_PREFIX}…${token.slice(-4)}`;
}

const SCRYPT = { N: 16384, r: 8, p: 1 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, { ...SCRYPT, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = (stored ?? '').split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    // Spend the same time whether or not the account has a password.
    await scryptAsync(password, Buffer.alloc(16), 32, { ...SCRYPT, maxmem: 64 * 1024 * 1024 });
    return false;
  }
  const [, n, r, p, salt, hash] = parts;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return timingSafeEqual(actual, expected);
}

/** Seals secrets that must be recoverable (app secrets sign webhooks) with AES-256-GCM. */
export class SecretBox {
  private readonly opened = new Map<string, string>();
  constructor(private readonly key: Buffer) {}

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
  }

  /** A short keyed signature, for URLs that must not be guessable (media links). */
  sign(value: string): string {
    return createHmac('sha256', this.key).update(value).digest('base64url').slice(0, 22);
  }

  open(sealed: string): string {
    const cached = this.opened.get(sealed);
    if (cached !== undefined) return cached;
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1') throw new Error('unknown sealed secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    if (this.opened.size > 10_000) this.opened.clear();
    this.opened.set(sealed, plain);
    return plain;
  }
}

/**
 * The server key: COMMONPLACE_SECRET_KEY (64 hex chars or base64 of 32 bytes) when set, else
 * `secret.key` in the data dir, created on first use with mode 0600. Processes sharing one
 * PostgreSQL database must share the key, so set the variable there.
 */
export function loadSecretBox(secretKey: string | undefined, dataDir: string): SecretBox {
  if (secretKey) {
    const key = /^[0-9a-fA-F]{64}$/.test(secretKey) ? Buffer.from(secretKey, 'hex') : Buffer.from(secretKey, 'base64');
    if (key.length !== 32) throw new Error('COMMONPLACE_SECRET_KEY must be 32 bytes (64 hex characters or base64)');
    return new SecretBox(key);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'secret.key');
  try {
    fs.writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return new SecretBox(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex'));
}
