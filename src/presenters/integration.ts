import type { Db } from '../db/database.js';
import { type AppRow, findAppGroupIdsForApps, listApps, usageSince } from '../db/repositories/app.js';

/** An integration as admins see it (admin API, CLI). Never the token or the secret. */
export interface IntegrationView {
  app_id: string;
  page_id: string;
  name: string;
  description: string;
  permissions: string[];
  groups: 'all' | string[];
  enabled: boolean;
  require_appsecret_proof: boolean;
  auto_invite: boolean;
  token_hint: string;
  token_created_time: string;
  created_time: string;
  created_by: string | null;
  last_request_time: string | null;
  /** Requests per UTC day over the last 7 days, oldest first. */
  requests_7d: { day: string; requests: number }[];
  requests_7d_total: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function lastDays(now: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => new Date(now - (n - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

export async function presentIntegrations(db: Db, apps: AppRow[], now: number): Promise<IntegrationView[]> {
  const ids = apps.map((a) => a.id);
  const days = lastDays(now, 7);
  const [groups, usage] = await Promise.all([findAppGroupIdsForApps(db, ids), usageSince(db, ids, days[0])]);
  return apps.map((app) => {
    const counts = days.map((day) => ({ day, requests: Number(usage.find((u) => u.app_id === app.id && u.day === day)?.requests ?? 0) }));
    return {
      app_id: app.id,
      page_id: app.page_id,
      name: app.name,
      description: app.description,
      permissions: JSON.parse(app.permissions),
      groups: app.scope_all ? 'all' : groups.get(app.id) ?? [],
      enabled: app.enabled === 1,
      require_appsecret_proof: app.require_proof === 1,
      auto_invite: app.auto_invite === 1,
      token_hint: app.token_hint,
      token_created_time: iso(app.token_time),
      created_time: iso(app.created_time),
      created_by: app.created_by,
      last_request_time: app.last_request_time ? iso(app.last_request_time) : null,
      requests_7d: counts,
      requests_7d_total: counts.reduce((sum, c) => sum + c.requests, 0),
    };
  });
}

export async function listIntegrationViews(db: Db, now: number): Promise<IntegrationView[]> {
  return presentIntegrations(db, await listApps(db), now);
}
