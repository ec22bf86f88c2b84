import { commentCreator, commentDeleter } from '../../domain/commands/comment.js';
import { reactionRemover, reactionSetter } from '../../domain/commands/reaction.js';
import { authorizeContent } from '../../policies/graph.js';
import { commentTarget } from '../../presenters/comment.js';
import { listEdge, readNode } from '../read.js';
import { type GraphRequest, type GraphRoute, success } from '../request.js';

function commentOf(req: GraphRequest) {
  if (req.node.type !== 'comment') throw new Error('comment route on another node');
  return { comment: req.node.row, post: req.node.post };
}

async function reply(req: GraphRequest) {
  const { comment, post } = commentOf(req);
  authorizeContent(req.actor, 'reply', { ...commentTarget(post, comment), id: req.segment }, 'post');
  const created = await req.write((w) =>
    commentCreator(w, { post, parent: comment, message: req.params.rawString('message'), mediaId: req.params.string('attachment_id') }),
  );
  return { id: created.id };
}

async function deleteComment(req: GraphRequest) {
  const { comment, post } = commentOf(req);
  authorizeContent(req.actor, 'delete', { ...commentTarget(post, comment), id: req.segment }, 'delete');
  await req.write((w) => commentDeleter(w, post, comment));
  return success;
}

async function like(req: GraphRequest) {
  const { comment, post } = commentOf(req);
  authorizeContent(req.actor, 'reply', { ...commentTarget(post, comment), id: req.segment }, 'post');
  await req.write((w) => reactionSetter(w, { id: comment.id, type: 'comment' }, 'LIKE'));
  return success;
}

async function unlike(req: GraphRequest) {
  const { comment, post } = commentOf(req);
  authorizeContent(req.actor, 'reply', { ...commentTarget(post, comment), id: req.segment }, 'delete');
  await req.write((w) => reactionRemover(w, { id: comment.id, type: 'comment' }));
  return success;
}

export const commentRoutes: GraphRoute[] = [
  { node: 'comment', edge: null, method: 'GET', handler: readNode },
  { node: 'comment', edge: null, method: 'DELETE', handler: deleteComment },
  { node: 'comment', edge: 'comments', method: 'POST', handler: reply },
  { node: 'comment', edge: 'likes', method: 'POST', handler: like },
  { node: 'comment', edge: 'likes', method: 'DELETE', handler: unlike },
  { node: 'comment', edge: '*', method: 'GET', handler: (req) => listEdge(req) },
];
