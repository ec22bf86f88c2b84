import { findEventsByIds, type EventRow } from '../../../db/repositories/groupEvent.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { eventRoutes } from './routes.js';
import { eventType } from './type.js';

export type EventNode = AddressedNode<'event', EventRow>;

/** `/{event-id}`: an event of a group. */
export const eventNode: NodeDefinition<EventNode, EventRow> = {
  key: 'event',
  type: eventType,
  load: async (ctx, _actor, ids) => new Map((await findEventsByIds(ctx.db, ids)).map((row) => [row.id, { type: 'event' as const, id: row.id, row }])),
  read: { rule: 'event', target: (node, segment) => ({ id: segment, groupId: node.row.group_id, draft: node.row.is_draft === 1, ownerId: node.row.owner_id }) },
  routes: eventRoutes,
};
