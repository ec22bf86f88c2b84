import { findPagesByIds, type PageRow } from '../../../db/repositories/app.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { pageRoutes } from './routes.js';
import { pageType } from './type.js';

export type PageNode = AddressedNode<'page', PageRow>;

const nodeOf = (row: PageRow): PageNode => ({ type: 'page', id: row.id, row });

/** A bot page; `me` is the integration's own. */
export const pageNode: NodeDefinition<PageNode, PageRow> = {
  key: 'page',
  type: pageType,
  recognize: async (ctx, actor, segment) => {
    if (segment.toLowerCase() !== 'me') return undefined;
    if (actor.kind !== 'integration' && actor.kind !== 'app') return null;
    const [row] = await findPagesByIds(ctx.db, [actor.pageId]);
    return row ? nodeOf(row) : null;
  },
  load: async (ctx, _actor, ids) => new Map((await findPagesByIds(ctx.db, ids)).map((row) => [row.id, nodeOf(row)])),
  read: { rule: 'open', target: (node) => ({ id: node.id }) },
  routes: pageRoutes,
};
