import { findMediaByIds, type MediaRow } from '../db/repositories/media.js';
import type { Presentation } from './types.js';

type Stored = Pick<MediaRow, 'id' | 'source_url' | 'file_name'>;

/**
 * Where a photo is served: the signed, expiring same-origin path of the stored file (fresh on every
 * read, the same within a link bucket). Only rows from before photos given by URL were fetched
 * have no stored file; they still point at their source URL.
 */
export function mediaPath(links: Presentation['ctx']['mediaLinks'], media: Stored): string | null {
  if (media.file_name) return `/media/${media.id}/${media.file_name}?${links.query(`media:${media.id}`)}`;
  return media.source_url;
}

/** The absolute URL a photo is served at (Graph answers carry absolute links). */
export function mediaUrl(p: Pick<Presentation, 'ctx' | 'publicBase'>, media: MediaRow): string {
  const path = mediaPath(p.ctx.mediaLinks, media) ?? '';
  return media.file_name ? `${p.publicBase}${path}` : path;
}

export function silhouetteUrl(p: Pick<Presentation, 'publicBase'>): string {
  return `${p.publicBase}/media/silhouette.svg`;
}

/** The Graph `picture` object of a profile. */
export function pictureObject(p: Pick<Presentation, 'ctx' | 'publicBase'>, media: MediaRow | undefined) {
  return { data: media ? { url: mediaUrl(p, media), is_silhouette: false } : { url: silhouetteUrl(p), is_silhouette: true, height: 50, width: 50 } };
}

export async function loadMedia(p: Pick<Presentation, 'ctx'>, ids: string[]): Promise<Map<string, MediaRow>> {
  return new Map((await findMediaByIds(p.ctx.db, ids)).map((m) => [m.id, m]));
}

/** Profile pictures by media id, in one statement. */
export async function loadPictures(p: Pick<Presentation, 'ctx'>, mediaIds: (string | null)[]): Promise<Map<string, MediaRow>> {
  const ids = [...new Set(mediaIds.filter((id): id is string => id !== null))];
  return new Map((await findMediaByIds(p.ctx.db, ids)).map((m) => [m.id, m]));
}
