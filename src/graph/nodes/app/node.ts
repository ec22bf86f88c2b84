import { type AppRow, findAppById } from '../../../db/repositories/app.js';
import type { Actor } from '../../../domain/actor.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { type PublicApp, appType, publicApp } from './type.js';

export type AppNode = AddressedNode<'app', AppRow>;

const ownAppId = (actor: Actor) => (actor.kind === 'integration' || actor.kind === 'app' ? actor.appId : undefined);

/** The integration's own app (`/app`); another app's id is unknown. */
export const appNode: NodeDefinition<AppNode, PublicApp> = {
  key: 'app',
  type: appType,
  present: (node) => publicApp(node.row),
  recognize: async (ctx, actor, segment) => {
    if (segment.toLowerCase() !== 'app') return undefined;
    const id = ownAppId(actor);
    const row = id ? await findAppById(ctx.db, id) : undefined;
    return row ? { type: 'app', id: row.id, row } : null;
  },
  load: async (ctx, actor, ids) => {
    const id = ownAppId(actor);
    const row = id && ids.includes(id) ? await findAppById(ctx.db, id) : undefined;
    return new Map(row ? [[row.id, { type: 'app' as const, id: row.id, row }]] : []);
  },
  read: { rule: 'open', target: (node) => ({ id: node.id }) },
  routes: [],
};
