import { findMediaByIds, type MediaRow } from '../db/repositories/media.js';
import type { Presentation } from './types.js';

type Stored = Pick<MediaRow, 'id' | 'source_url' | 'file_name'>;

/** Where a photo is served: its source URL, or the signed same-origin path of the stored file. */
export function mediaPath(secrets: Presentation['ctx']['secrets'], media: Stored): string | null {
  if (media.source_url) return media.source_url;
  return media.file_name ? `/media/${media.id}/${secrets.sign(media.id)}/${media.file_name}` : null;
}

/** The absolute URL a photo is served at (Graph answers carry absolute links). */
export function mediaUrl(p: Pick<Presentation, 'ctx' | 'publicBase'>, media: MediaRow): string {
  const path = mediaPath(p.ctx.secrets, media) ?? '';
  return media.source_url ? path : `${p.publicBase}${path}`;
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
