import { findMediaByIds, type MediaRow } from '../db/repositories/media.js';
import { graphTime } from '../graph/time.js';
import { type ProfileRow, loadProfiles, profileType } from './profile.js';
import type { NodeType, Presentation } from './types.js';

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

export async function loadMedia(p: Presentation, ids: string[]): Promise<Map<string, MediaRow>> {
  return new Map((await findMediaByIds(p.ctx.db, ids)).map((m) => [m.id, m]));
}

export const photoType: NodeType<MediaRow> = {
  name: 'Photo',
  defaults: ['id', 'created_time', 'name'],
  id: (m) => m.id,
  fields: {
    id: { kind: 'scalar', get: (m) => m.id },
    created_time: { kind: 'scalar', get: (m) => graphTime(m.created_time) },
    updated_time: { kind: 'scalar', get: (m) => graphTime(m.created_time) },
    name: { kind: 'scalar', get: (m) => m.caption ?? undefined },
    picture: { kind: 'scalar', get: (m, p) => mediaUrl(p, m) },
    link: { kind: 'scalar', get: (m, p) => mediaUrl(p, m) },
    images: { kind: 'scalar', get: (m, p) => [{ source: mediaUrl(p, m) }] },
    webp_images: { kind: 'scalar', get: (m, p) => (m.mime_type === 'image/webp' ? [{ source: mediaUrl(p, m) }] : []) },
    published: { kind: 'scalar', get: (m) => m.published === 1 },
    can_delete: { kind: 'scalar', get: () => false },
    can_tag: { kind: 'scalar', get: () => false },
    target: { kind: 'scalar', get: (m) => (m.group_id ? { id: m.group_id } : undefined) },
    from: {
      kind: 'ref',
      target: () => profileType,
      key: (m) => m.owner_id,
      load: (p, ids) => loadProfiles(p, ids) as Promise<Map<string, ProfileRow>>,
    },
  },
  edges: {},
};
