import type { AppRow } from '../../../db/repositories/app.js';
import type { NodeType } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';

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
