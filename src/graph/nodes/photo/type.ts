import type { MediaRow } from '../../../db/repositories/media.js';
import { mediaUrl } from '../../../presenters/media.js';
import type { NodeType } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import { loadProfiles } from '../profile/type.js';

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
      target: 'profile',
      key: (m) => m.owner_id,
      load: loadProfiles,
    },
  },
  edges: {},
};
