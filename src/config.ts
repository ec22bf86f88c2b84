import path from 'node:path';

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
  /** Largest `limit` a Graph list accepts. */
  maxPageSize: number;
  metricsToken: string | undefined;
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a non-negative integer, got "${value}"`);
  return n;
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
    metricsToken: env.COMMONPLACE_METRICS_TOKEN || undefined,
  };
}
