import type { RsvpStatus } from '../../../db/eventsSchema.js';
import { findRsvp } from '../../../db/repositories/groupEvent.js';
import { eventDeleter, eventUpdater, RSVP_STATUSES, rsvpSetter } from '../../../domain/commands/groupEvent.js';
import { authorize } from '../../../policies/graph.js';
import { authorizeNodeRead } from '../../../policies/read.js';
import type { NodeRoute } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import { eventInput, eventParams } from './input.js';
import type { EventNode } from './node.js';

/** Out-of-scope and hidden events answer as missing ones; then the write needs write_group, and manage_group for another's event. */
function authorizeChange(req: GraphRequest<EventNode>, method: 'post' | 'delete') {
  const e = req.node.row;
  authorizeNodeRead(req.actor, { rule: 'event', target: () => ({ id: req.segment, groupId: e.group_id, draft: e.is_draft === 1, ownerId: e.owner_id }) }, null, req.segment, method);
  if (e.owner_id === req.actor.pageId) authorize(req.actor, 'group.content.write', { groupId: e.group_id, id: req.segment, method });
  else authorize(req.actor, 'group.events.manage', { groupId: e.group_id, id: req.segment, method });
}

function authorizeAnswer(req: GraphRequest<EventNode>, method: 'post' | 'delete') {
  const e = req.node.row;
  authorizeNodeRead(req.actor, { rule: 'event', target: () => ({ id: req.segment, groupId: e.group_id, draft: e.is_draft === 1, ownerId: e.owner_id }) }, null, req.segment, method);
  authorize(req.actor, 'group.content.write', { groupId: e.group_id, id: req.segment, method });
}

const answer = (status: RsvpStatus): NodeRoute<EventNode>[] => [
  {
    edge: status,
    method: 'POST',
    summary: `Answer "${status}" as the bot page (replaces its earlier answer)`,
    handler: async (req) => {
      authorizeAnswer(req, 'post');
      await req.write((w) => rsvpSetter(w, req.node.row, status));
      return success;
    },
  },
  {
    edge: status,
    method: 'DELETE',
    summary: `Take back the bot page's "${status}" answer (another answer stays)`,
    handler: async (req) => {
      authorizeAnswer(req, 'delete');
      await req.write(async (w) => {
        const mine = await findRsvp(w.trx, req.node.row.id, req.actor.pageId);
        if (mine?.rsvp_status === status) await rsvpSetter(w, req.node.row, null);
      });
      return success;
    },
  },
];

export const eventRoutes: readonly NodeRoute<EventNode>[] = [
  {
    edge: null,
    method: 'POST',
    summary: 'Update the event (the fields given); is_canceled=true cancels it',
    params: [...eventParams.filter((p) => p.name !== 'owner'), { name: 'is_canceled', description: 'true cancels the event, false takes the cancellation back', type: 'boolean' }],
    handler: async (req) => {
      authorizeChange(req, 'post');
      await req.write((w) => eventUpdater(w, req.node.row, eventInput(req.params, req.ctx.clock.now())));
      return success;
    },
  },
  {
    edge: null,
    method: 'DELETE',
    summary: 'Delete the event with its answers',
    handler: async (req) => {
      authorizeChange(req, 'delete');
      await req.write((w) => eventDeleter(w, req.node.row));
      return success;
    },
  },
  ...RSVP_STATUSES.flatMap(answer),
  {
    edge: 'noreply',
    method: 'POST',
    summary: 'Take back any answer of the bot page',
    handler: async (req) => {
      authorizeAnswer(req, 'post');
      await req.write((w) => rsvpSetter(w, req.node.row, null));
      return success;
    },
  },
];
