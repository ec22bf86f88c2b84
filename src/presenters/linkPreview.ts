import type { LinkPreviewRow } from '../db/repositories/linkPreview.js';

// Link previews on the wire: the card the member app draws, Graph's share attachment, and the
// admin panel's log of what each integration answered. Only `ready` previews are ever shown
// to members or tokens; failures are for admins.

export interface PreviewCard {
  url: string;
  title: string;
  description: string | null;
  image_url: string | null;
  icon_url: string | null;
  type: string | null;
  fields: { title: string; value: string }[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function previewFields(row: LinkPreviewRow): { title: string; value: string }[] {
  return row.fields ? (JSON.parse(row.fields) as { title: string; value: string }[]) : [];
}

/** The cards of an object's ready previews, in URL order. */
export function previewCards(rows: readonly LinkPreviewRow[] | undefined): PreviewCard[] {
  return (rows ?? [])
    .filter((r) => r.state === 'ready' && r.title)
    .map((r) => ({ url: r.canonical_link ?? r.url, title: r.title!, description: r.description, image_url: r.image_url, icon_url: r.icon_url, type: r.preview_type, fields: previewFields(r) }));
}

/** Graph's `share` StoryAttachment for a ready preview. */
export function shareAttachment(row: LinkPreviewRow): Record<string, unknown> {
  const url = row.canonical_link ?? row.url;
  return {
    type: 'share',
    url,
    title: row.title ?? url,
    ...(row.description ? { description: row.description } : {}),
    ...(row.image_url ? { media: { image: { src: row.image_url } } } : {}),
    target: { url },
  };
}

/** One line of the admin panel's preview log. */
export function presentPreviewLog(row: LinkPreviewRow) {
  return {
    id: row.id,
    object_type: row.object_type,
    object_id: row.object_id,
    url: row.url,
    state: row.state,
    title: row.title,
    error: row.error,
    status_code: row.status_code,
    latency_ms: row.latency_ms,
    requester_id: row.requester_id,
    created_time: iso(row.created_time),
    completed_time: iso(row.completed_time),
  };
}
