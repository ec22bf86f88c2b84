import type { Context } from '../context.js';
import type { Bus } from '../db/bus.js';
import { addUsage, type AppRow, findAppById, findAppByTokenHash, findAppGroupIds } from '../db/repositories/app.js';
import { spendBudget } from '../db/repositories/rateBudget.js';
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

type Credentials = { app: AppRow; actor: Omit<IntegrationActor, 'kind'> };

async function loadCredentials(ctx: Context, app: AppRow): Promise<Credentials> {
  const groupIds = app.scope_all ? [] : await findAppGroupIds(ctx.db, app.id);
  const actor = {
    appId: app.id,
    pageId: app.page_id,
    name: app.name,
    permissions: new Set(JSON.parse(app.permissions) as Permission[]),
    scopeAll: app.scope_all === 1,
    groupIds: new Set(groupIds),
    autoInvite: app.auto_invite === 1,
  };
  return { app, actor };
}

const MAX_CACHED = 10_000;
const UNCACHED_MS = 2000;

/**
 * Integrations by token hash and by app id, kept in memory so a request does not read `app` and
 * `app_group` each time. Rotating, disabling, deleting or changing an integration publishes
 * `{t:'app'}` on the bus, which drops it in every process at once; a lost connection drops all.
 * A load that started before an invalidation is not cached (the generation moved on).
 */
class CredentialCache {
  private readonly byHash = new Map<string, Credentials>();
  private readonly byApp = new Map<string, Credentials>();
  private readonly uncached = new Map<string, number>();
  private generation = 0;

  constructor(bus: Bus) {
    bus.subscribe((message) => {
      if (message.t === 'app') this.drop(message.id);
      else if (message.t === 'resync') this.clear();
    });
  }

  private drop(appId: string): void {
    this.generation++;
    // The change may not be committed yet: its reads are not cached until the commit's notification can have come.
    this.uncached.set(appId, Date.now() + UNCACHED_MS);
    this.byApp.delete(appId);
    for (const [hash, entry] of this.byHash) if (entry.app.id === appId) this.byHash.delete(hash);
  }

  private cacheable(appId: string): boolean {
    const until = this.uncached.get(appId);
    if (until === undefined) return true;
    if (until > Date.now()) return false;
    this.uncached.delete(appId);
    return true;
  }

  private clear(): void {
    this.generation++;
    this.byHash.clear();
    this.byApp.clear();
  }

  async byToken(ctx: Context, hash: string): Promise<Credentials | undefined> {
    if (this.byHash.has(hash)) await ctx.bus.catchUp();
    const hit = this.byHash.get(hash);
    if (hit) return hit;
    const generation = this.generation;
    const app = await findAppByTokenHash(ctx.db, hash);
    if (!app) return undefined;
    const loaded = await loadCredentials(ctx, app);
    if (generation === this.generation && this.cacheable(app.id)) {
      if (this.byHash.size >= MAX_CACHED) this.clear();
      this.byHash.set(hash, loaded);
    }
    return loaded;
  }

  async byId(ctx: Context, appId: string): Promise<Credentials | undefined> {
    if (this.byApp.has(appId)) await ctx.bus.catchUp();
    const hit = this.byApp.get(appId);
    if (hit) return hit;
    const generation = this.generation;
    const app = await findAppById(ctx.db, appId);
    if (!app) return undefined;
    const loaded = await loadCredentials(ctx, app);
    if (generation === this.generation && this.cacheable(app.id)) {
      if (this.byApp.size >= MAX_CACHED) this.clear();
      this.byApp.set(appId, loaded);
    }
    return loaded;
  }
}

const caches = new WeakMap<Bus, CredentialCache>();

function credentialCache(ctx: Context): CredentialCache {
  let cache = caches.get(ctx.bus);
  if (!cache) {
    cache = new CredentialCache(ctx.bus);
    caches.set(ctx.bus, cache);
  }
  return cache;
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
  const cache = credentialCache(ctx);
  const bar = token.indexOf('|');
  if (bar > 0) {
    const appId = token.slice(0, bar);
    const found = /^\d{1,20}$/.test(appId) ? await cache.byId(ctx, appId) : undefined;
    const secret = found ? ctx.secrets.open(found.app.secret_sealed) : '0'.repeat(32);
    if (!found || !safeEqual(token.slice(bar + 1), secret)) throw new AppError('invalid_token', 'Invalid OAuth access token signature.');
    if (!found.app.enabled) throw new AppError('integration_disabled');
    return { kind: 'app', ...found.actor } as AppActor;
  }
  const hash = sha256Hex(token);
  const found = await cache.byToken(ctx, hash);
  if (!found || !safeEqual(found.app.token_hash, hash)) throw new AppError('invalid_token');
  if (!found.app.enabled) throw new AppError('integration_disabled');
  checkProof(ctx, found.app, token, proof);
  return { kind: 'integration', ...found.actor } as IntegrationActor;
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

interface Lease {
  /** Calls this process may still answer in the window. */
  left: number;
  /** Points spent in the window, all processes together, as last seen. */
  spent: number;
  expire: number;
}

/**
 * Per-integration request budget, shared by every process through `rate_budget`; answers Graph's
 * X-App-Usage header and error 4. A process takes calls from the shared window in small leases
 * (1% of the limit), so a busy integration costs one write per lease, not per call, and all
 * processes together never answer more than the limit in one window.
 */
export class RateLimits {
  private readonly leases = new Map<string, Lease>();
  private readonly pending = new Map<string, Promise<Lease>>();
  private readonly chunk: number;
  constructor(
    private readonly ctx: Pick<Context, 'db' | 'clock'>,
    private readonly perMinute: number,
    private readonly windowMs = 60_000,
  ) {
    this.chunk = Math.max(1, Math.floor(perMinute / 100));
  }

  /** Consumes one call; returns the X-App-Usage header value, or throws error 4. */
  async consume(appId: string): Promise<string | undefined> {
    if (!this.perMinute) return undefined;
    const now = this.ctx.clock.now();
    let lease = this.leases.get(appId);
    // Calls waiting on one lease share it; whoever finds it spent takes the next one.
    while (!lease || lease.expire <= now || (lease.left <= 0 && lease.spent < this.perMinute)) lease = await this.lease(appId, now);
    if (lease.left <= 0) {
      throw new AppError('rate_limited', undefined, { retryAfter: Math.max(1, Math.ceil((lease.expire - now) / 1000)), usage: this.header(this.perMinute) });
    }
    lease.left--;
    return this.header(lease.spent - lease.left);
  }

  /** Charges `points` more for a call that cost more than one (graph/budget.ts); the next call may then get error 4. */
  async charge(appId: string, points: number): Promise<void> {
    if (!this.perMinute || points <= 0) return;
    const now = this.ctx.clock.now();
    const lease = this.leases.get(appId);
    const live = lease && lease.expire > now ? lease : undefined;
    if (live) {
      const covered = Math.min(live.left, points);
      live.left -= covered;
      points -= covered;
    }
    if (points <= 0) return;
    const { points: spent } = await spendBudget(this.ctx.db, `graph:${appId}`, points, now, this.windowMs);
    if (live) live.spent = Math.min(spent, this.perMinute);
  }

  private lease(appId: string, now: number): Promise<Lease> {
    let pending = this.pending.get(appId);
    if (!pending) {
      pending = spendBudget(this.ctx.db, `graph:${appId}`, this.chunk, now, this.windowMs)
        .then(({ points, expire_time }) => {
          const lease = { left: Math.max(0, Math.min(this.chunk, this.perMinute - (points - this.chunk))), spent: Math.min(points, this.perMinute), expire: expire_time };
          this.leases.set(appId, lease);
          return lease;
        })
        .finally(() => this.pending.delete(appId));
      this.pending.set(appId, pending);
    }
    return pending;
  }

  private header(spent: number): string {
    const pct = Math.min(100, Math.round((spent / this.perMinute) * 100));
    return JSON.stringify({ call_count: pct, total_time: pct, total_cputime: pct });
  }
}
