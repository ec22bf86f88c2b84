import path from 'node:path';
import { DEFAULT_MAX_ROWS } from './graph/budget.js';

/** Runtime configuration, read once from the environment (DESIGN.md §1). */
export interface Config {
  port: number;
  host: string;
  publicUrl: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  /** Hex or base64 key that encrypts app secrets at rest; otherwise a key file in the data dir. */
  secretKey: string | undefined;
  /** Requests per minute per integration before error 4 (COMMONPLACE_RATE_LIMIT, 0 disables). */
  rateLimitPerMinute: number;
  /** Objects one Graph request (or batch) may render before error 1 (COMMONPLACE_REQUEST_MAX_ROWS); see graph/budget.ts. */
  requestMaxRows: number;
  /** Largest `limit` a Graph list accepts. */
  maxPageSize: number;
  metricsToken: string | undefined;
  /** SMTP server for the mail outbox (SMTP_URL: smtp://user:pass@host:587, smtps://…); unset keeps mail in the outbox. */
  smtpUrl: string | undefined;
  /** Sender of outgoing mail (MAIL_FROM). */
  mailFrom: string | undefined;
  /** Which proxies may set X-Forwarded-For/-Proto/-Host (COMMONPLACE_TRUST_PROXY): off by default; true, a hop count, or addresses/CIDRs. */
  trustProxy: boolean | number | string[];
  /** Hosts and CIDRs webhook callbacks may reach besides public addresses (COMMONPLACE_WEBHOOK_ALLOWED_HOSTS). */
  webhookAllowedHosts: string[];
  /** Per-attempt timeout of a webhook delivery or handshake (COMMONPLACE_WEBHOOK_TIMEOUT_MS). */
  webhookTimeoutMs: number;
  /** How long an integration has to answer a link preview request (COMMONPLACE_LINK_PREVIEW_TIMEOUT_MS). */
  linkPreviewTimeoutMs: number;
  /** Run the delivery worker in this process (COMMONPLACE_WEBHOOK_WORKER=0 turns it off). */
  webhookWorker: boolean;
  /** The longest an idle worker sleeps without a notification (COMMONPLACE_WEBHOOK_POLL_MS); new events wake it at once. */
  webhookPollMs: number;
  /** Lanes (group or thread × subscription) one worker sends at once (COMMONPLACE_WEBHOOK_CONCURRENCY). */
  webhookConcurrency: number;
  /** Mass-deactivation guard: the share of active members, in percent, one integration may deactivate per hour (COMMONPLACE_DEACTIVATION_GUARD_PERCENT, default 10; 0 turns the guard off). */
  deactivationGuardPercent: number;
  /** The guard never refuses below this many deactivations per hour (COMMONPLACE_DEACTIVATION_GUARD_MINIMUM, default 5). */
  deactivationGuardMinimum: number;
  /** Run feed polling and the membership rule schedule in this process (COMMONPLACE_AUTOMATION_WORKER=0 turns it off). */
  automationWorker: boolean;
  /** How often the automation worker looks for due feeds (COMMONPLACE_FEED_POLL_MS, default 15 s). */
  feedPollMs: number;
  /** How often every membership rule is re-applied as a safety net (COMMONPLACE_RULE_SCHEDULE_MS, default 1 h). */
  ruleScheduleMs: number;
  /** A rule change may remove at most this share of a group, in percent (COMMONPLACE_RULE_GUARD_PERCENT, default 20; 0 turns the guard off). */
  ruleGuardPercent: number;
  /** The rule guard applies to groups of at least this many members (COMMONPLACE_RULE_GUARD_MINIMUM, default 20). */
  ruleGuardMinimum: number;
  /** Server processes sharing the port (COMMONPLACE_WORKERS or `serve --workers N`; PostgreSQL only above 1). */
  workers: number;
  /** PostgreSQL connections per process (COMMONPLACE_DB_POOL; 0: from the core count). */
  dbPoolSize: number;
  /** A direct PostgreSQL URL for LISTEN when DATABASE_URL goes through PgBouncer (DATABASE_DIRECT_URL). */
  databaseDirectUrl: string | undefined;
  /** Named (prepared) statements on PostgreSQL (COMMONPLACE_DB_PREPARED; default on unless DATABASE_DIRECT_URL is set). */
  dbPrepared: boolean | undefined;
  /** Where uploaded media live (COMMONPLACE_MEDIA_URL): unset for the data dir, `database`, `file:///dir` or `s3://bucket/prefix`. */
  mediaUrl: string | undefined;
  /** How long /readyz answers 503 before a stopping server closes its port (COMMONPLACE_SHUTDOWN_DELAY_MS). */
  shutdownDelayMs: number;
  /** Open member event streams per member and process (COMMONPLACE_STREAMS_PER_MEMBER). */
  streamsPerMember: number;
  /** How long a signed media link lives at least, in ms (COMMONPLACE_MEDIA_LINK_HOURS, default 24; links change once an hour). */
  mediaLinkTtlMs: number;
  /** Largest upload per kind, in bytes: photos (COMMONPLACE_PHOTO_MAX_BYTES), group files (COMMONPLACE_FILE_MAX_BYTES), videos (COMMONPLACE_VIDEO_MAX_BYTES). */
  uploadLimits: UploadLimits;
}

/** Largest accepted upload of each kind, in bytes. */
export interface UploadLimits {
  photo: number;
  file: number;
  /** A whole video, and each chunk of a resumable one. */
  video: number;
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a non-negative integer, got "${value}"`);
  return n;
}

function trustProxy(value: string | undefined): boolean | number | string[] {
  const v = (value ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'off', 'no'].includes(v)) return false;
  if (['true', 'on', 'yes'].includes(v)) return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: int(env.PORT, 8080),
    host: env.HOST || '127.0.0.1',
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : undefined,
    dataDir: path.resolve(env.COMMONPLACE_DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    adminEmail: env.COMMONPLACE_ADMIN_EMAIL || undefined,
    adminPassword: env.COMMONPLACE_ADMIN_PASSWORD || undefined,
    secretKey: env.COMMONPLACE_SECRET_KEY || undefined,
    rateLimitPerMinute: int(env.COMMONPLACE_RATE_LIMIT, 6000),
    maxPageSize: int(env.COMMONPLACE_MAX_PAGE_SIZE, 1000),
    requestMaxRows: int(env.COMMONPLACE_REQUEST_MAX_ROWS, DEFAULT_MAX_ROWS),
    metricsToken: env.COMMONPLACE_METRICS_TOKEN || undefined,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || undefined,
    trustProxy: trustProxy(env.COMMONPLACE_TRUST_PROXY),
    webhookAllowedHosts: (env.COMMONPLACE_WEBHOOK_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean),
    webhookTimeoutMs: int(env.COMMONPLACE_WEBHOOK_TIMEOUT_MS, 10_000),
    linkPreviewTimeoutMs: int(env.COMMONPLACE_LINK_PREVIEW_TIMEOUT_MS, 5_000),
    webhookWorker: !['0', 'false', 'off', 'no'].includes((env.COMMONPLACE_WEBHOOK_WORKER ?? '').toLowerCase()),
    webhookPollMs: int(env.COMMONPLACE_WEBHOOK_POLL_MS, 60_000),
    webhookConcurrency: int(env.COMMONPLACE_WEBHOOK_CONCURRENCY, 64),
    deactivationGuardPercent: int(env.COMMONPLACE_DEACTIVATION_GUARD_PERCENT, 10),
    deactivationGuardMinimum: int(env.COMMONPLACE_DEACTIVATION_GUARD_MINIMUM, 5),
    automationWorker: !['0', 'false', 'off', 'no'].includes((env.COMMONPLACE_AUTOMATION_WORKER ?? '').toLowerCase()),
    feedPollMs: int(env.COMMONPLACE_FEED_POLL_MS, 15_000),
    ruleScheduleMs: int(env.COMMONPLACE_RULE_SCHEDULE_MS, 3_600_000),
    ruleGuardPercent: int(env.COMMONPLACE_RULE_GUARD_PERCENT, 20),
    ruleGuardMinimum: int(env.COMMONPLACE_RULE_GUARD_MINIMUM, 20),
    workers: Math.max(1, int(env.COMMONPLACE_WORKERS, 1)),
    dbPoolSize: int(env.COMMONPLACE_DB_POOL, 0),
    databaseDirectUrl: env.DATABASE_DIRECT_URL || undefined,
    dbPrepared: env.COMMONPLACE_DB_PREPARED ? !['0', 'false', 'off', 'no'].includes(env.COMMONPLACE_DB_PREPARED.toLowerCase()) : undefined,
    mediaUrl: env.COMMONPLACE_MEDIA_URL || undefined,
    shutdownDelayMs: int(env.COMMONPLACE_SHUTDOWN_DELAY_MS, 0),
    streamsPerMember: Math.max(1, int(env.COMMONPLACE_STREAMS_PER_MEMBER, 8)),
    mediaLinkTtlMs: Math.min(30 * 24, Math.max(1, int(env.COMMONPLACE_MEDIA_LINK_HOURS, 24))) * 3_600_000,
    uploadLimits: {
      photo: Math.max(1, int(env.COMMONPLACE_PHOTO_MAX_BYTES, 10 * 1024 * 1024)),
      file: Math.max(1, int(env.COMMONPLACE_FILE_MAX_BYTES, 100 * 1024 * 1024)),
      video: Math.max(1, int(env.COMMONPLACE_VIDEO_MAX_BYTES, 1024 * 1024 * 1024)),
    },
  };
}
