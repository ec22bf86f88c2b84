import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Context } from '../context.js';
import { addUsage, type AppRow, findAppById, findAppByTokenHash, findAppGroupIds } from '../db/repositories/app.js';
import type { AppActor, IntegrationActor } from '../domain/actor.js';
import type { Permission } from '../domain/permissions.js';
import { hmacSha256Hex, safeEqual, sha256Hex } from '../domain/secrets.js';
import { AppError } from '../errors.js';

/** How far `appsecret_time` may be from now. */
export const PROOF_WINDOW_SECONDS = 300;

/** The token of a request: the Authorization header (any amount of "Bearer"/"OAuth" and spaces) or access_token. */
export function extractToken(authorization: string | undefined, param: unknown): string | undefined {
  if (authorization) {
    const token = authorization.trim().replace(/^((bearer|oauth)\s+)+/i, '').trim();
    if (token) return token;
  }
  if (typeof param === 'string' && param.trim()) return param.trim().replace(/^bearer\s+/i, '');
  return undefined;
}

async function actorOf(ctx: Context, app: AppRow, kind: 'integration' | 'app'): Promise<IntegrationActor | AppActor> {
  const groupIds = app.scope_all ? [] : await findAppGroupIds(ctx.db, app.id);
  return {
    kind,
    appId: app.id,
    pageId: app.page_id,
    name: app.name,
    permissions: new Set(JSON.parse(app.permissions) as Permission[]),
    scopeAll: app.scope_all === 1,
    groupIds: new Set(groupIds),
  } as IntegrationActor | AppActor;
}

export interface ProofParams {
  appsecret_proof?: string;
  appsecret_time?: string;
}

function checkProof(ctx: Context, app: AppRow, token: string, proof: ProofParams): void {
  if (!proof.appsecret_proof) {
    if (app.require_proof) throw new AppError('appsecret_proof_missing');
    return;
  }
  const secret = ctx.secrets.open(app.secret_sealed);
  let expected: string;
  if (proof.appsecret_time) {
    const time = Number(proof.appsecret_time);
    const now = ctx.clock.now() / 1000;
    if (!Number.isFinite(time) || Math.abs(now - time) > PROOF_WINDOW_SECONDS) {
      throw new AppError('appsecret_proof_invalid', `Invalid appsecret_proof provided in the API argument: appsecret_time is more than ${PROOF_WINDOW_SECONDS} seconds away from the server's clock`);
    }
    expected = hmacSha256Hex(secret, `${token}|${proof.appsecret_time}`);
  } else {
    expected = hmacSha256Hex(secret, token);
  }
  if (!safeEqual(proof.appsecret_proof.toLowerCase(), expected)) throw new AppError('appsecret_proof_invalid');
}

/**
 * Turns a token into the integration it belongs to. Integration tokens are looked up by their
 * SHA-256 and compared in constant time; `APP_ID|APP_SECRET` authenticates as the app itself.
 */
export async function authenticate(ctx: Context, token: string | undefined, proof: ProofParams): Promise<IntegrationActor | AppActor> {
  if (!token) throw new AppError('missing_token');
  const bar = token.indexOf('|');
  if (bar > 0) {
    const appId = token.slice(0, bar);
    const app = /^\d{1,20}$/.test(appId) ? await findAppById(ctx.db, appId) : undefined;
    const secret = app ? ctx.secrets.open(app.secret_sealed) : '0'.repeat(32);
    if (!app || !safeEqual(token.slice(bar + 1), secret)) throw new AppError('invalid_token', 'Invalid OAuth access token signature.');
    if (!app.enabled) throw new AppError('integration_disabled');
    return actorOf(ctx, app, 'app');
  }
  const hash = sha256Hex(token);
  const app = await findAppByTokenHash(ctx.db, hash);
  if (!app || !safeEqual(app.token_hash, hash)) throw new AppError('invalid_token');
  if (!app.enabled) throw new AppError('integration_disabled');
  checkProof(ctx, app, token, proof);
  return actorOf(ctx, app, 'integration');
}

/** Counts requests per integration in memory and writes them out every few seconds. */
export class UsageRecorder {
  private pending = new Map<string, { count: number; last: number }>();
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly ctx: Context, private readonly intervalMs = 5000) {}

  record(appId: string): void {
    const now = this.ctx.clock.now();
    const entry = this.pending.get(appId);
    if (entry) {
      entry.count++;
      entry.last = now;
    } else this.pending.set(appId, { count: 1, last: now });
  }

  start(): void {
    this.timer = setInterval(() => void this.flush().catch((error) => this.ctx.log.error({ err: error }, 'usage flush failed')), this.intervalMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    for (const [appId, { count, last }] of batch) {
      const day = new Date(last).toISOString().slice(0, 10);
      await addUsage(this.ctx.db, appId, day, count, last);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}

/** Per-integration request budget; answers Graph's X-App-Usage header and error 4. */
export class RateLimits {
  private readonly limiter: RateLimiterMemory | undefined;
  constructor(private readonly perMinute: number) {
    this.limiter = perMinute > 0 ? new RateLimiterMemory({ points: perMinute, duration: 60 }) : undefined;
  }

  /** Consumes one call; returns the X-App-Usage header value, or throws error 4. */
  async consume(appId: string): Promise<string | undefined> {
    if (!this.limiter) return undefined;
    try {
      const res = await this.limiter.consume(appId);
      return this.header(res);
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        throw new AppError('rate_limited', undefined, { retryAfter: Math.ceil(error.msBeforeNext / 1000), usage: this.header(error) });
      }
      throw error;
    }
  }

  /** Charges `points` more for a call that cost more than one (graph/budget.ts); the next call may then get error 4. */
  async charge(appId: string, points: number): Promise<void> {
    if (this.limiter && points > 0) await this.limiter.penalty(appId, points);
  }

  private header(res: RateLimiterRes): string {
    const pct = Math.min(100, Math.round((res.consumedPoints / this.perMinute) * 100));
    return JSON.stringify({ call_count: pct, total_time: pct, total_cputime: pct });
  }
}
