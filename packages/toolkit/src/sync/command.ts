import type { ScimClient, ScimUser } from '@commonplace/sdk';
import { progress as makeProgress } from '../progress.js';
import { applyPlan, bulkLimit, type ApplyResult } from './apply.js';
import { computePlan, planSize, type LeaverScope, type Plan } from './diff.js';
import { bindPassword, readLdap } from './ldap.js';
import { parseMap, readCsv, readXlsx, SourceError, type SourceResult } from './people.js';

export interface SyncOptions {
  from: string;
  map?: string;
  dryRun?: boolean;
  json?: boolean;
  /** Which users may be deactivated when the source no longer lists them (default managed: those with an externalId). */
  deactivate?: LeaverScope;
  concurrency: number;
  bulkSize?: number;
  /** Directory settings when `from` is an ldap:// or ldaps:// URL. */
  ldap?: LdapSourceOptions;
  /** Where LDAP_BIND_PASSWORD is read from. */
  env?: NodeJS.ProcessEnv;
}

export interface LdapSourceOptions {
  bindDn?: string;
  bindPasswordFile?: string;
  baseDn?: string;
  filter?: string;
  scope?: 'sub' | 'one';
  pageSize?: number;
  caFile?: string;
  startTls?: boolean;
}

export interface SyncReport {
  source: string;
  people: number;
  dryRun: boolean;
  plan: { create: number; update: number; reactivate: number; deactivate: number; manager: number };
  changes: string[];
  warnings: string[];
  applied?: Omit<ApplyResult, 'errors' | 'stopped'>;
  errors: ApplyResult['errors'];
  stopped?: ApplyResult['stopped'];
}

export async function readSource(options: SyncOptions): Promise<SourceResult> {
  const map = parseMap(options.map);
  if (/^ldaps?:\/\//i.test(options.from)) {
    const { bindPasswordFile, ...ldap } = options.ldap ?? {};
    return readLdap({ url: options.from, ...ldap, password: bindPassword(bindPasswordFile, options.env ?? {}) }, map);
  }
  if (/\.xlsx$/i.test(options.from)) return readXlsx(options.from, map);
  if (/\.(csv|txt|tsv)$/i.test(options.from)) return readCsv(options.from, map);
  throw new SourceError(`--from ${options.from}: use a .csv or .xlsx file, or an ldap:// or ldaps:// URL`);
}

const redacted = (from: string) => from.replace(/\/\/[^@/]*@/, '//***@');

/** Every user on the server, in pages of 1000. */
export async function currentUsers(scim: ScimClient): Promise<ScimUser[]> {
  const users: ScimUser[] = [];
  for await (const u of scim.users({ count: 1000 })) users.push(u);
  return users;
}

/** One line per change, for people to read. */
export function describe(plan: Plan): string[] {
  const show = (v: string | null) => (v === null ? '∅' : JSON.stringify(v));
  return [
    ...plan.create.map((c) => `+ create ${c.email}`),
    ...plan.update.map((c) => `~ update ${c.email}: ${c.changes.map((x) => `${x.field} ${show(x.from)} → ${show(x.to)}`).join(', ')}`),
    ...plan.reactivate.map((c) => `↺ reactivate ${c.email}${c.changes.length ? `: ${c.changes.map((x) => `${x.field} ${show(x.from)} → ${show(x.to)}`).join(', ')}` : ''}`),
    ...plan.manager.map((c) => `» manager of ${c.email} → ${c.to ?? 'none'}`),
    ...plan.deactivate.map((c) => `- deactivate ${c.email} (${c.reason})`),
  ];
}

export async function runSync(scim: ScimClient, options: SyncOptions): Promise<SyncReport> {
  const source = await readSource(options);
  const users = await currentUsers(scim);
  const plan = computePlan(source.people, source.fields, users, options.deactivate ?? 'managed');
  // An empty export or search (a wrong filter or base DN) looks like everyone left: never act on it.
  if (source.people.length === 0 && plan.deactivate.length > 0) {
    throw new SourceError(`${redacted(options.from)} lists nobody: refusing to deactivate ${plan.deactivate.length} people (check the file, or the LDAP base DN and filter)`);
  }
  const report: SyncReport = {
    source: redacted(options.from),
    people: source.people.length,
    dryRun: !!options.dryRun,
    plan: { create: plan.create.length, update: plan.update.length, reactivate: plan.reactivate.length, deactivate: plan.deactivate.length, manager: plan.manager.length },
    changes: describe(plan),
    warnings: [...source.warnings, ...plan.warnings],
    errors: [],
  };
  if (options.dryRun || planSize(plan) === 0) return report;
  const bulkSize = await bulkLimit(scim, options.bulkSize ?? 100);
  const { errors, stopped, ...applied } = await applyPlan(scim, plan, { concurrency: options.concurrency, bulkSize, progress: makeProgress(!options.json) });
  report.applied = applied;
  report.errors = errors;
  if (stopped) report.stopped = stopped;
  return report;
}

/** The human form of a report. */
export function formatReport(r: SyncReport, verbose: boolean): string {
  const lines: string[] = [];
  const p = r.plan;
  lines.push(`${r.source}: ${r.people} people; plan: ${p.create} to create, ${p.update} to update, ${p.reactivate} to reactivate, ${p.manager} managers to set, ${p.deactivate} to deactivate${r.dryRun ? ' (dry run: nothing written)' : ''}`);
  const shown = verbose ? r.changes : r.changes.slice(0, 50);
  lines.push(...shown.map((c) => `  ${c}`));
  if (shown.length < r.changes.length) lines.push(`  … and ${r.changes.length - shown.length} more (--verbose lists all, --json gives every change)`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  if (r.applied) {
    const a = r.applied;
    lines.push(`applied: ${a.created} created, ${a.updated} updated, ${a.reactivated} reactivated, ${a.managers} managers set, ${a.deactivated} deactivated`);
  } else if (!r.dryRun) lines.push('nothing to change');
  for (const e of r.errors) lines.push(`error: ${e.action} ${e.email}: ${e.message}`);
  if (r.stopped) {
    lines.push(
      `STOPPED: the server's mass-deactivation guard refused a deactivation; ${r.stopped.notApplied} deactivations were not applied and will not be retried.`,
      `  server said: ${r.stopped.message}`,
      '  Check the source is complete (an empty or truncated export looks like everyone left). If these people really left, a system admin can deactivate them from the admin panel, or the limit can be raised; the next run then continues.',
    );
  }
  return lines.join('\n');
}
