import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Context } from '../context.js';
import { clearAttempts, pruneAttempts, refundAttempt, reserveAttempt } from '../db/repositories/signInThrottle.js';
import { safeEqual } from '../domain/secrets.js';
import { AppError } from '../errors.js';

/** The value of one cookie of a request; a value that is not valid percent-encoding reads as absent. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * A session cookie: HttpOnly, SameSite=Strict, and Secure when PUBLIC_URL is https or the
 * request came over HTTPS (directly, or as a trusted proxy says in X-Forwarded-Proto).
 */
export function sessionCookie(config: Config, request: FastifyRequest, name: string, value: string, maxAgeSeconds: number): string {
  const secure = config.publicUrl?.startsWith('https:') || request.protocol === 'https' ? '; Secure' : '';
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`;
}

/**
 * Refuses a sign-in another site's page could have sent (login CSRF): the request must carry
 * the X-CSRF-Token header (which a cross-site form cannot set) or an Origin of this server.
 */
export function checkSignInOrigin(config: Config, request: FastifyRequest): void {
  if (request.headers['x-csrf-token']) return;
  const origin = request.headers.origin;
  const own = [`${request.protocol}://${request.host}`, config.publicUrl ? new URL(config.publicUrl).origin : undefined];
  if (origin && own.includes(origin)) return;
  throw new AppError('csrf_failed', 'Sign in from Commonplace itself: send X-CSRF-Token (any value) or a same-origin Origin header.');
}

/** One back-off rule: at most `failures` failed attempts per key in `windowMs`. */
interface Limit {
  key: string;
  failures: number;
  windowMs: number;
}

const MINUTE = 60_000;

/** Back-off rules: per account and address, per address (spraying many emails), per account (from many addresses). */
function limitsFor(email: string, address: string): Limit[] {
  const account = email.trim().toLowerCase();
  return [
    { key: `pair:${account}|${address}`, failures: 5, windowMs: 15 * MINUTE },
    { key: `addr:${address}`, failures: 30, windowMs: 15 * MINUTE },
    { key: `acct:${account}`, failures: 100, windowMs: 60 * MINUTE },
  ];
}

/**
 * Back-off for password checks (sign-in, and re-entering a password to reveal a secret). Every
 * attempt is reserved in the database before the password is hashed, so parallel guesses cannot
 * slip past the count and several server processes share it. The client address is the socket's,
 * or a trusted proxy's X-Forwarded-For when COMMONPLACE_TRUST_PROXY says so.
 */
export function signInGuard(ctx: Context) {
  let calls = 0;
  return async function guarded<T>(request: FastifyRequest, email: string, check: () => Promise<T>): Promise<T> {
    const now = ctx.clock.now();
    const limits = limitsFor(email, request.ip);
    if (++calls % 100 === 0) await pruneAttempts(ctx.db, now - 60 * MINUTE);
    const reserved: string[] = [];
    let retryAfterMs = 0;
    for (const limit of limits) {
      const { failures, windowStart } = await reserveAttempt(ctx.db, limit.key, now, limit.windowMs);
      reserved.push(limit.key);
      if (failures > limit.failures) retryAfterMs = Math.max(retryAfterMs, windowStart + limit.windowMs - now);
    }
    const refund = () => Promise.all(reserved.map((key) => refundAttempt(ctx.db, key)));
    if (retryAfterMs > 0) {
      await refund();
      throw new AppError('rate_limited', 'Too many failed sign-ins; try again later.', { retryAfter: Math.max(1, Math.ceil(retryAfterMs / 1000)) });
    }
    let result: T;
    try {
      result = await check();
    } catch (error) {
      if (!(error instanceof AppError && error.kind === 'not_authenticated')) await refund();
      throw error;
    }
    await Promise.all([clearAttempts(ctx.db, limits[0].key), ...limits.slice(1).map((l) => refundAttempt(ctx.db, l.key))]);
    return result;
  };
}

/**
 * The one session check of the web JSON APIs: the cookie names a live session (loaded by
 * `load`), and every change (anything but GET and HEAD) carries the session's CSRF token.
 */
export async function checkSession<S extends { csrfToken: string }>(
  request: FastifyRequest,
  cookieName: string,
  load: (token: string) => Promise<S | undefined>,
): Promise<{ token: string; session: S }> {
  const token = readCookie(request, cookieName);
  const session = token ? await load(token) : undefined;
  if (!token || !session) throw new AppError('not_authenticated');
  if (request.method !== 'GET' && request.method !== 'HEAD' && !safeEqual(String(request.headers['x-csrf-token'] ?? ''), session.csrfToken)) {
    throw new AppError('csrf_failed');
  }
  return { token, session };
}
