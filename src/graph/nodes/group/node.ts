import { findGroupsByIds, type GroupRow } from '../../../db/repositories/group.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { groupRoutes } from './routes.js';
import { groupType } from './type.js';

export type GroupNode = AddressedNode<'group', GroupRow>;

export const groupNode: NodeDefinition<GroupNode, GroupRow> = {
  key: 'group',
  type: groupType,
  load: async (ctx, _actor, ids) => new Map((await findGroupsByIds(ctx.db, ids)).map((row) => [row.id, { type: 'group' as const, id: row.id, row }])),
  read: { rule: 'group', target: (node, segment) => ({ id: segment, groupId: node.id }) },
  routes: groupRoutes,
};
