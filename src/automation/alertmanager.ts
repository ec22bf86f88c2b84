// Prometheus Alertmanager's webhook notification (version 4) as one Markdown post per group key.

import { escapeMarkdown } from './slack.js';
import { SlackRefusal } from './slack.js';

export interface Alert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint?: string;
}

export interface AlertNotification {
  groupKey: string;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL?: string;
  alerts: Alert[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function labels(v: unknown): Record<string, string> {
  if (!isObject(v)) return {};
  return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string')) as Record<string, string>;
}

/** Reads a notification; throws SlackRefusal('invalid_payload') when it is not one. */
export function parseAlertNotification(raw: string): AlertNotification {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new SlackRefusal('invalid_payload', 'the body is not JSON');
  }
  if (!isObject(body) || typeof body.groupKey !== 'string' || !Array.isArray(body.alerts)) throw new SlackRefusal('invalid_payload', 'not an Alertmanager notification (groupKey and alerts are required)');
  const alerts = body.alerts.filter(isObject).map(
    (a): Alert => ({
      status: a.status === 'resolved' ? 'resolved' : 'firing',
      labels: labels(a.labels),
      annotations: labels(a.annotations),
      startsAt: typeof a.startsAt === 'string' ? a.startsAt : undefined,
      endsAt: typeof a.endsAt === 'string' ? a.endsAt : undefined,
      generatorURL: typeof a.generatorURL === 'string' ? a.generatorURL : undefined,
      fingerprint: typeof a.fingerprint === 'string' ? a.fingerprint : undefined,
    }),
  );
  return {
    groupKey: body.groupKey,
    status: body.status === 'resolved' ? 'resolved' : 'firing',
    receiver: typeof body.receiver === 'string' ? body.receiver : '',
    groupLabels: labels(body.groupLabels),
    commonLabels: labels(body.commonLabels),
    commonAnnotations: labels(body.commonAnnotations),
    externalURL: typeof body.externalURL === 'string' ? body.externalURL : undefined,
    alerts,
  };
}

/** An alert's identity across notifications: its fingerprint, else its sorted labels. */
export function alertKey(alert: Alert): string {
  return alert.fingerprint ?? JSON.stringify(Object.entries(alert.labels).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Folds a notification into what the group's post showed before: alerts keep their place, take
 * their new status, and new ones join. Alertmanager may leave resolved alerts out of a later
 * notification; those stay as they were last seen.
 */
export function mergeAlerts(previous: readonly Alert[], next: AlertNotification): Alert[] {
  const merged = new Map(previous.map((a) => [alertKey(a), a]));
  for (const alert of next.alerts) merged.set(alertKey(alert), alert);
  return [...merged.values()];
}

const link = (label: string, url: string | undefined) => (url && /^https?:\/\//.test(url) ? `[${label}](${url})` : label);

function time(iso: string | undefined): string {
  if (!iso || iso.startsWith('0001-')) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function alertLine(alert: Alert, common: Record<string, string>): string {
  const name = alert.labels.alertname ?? 'alert';
  const own = Object.entries(alert.labels).filter(([k, v]) => k !== 'alertname' && common[k] !== v);
  const summary = alert.annotations.summary ?? alert.annotations.description ?? alert.annotations.message ?? '';
  const when = alert.status === 'resolved' ? (time(alert.endsAt) ? `resolved ${time(alert.endsAt)}` : 'resolved') : time(alert.startsAt) ? `since ${time(alert.startsAt)}` : '';
  const labelText = own.length ? ` (${own.map(([k, v]) => `${escapeMarkdown(k)}=${escapeMarkdown(v)}`).join(', ')})` : '';
  return `- ${alert.status === 'resolved' ? '✅' : '🔥'} ${link(`**${escapeMarkdown(name)}**`, alert.generatorURL)}${labelText}${summary ? ` — ${escapeMarkdown(summary)}` : ''}${when ? ` _${when}_` : ''}`;
}

/** The post of an alert group: overall state, the group's labels, then every alert. */
export function renderAlertGroup(notification: AlertNotification, alerts: readonly Alert[]): string {
  const firing = alerts.filter((a) => a.status === 'firing').length;
  const resolved = alerts.length - firing;
  const name = notification.commonLabels.alertname ?? notification.groupLabels.alertname ?? 'Alerts';
  const state = firing > 0 ? `🔥 **FIRING: ${firing}**${resolved ? ` · ✅ resolved: ${resolved}` : ''}` : `✅ **RESOLVED**`;
  const lines = [`${state} — ${escapeMarkdown(name)}`];
  const group = Object.entries(notification.groupLabels).map(([k, v]) => `\`${escapeMarkdown(k)}=${escapeMarkdown(v)}\``);
  if (group.length) lines.push(`Group: ${group.join(' ')}`);
  const summary = notification.commonAnnotations.summary ?? notification.commonAnnotations.description;
  if (summary) lines.push(escapeMarkdown(summary));
  lines.push(alerts.map((a) => alertLine(a, notification.commonLabels)).join('\n'));
  if (notification.externalURL) lines.push(link('Open in Alertmanager', notification.externalURL));
  return lines.join('\n\n');
}
