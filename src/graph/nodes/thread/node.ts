import { loadThread, type ThreadState } from '../../../domain/commands/chat.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { threadType } from './type.js';

export type ThreadNode = AddressedNode<'thread', ThreadState>;

/** A Work Chat thread, `t_{id}`, with its participants. Its writes are in graph/routes/chat.ts. */
export const threadNode: NodeDefinition<ThreadNode, ThreadState> = {
  key: 'thread',
  type: threadType,
  recognize: async (ctx, _actor, segment) => {
    const match = /^t_(\d{1,20})$/i.exec(segment);
    if (!match) return undefined;
    const row = await loadThread(ctx.db, match[1]);
    return row ? { type: 'thread', id: row.thread.id, row } : null;
  },
  read: { rule: 'thread', target: (node, segment) => ({ id: segment, view: node.row }) },
  routes: [],
};
