import { complianceMessageDeleter } from '../../../domain/commands/compliance.js';
import { authorize } from '../../../policies/graph.js';
import type { NodeRoute } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import type { MessageNode } from './node.js';

/** DELETE /{message-id}?user=: a compliance delete (Read all messages), audited. */
async function deleteMessage(req: GraphRequest<MessageNode>) {
  authorize(req.actor, 'chat.read_all');
  await req.write((w) => complianceMessageDeleter(w, req.node.thread, req.node.row, req.params.string('user')));
  return success;
}

export const messageRoutes: readonly NodeRoute<MessageNode>[] = [
  {
    edge: null,
    method: 'DELETE',
    handler: deleteMessage,
    summary: 'Delete a message for compliance (needs read_all_messages)',
    params: [{ name: 'user', description: 'A participant of the thread the message is in', required: true }],
  },
];
