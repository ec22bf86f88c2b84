import type { FastifyRequest } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
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

/** A session cookie: HttpOnly, SameSite=Strict, Secure when served over HTTPS. */
export function sessionCookie(request: FastifyRequest, name: string, value: string, maxAgeSeconds: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`;
}

/**
 * Back-off for password sign-ins: five failures for one email from one address block it for
 * 15 minutes. Wraps a sign-in so callers cannot forget either side.
 */
export function signInGuard() {
  const failures = new RateLimiterMemory({ points: 5, duration: 15 * 60, blockDuration: 15 * 60 });
  return async function guarded<T>(request: FastifyRequest, email: string, signIn: () => Promise<T>): Promise<T> {
    const key = `${email.toLowerCase()}|${request.ip}`;
    const state = await failures.get(key);
    if (state && state.remainingPoints <= 0) {
      throw new AppError('rate_limited', 'Too many failed sign-ins; try again later.', { retryAfter: Math.ceil(state.msBeforeNext / 1000) });
    }
    try {
      const result = await signIn();
      await failures.delete(key);
      return result;
    } catch (error) {
      await failures.penalty(key, 1).catch((e: unknown) => (e instanceof RateLimiterRes ? undefined : Promise.reject(e)));
      throw error;
    }
  };
}
