import { findCommunity } from '../../../db/repositories/community.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { communityRoutes } from './routes.js';
import { type CommunityRow, communityType } from './type.js';

export type CommunityNode = AddressedNode<'community', CommunityRow>;

/** The community (`/community`, alias `/company`): a group-like root node. */
export const communityNode: NodeDefinition<CommunityNode, CommunityRow> = {
  key: 'community',
  type: communityType,
  recognize: async (ctx, _actor, segment) => {
    const key = segment.toLowerCase();
    if (key !== 'community' && key !== 'company') return undefined;
    const row = await findCommunity(ctx.db);
    return row ? { type: 'community', id: row.id, row } : null;
  },
  load: async (ctx, _actor, ids) => {
    const row = await findCommunity(ctx.db);
    return new Map(row && ids.includes(row.id) ? [[row.id, { type: 'community', id: row.id, row }]] : []);
  },
  read: { rule: 'community', target: (node) => ({ id: node.id }) },
  edgesOwnRules: true,
  routes: communityRoutes,
};
