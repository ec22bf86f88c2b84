import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { postTarget } from '../post/type.js';
import { type QuestionRow, questionsByIds, questionType } from './type.js';

export type QuestionNode = AddressedNode<'question', QuestionRow>;

/** `/{question-id}`: the poll of a post, read with the post's rules (no writes: Workplace had none). */
export const questionNode: NodeDefinition<QuestionNode, QuestionRow> = {
  key: 'question',
  type: questionType,
  load: async (ctx, _actor, ids) => new Map((await questionsByIds(ctx.db, ids)).map((row) => [row.poll.id, { type: 'question' as const, id: row.poll.id, row }])),
  read: { rule: 'content', target: (node, segment) => ({ ...postTarget(node.row.post), id: segment }) },
  routes: [],
};
