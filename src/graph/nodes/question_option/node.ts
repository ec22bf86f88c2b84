import { findPollOptionsByIds } from '../../../db/repositories/poll.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { postTarget } from '../post/type.js';
import { questionsByIds } from '../question/type.js';
import { type OptionRow, questionOptionType } from './type.js';

export type QuestionOptionNode = AddressedNode<'question_option', OptionRow>;

/** `/{option-id}` and `/{option-id}/votes`: one option of a poll, read with the post's rules. */
export const questionOptionNode: NodeDefinition<QuestionOptionNode, OptionRow> = {
  key: 'question_option',
  type: questionOptionType,
  load: async (ctx, _actor, ids) => {
    const options = await findPollOptionsByIds(ctx.db, ids);
    const questions = new Map((await questionsByIds(ctx.db, options.map((o) => o.poll_id))).map((q) => [q.poll.id, q]));
    return new Map(options.filter((o) => questions.has(o.poll_id)).map((option) => [option.id, { type: 'question_option' as const, id: option.id, row: { ...questions.get(option.poll_id)!, option } }]));
  },
  read: { rule: 'content', target: (node, segment) => ({ ...postTarget(node.row.post), id: segment }) },
  routes: [],
};
