import { GraphClient, ScimClient, type RetryInfo, type ScimRetryInfo } from '@commonplace/sdk';
import { limitedFetch } from './limits.js';

/** Options every command takes. */
export interface ConnectionOptions {
  baseUrl?: string;
  token?: string;
  graphUrl?: string;
  scimUrl?: string;
  /** Most requests in flight at once (default 4). */
  concurrency?: number;
}

export interface Connection {
  graph: GraphClient;
  scim: ScimClient;
  baseUrl: string;
  concurrency: number;
}

export class UsageError extends Error {}

/**
 * The clients for a server: `--base-url` (or COMMONPLACE_BASE_URL) names a Commonplace server,
 * whose Graph API is under /graph and SCIM under /scim/v2; --graph-url and --scim-url point
 * elsewhere (Workplace: https://graph.workplace.com and https://scim.workplace.com).
 */
export function connect(options: ConnectionOptions, env: NodeJS.ProcessEnv = process.env, onRetry?: (line: string) => void): Connection {
  const baseUrl = (options.baseUrl ?? env.COMMONPLACE_BASE_URL ?? '').replace(/\/+$/, '');
  const token = options.token ?? env.COMMONPLACE_TOKEN;
  if (!token) throw new UsageError('no token: pass --token or set COMMONPLACE_TOKEN (an integration token)');
  const graphUrl = options.graphUrl ?? (baseUrl ? `${baseUrl}/graph` : undefined);
  const scimUrl = options.scimUrl ?? (baseUrl ? `${baseUrl}/scim/v2` : undefined);
  if (!graphUrl || !scimUrl) throw new UsageError('no server: pass --base-url or set COMMONPLACE_BASE_URL (e.g. http://127.0.0.1:8080)');
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const fetch = limitedFetch(concurrency);
  const userAgent = 'commonplace-toolkit/0.1.0';
  const graph = new GraphClient({
    baseUrl: graphUrl,
    accessToken: token,
    userAgent,
    fetch,
    retry: { retries: 6, minDelayMs: 500, maxDelayMs: 60_000 },
    onRetry: (i: RetryInfo) => onRetry?.(`retry ${i.attempt} of ${i.method} ${i.url} in ${i.delayMs} ms: ${i.error.message}`),
  });
  const scim = new ScimClient({
    baseUrl: scimUrl,
    accessToken: token,
    userAgent,
    fetch,
    retry: { retries: 6, minDelayMs: 500, maxDelayMs: 60_000 },
    onRetry: (i: ScimRetryInfo) => onRetry?.(`retry ${i.attempt} of ${i.method} ${i.url} in ${i.delayMs} ms: ${i.error.message}`),
  });
  return { graph, scim, baseUrl: baseUrl || graphUrl, concurrency };
}
