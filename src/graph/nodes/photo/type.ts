import { findAlbumsByIds } from '../../../db/repositories/album.js';
import type { MediaRow } from '../../../db/repositories/media.js';
import { mediaUrl } from '../../../presenters/media.js';
import type { NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import { loadProfiles } from '../profile/type.js';

const absent = { kind: 'scalar' as const, get: () => undefined };

/** The one stored size of a photo, with its pixel size when known. */
function imageOf(p: Presentation, m: MediaRow) {
  return { source: mediaUrl(p, m), ...(m.width && m.height ? { width: m.width, height: m.height } : {}) };
}

/** The integration uploaded it (its bot page owns it). */
export function ownPhoto(p: Pick<Presentation, 'actor'>, m: MediaRow): boolean {
  return (p.actor.kind === 'integration' || p.actor.kind === 'app') && m.owner_id === p.actor.pageId;
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
    height: { kind: 'scalar', get: (m) => m.height ?? undefined },
    width: { kind: 'scalar', get: (m) => m.width ?? undefined },
    images: { kind: 'scalar', get: (m, p) => [imageOf(p, m)] },
    webp_images: { kind: 'scalar', get: (m, p) => (m.mime_type === 'image/webp' ? [imageOf(p, m)] : []) },
    icon: { kind: 'scalar', get: (_m, p) => `${p.publicBase}/media/post-icon.svg` },
    published: { kind: 'scalar', get: (m) => m.published === 1 },
    can_delete: { kind: 'scalar', get: (m, p) => ownPhoto(p, m) },
    album: {
      kind: 'ref',
      target: 'album',
      key: (m) => m.album_id ?? null,
      load: async (p, ids) => new Map((await findAlbumsByIds(p.ctx.db, ids)).map((a) => [a.id, a])),
    },
    // Photo tags and places have no data here: left out, as Graph leaves out empty values.
    name_tags: absent,
    place: absent,
    can_tag: { kind: 'scalar', get: () => false },
    target: { kind: 'scalar', get: (m) => (m.group_id ? { id: m.group_id } : undefined) },
    from: {
      kind: 'ref',
      target: 'profile',
      key: (m) => m.owner_id,
      load: loadProfiles,
    },
  },
  edges: {},
};
