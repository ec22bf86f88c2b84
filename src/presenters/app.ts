import type { AppRow, PageRow } from '../db/repositories/app.js';
import { graphTime } from '../graph/time.js';
import { loadPictures } from './profile.js';
import { pictureObject } from './media.js';
import type { NodeType } from './types.js';

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

/** An integration's app. Secrets never reach this presenter: it only sees public columns. */
export type PublicApp = Pick<AppRow, 'id' | 'name' | 'description' | 'page_id' | 'created_time'>;

export const appType: NodeType<PublicApp> = {
  name: 'Application',
  defaults: ['id', 'name'],
  id: (a) => a.id,
  fields: {
    id: { kind: 'scalar', get: (a) => a.id },
    name: { kind: 'scalar', get: (a) => a.name },
    description: { kind: 'scalar', get: (a) => a.description || undefined },
    category: { kind: 'scalar', get: () => 'Workplace Custom Integration' },
    link: { kind: 'scalar', get: (a, p) => `${p.publicBase}/admin/integrations/${a.id}` },
    page_id: { kind: 'scalar', get: (a) => a.page_id },
    created_time: { kind: 'scalar', get: (a) => graphTime(a.created_time) },
  },
  edges: {},
};

export function publicApp(app: AppRow): PublicApp {
  return { id: app.id, name: app.name, description: app.description, page_id: app.page_id, created_time: app.created_time };
}
