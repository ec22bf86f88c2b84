import type { LinkPreviewRow } from '../db/repositories/linkPreview.js';

/** What an integration's answer sets on a preview. */
export type PreviewOutcome = Pick<LinkPreviewRow, 'state' | 'title' | 'description' | 'image_url' | 'icon_url' | 'preview_type' | 'privacy' | 'canonical_link' | 'download_url' | 'fields' | 'error'>;

const LIMITS = { title: 300, description: 2000, type: 40, field: 100, value: 500 } as const;
const MAX_FIELDS = 10;

const none: Omit<PreviewOutcome, 'state' | 'error'> = {
  title: null,
  description: null,
  image_url: null,
  icon_url: null,
  preview_type: null,
  privacy: null,
  canonical_link: null,
  download_url: null,
  fields: null,
};

/** A preview that could not be had, and why. */
export const failed = (error: string): PreviewOutcome => ({ ...none, state: 'failed', error });
const declined = (error: string): PreviewOutcome => ({ ...none, state: 'declined', error });

function text(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const t = value.replace(/\s+/g, ' ').trim();
  if (!t) return null;
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** An http(s) URL, or null (javascript:, data: and anything else are dropped). */
function httpUrl(value: unknown): string | null {
  const raw = typeof value === 'object' && value !== null ? (value as { url?: unknown; src?: unknown }).url ?? (value as { src?: unknown }).src : value;
  if (typeof raw !== 'string' || raw.length > 2048) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}

function fieldsOf(value: unknown): string | null {
  if (!Array.isArray(value)) return null;
  const fields = value
    .map((f) => (typeof f === 'object' && f !== null ? { title: text((f as Record<string, unknown>).title ?? (f as Record<string, unknown>).name, LIMITS.field), value: text((f as Record<string, unknown>).value, LIMITS.value) } : null))
    .filter((f): f is { title: string; value: string } => !!f && !!f.title && !!f.value)
    .slice(0, MAX_FIELDS);
  return fields.length ? JSON.stringify(fields) : null;
}

const sameLink = (a: unknown, b: string) => {
  if (typeof a !== 'string') return false;
  try {
    return new URL(a).toString() === b;
  } catch {
    return false;
  }
};

/**
 * Reads an integration's answer to a `link`/`preview` request. The documented shape is
 * `{data:[{link, title, description, privacy, icon, type, download_url, canonical_link}], linked_user}`
 * (Workplace's page left its details unconfirmed); Commonplace also takes `image` and
 * `fields:[{title, value}]` on an entry, and a single entry object without `data`. An empty
 * `data`, `privacy: "inaccessible"` or no title is a declined preview: nothing is shown.
 */
export function readPreviewAnswer(status: number | null, body: string | null, url: string): PreviewOutcome {
  if (status === null) return failed('no answer');
  if (status < 200 || status >= 300) return failed(`the receiver answered HTTP ${status}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return failed(`the receiver answered HTTP ${status} without JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return failed('the answer is not a JSON object');
  const answer = parsed as Record<string, unknown>;
  let entry: Record<string, unknown> | undefined;
  if (Array.isArray(answer.data)) {
    const entries = answer.data.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null && !Array.isArray(e));
    entry = entries.find((e) => sameLink(e.link, url)) ?? entries.find((e) => e.link === undefined) ?? entries[0];
    if (!entry) return declined('the receiver gave no preview (empty data)');
  } else if (answer.data === undefined) entry = answer;
  else return failed('data must be a list of previews');
  const privacy = text(entry.privacy, 40)?.toLowerCase() ?? null;
  if (privacy === 'inaccessible') return declined('the receiver says the sharer cannot see this link (privacy: inaccessible)');
  const title = text(entry.title, LIMITS.title);
  if (!title) return declined('the preview has no title');
  return {
    state: 'ready',
    error: null,
    title,
    description: text(entry.description, LIMITS.description),
    image_url: httpUrl(entry.image ?? entry.image_url ?? entry.thumbnail_url),
    icon_url: httpUrl(entry.icon),
    preview_type: text(entry.type, LIMITS.type),
    privacy,
    canonical_link: httpUrl(entry.canonical_link),
    download_url: httpUrl(entry.download_url),
    fields: fieldsOf(entry.fields),
  };
}
