import type { LinkPreviewRow, ShownPreviewRow } from '../db/repositories/linkPreview.js';
import { mediaPath } from './media.js';
import type { Presentation } from './types.js';

// Link previews on the wire: the card the member app draws, Graph's share attachment, and the
// admin panel's log of what each integration answered. Only `ready` previews are ever shown
// to members or tokens; failures are for admins. Images and icons are the server's own stored
// copies behind signed, expiring /media links; the integration's URLs are never handed out.

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

type Links = Presentation['ctx']['mediaLinks'];

/** The signed same-origin path of a preview's stored image or icon, or null when it has none. */
function storedPath(links: Links, id: string | null, file: string | null): string | null {
  return id && file ? mediaPath(links, { id, file_name: file, source_url: null }) : null;
}

/** The absolute signed link of a preview's stored image (Graph answers carry absolute links). */
export function previewImageUrl(p: Pick<Presentation, 'ctx' | 'publicBase'>, row: ShownPreviewRow): string | undefined {
  const path = storedPath(p.ctx.mediaLinks, row.image_media_id, row.image_file);
  return path ? `${p.publicBase}${path}` : undefined;
}

export function previewFields(row: LinkPreviewRow): { title: string; value: string }[] {
  return row.fields ? (JSON.parse(row.fields) as { title: string; value: string }[]) : [];
}

/** The cards of an object's ready previews, in URL order. */
export function previewCards(links: Links, rows: readonly ShownPreviewRow[] | undefined): PreviewCard[] {
  return (rows ?? [])
    .filter((r) => r.state === 'ready' && r.title)
    .map((r) => ({
      url: r.canonical_link ?? r.url,
      title: r.title!,
      description: r.description,
      image_url: storedPath(links, r.image_media_id, r.image_file),
      icon_url: storedPath(links, r.icon_media_id, r.icon_file),
      type: r.preview_type,
      fields: previewFields(r),
    }));
}

/** Graph's `share` StoryAttachment for a ready preview. */
export function shareAttachment(p: Pick<Presentation, 'ctx' | 'publicBase'>, row: ShownPreviewRow): Record<string, unknown> {
  const url = row.canonical_link ?? row.url;
  const image = previewImageUrl(p, row);
  return {
    type: 'share',
    url,
    title: row.title ?? url,
    ...(row.description ? { description: row.description } : {}),
    ...(image ? { media: { image: { src: image } } } : {}),
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
