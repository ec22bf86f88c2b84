import { findMediaByIds, type MediaRow } from '../../../db/repositories/media.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { photoRoutes } from './routes.js';
import { photoType } from './type.js';

export type PhotoNode = AddressedNode<'photo', MediaRow>;

export const photoNode: NodeDefinition<PhotoNode, MediaRow> = {
  key: 'photo',
  type: photoType,
  load: async (ctx, _actor, ids) => new Map((await findMediaByIds(ctx.db, ids)).map((row) => [row.id, { type: 'photo' as const, id: row.id, row }])),
  read: {
    rule: 'photo',
    target: (node, segment) => ({ id: segment, ownerId: node.row.owner_id, published: node.row.published === 1, groupId: node.row.group_id }),
  },
  routes: photoRoutes,
};
