import { type ChatMessageRow, findMessagesByIds } from '../../../db/repositories/chat.js';
import { loadThread, type ThreadState } from '../../../domain/commands/chat.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { chatMessageType } from './type.js';

/** A Work Chat message, `m_{id}`, with its thread (who may read it depends on the thread). */
export type MessageNode = AddressedNode<'message', ChatMessageRow> & { thread: ThreadState };

export const messageNode: NodeDefinition<MessageNode, ChatMessageRow> = {
  key: 'message',
  type: chatMessageType,
  recognize: async (ctx, _actor, segment) => {
    const match = /^m_(\d{1,20})$/i.exec(segment);
    if (!match) return undefined;
    const [row] = await findMessagesByIds(ctx.db, [match[1]]);
    const thread = row ? await loadThread(ctx.db, row.thread_id) : undefined;
    return row && thread ? { type: 'message', id: row.id, row, thread } : null;
  },
  read: { rule: 'message', target: (node, segment) => ({ id: segment, view: node.thread }) },
  routes: [],
};
