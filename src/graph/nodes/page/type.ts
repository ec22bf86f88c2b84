import type { PageRow } from '../../../db/repositories/app.js';
import { loadPictures, pictureObject } from '../../../presenters/media.js';
import type { NodeType } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';

/** A bot page: the identity an integration posts and chats as. */
export const pageType: NodeType<PageRow> = {
  name: 'Page',
  defaults: ['id', 'name'],
  id: (pg) => pg.id,
  fields: {
    id: { kind: 'scalar', get: (pg) => pg.id },
    name: { kind: 'scalar', get: (pg) => pg.name },
    category: { kind: 'scalar', get: () => 'Bot' },
    is_bot: { kind: 'scalar', get: () => true },
    link: { kind: 'scalar', get: (pg, p) => `${p.publicBase}/bots/${pg.id}` },
    created_time: { kind: 'scalar', get: (pg) => graphTime(pg.created_time) },
    picture: {
      kind: 'batch',
      load: async (p, pages) => {
        const media = await loadPictures(p, pages.map((pg) => pg.picture_media_id));
        return pages.map((pg) => pictureObject(p, media.get(pg.picture_media_id ?? '')));
      },
    },
  },
  edges: {},
};
