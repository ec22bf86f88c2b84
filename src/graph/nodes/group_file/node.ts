import { findGroupFilesByIds, type GroupFileRow } from '../../../db/repositories/groupFile.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { groupFileRoutes } from './routes.js';
import { groupFileType } from './type.js';

export type GroupFileNode = AddressedNode<'group_file', GroupFileRow>;

export const groupFileNode: NodeDefinition<GroupFileNode, GroupFileRow> = {
  key: 'group_file',
  type: groupFileType,
  load: async (ctx, _actor, ids) => new Map((await findGroupFilesByIds(ctx.db, ids)).map((row) => [row.id, { type: 'group_file' as const, id: row.id, row }])),
  // The photos' rule: the integration's own uploads; otherwise files posted in a group in scope.
  read: {
    rule: 'photo',
    target: (node, segment) => ({ id: segment, ownerId: node.row.owner_id, published: node.row.post_id !== null, groupId: node.row.group_id }),
  },
  routes: groupFileRoutes,
};
