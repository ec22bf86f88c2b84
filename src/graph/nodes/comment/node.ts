import { type CommentRow, findCommentsByIds } from '../../../db/repositories/comment.js';
import { findPostsByIds, type PostRow } from '../../../db/repositories/post.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { commentRoutes } from './routes.js';
import { commentTarget, commentType } from './type.js';

/** A comment with the post it sits on (the content rules read both). */
export type CommentNode = AddressedNode<'comment', CommentRow> & { post: PostRow };

export const commentNode: NodeDefinition<CommentNode, CommentRow> = {
  key: 'comment',
  type: commentType,
  load: async (ctx, _actor, ids) => {
    const comments = await findCommentsByIds(ctx.db, ids);
    const posts = new Map((await findPostsByIds(ctx.db, comments.map((c) => c.post_id))).map((p) => [p.id, p]));
    return new Map(comments.flatMap((row) => (posts.has(row.post_id) ? [[row.id, { type: 'comment' as const, id: row.id, row, post: posts.get(row.post_id)! }]] : [])));
  },
  read: { rule: 'content', target: (node, segment) => ({ ...commentTarget(node.post, node.row), id: segment }) },
  routes: commentRoutes,
};
