import { commentCreator, commentDeleter } from '../../../domain/commands/comment.js';
import { reactionRemover, reactionSetter } from '../../../domain/commands/reaction.js';
import { authorizeContent } from '../../../policies/graph.js';
import type { NodeRoute } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import type { CommentNode } from './node.js';
import { commentTarget } from './type.js';

const commentOf = (req: GraphRequest<CommentNode>) => ({ comment: req.node.row, post: req.node.post });

async function reply(req: GraphRequest<CommentNode>) {
  const { comment, post } = commentOf(req);
  authorizeContent(req.actor, 'reply', { ...commentTarget(post, comment), id: req.segment }, 'post');
  const created = await req.write((w) =>
    commentCreator(w, { post, parent: comment, message: req.params.rawString('message'), mediaId: req.params.string('attachment_id') }),
  );
  return { id: created.id };
}

async function deleteComment(req: GraphRequest<CommentNode>) {
  const { comment, post } = commentOf(req);
  authorizeContent(req.actor, 'delete', { ...commentTarget(post, comment), id: req.segment }, 'delete');
  await req.write((w) => commentDeleter(w, post, comment));
  return success;
}

async function like(req: GraphRequest<CommentNode>) {
  const { comment, post } = commentOf(req);
  authorizeContent(req.actor, 'reply', { ...commentTarget(post, comment), id: req.segment }, 'post');
  await req.write((w) => reactionSetter(w, { id: comment.id, type: 'comment' }, 'LIKE'));
  return success;
}

async function unlike(req: GraphRequest<CommentNode>) {
  const { comment, post } = commentOf(req);
  authorizeContent(req.actor, 'reply', { ...commentTarget(post, comment), id: req.segment }, 'delete');
  await req.write((w) => reactionRemover(w, { id: comment.id, type: 'comment' }));
  return success;
}

export const commentRoutes: readonly NodeRoute<CommentNode>[] = [
  { edge: null, method: 'DELETE', handler: deleteComment, summary: 'Delete a comment with its replies' },
  {
    edge: 'comments',
    method: 'POST',
    handler: reply,
    summary: 'Reply to the comment (a reply to a reply attaches to the top comment)',
    params: [{ name: 'message', description: 'Text; @[id] mentions' }, { name: 'attachment_id', description: 'A photo by id' }],
  },
  { edge: 'likes', method: 'POST', handler: like, summary: 'Like the comment as the bot page' },
  { edge: 'likes', method: 'DELETE', handler: unlike, summary: "Remove the bot page's like" },
];
