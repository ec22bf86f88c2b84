import { commentCreator } from '../../../domain/commands/comment.js';
import { FORMATTINGS, postDeleter, postUpdater } from '../../../domain/commands/post.js';
import { reactionRemover, reactionSetter } from '../../../domain/commands/reaction.js';
import { authorizeContent } from '../../../policies/graph.js';
import type { NodeRoute } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import { postParams } from './input.js';
import type { PostNode } from './node.js';
import { postTarget } from './type.js';

async function editPost(req: GraphRequest<PostNode>) {
  const post = req.node.row;
  authorizeContent(req.actor, 'edit', { ...postTarget(post), id: req.segment }, 'post');
  await req.write((w) =>
    postUpdater(w, post, { message: req.params.rawString('message'), link: req.params.rawString('link'), formatting: req.params.oneOf('formatting', FORMATTINGS) }),
  );
  return success;
}

async function deletePost(req: GraphRequest<PostNode>) {
  const post = req.node.row;
  authorizeContent(req.actor, 'delete', { ...postTarget(post), id: req.segment }, 'delete');
  await req.write((w) => postDeleter(w, post));
  return success;
}

async function commentOnPost(req: GraphRequest<PostNode>) {
  const post = req.node.row;
  authorizeContent(req.actor, 'reply', { ...postTarget(post), id: req.segment }, 'post');
  const message = req.params.rawString('message');
  const mediaId = req.params.string('attachment_id');
  const comment = await req.write((w) => commentCreator(w, { post, message, mediaId }));
  return { id: comment.id };
}

async function likePost(req: GraphRequest<PostNode>) {
  const post = req.node.row;
  authorizeContent(req.actor, 'reply', { ...postTarget(post), id: req.segment }, 'post');
  await req.write((w) => reactionSetter(w, { id: post.id, type: 'post' }, 'LIKE'));
  return success;
}

async function unlikePost(req: GraphRequest<PostNode>) {
  const post = req.node.row;
  authorizeContent(req.actor, 'reply', { ...postTarget(post), id: req.segment }, 'delete');
  await req.write((w) => reactionRemover(w, { id: post.id, type: 'post' }));
  return success;
}

const editParams = postParams.filter((p) => p.name === 'message' || p.name === 'link' || p.name === 'formatting');

export const postRoutes: readonly NodeRoute<PostNode>[] = [
  { edge: null, method: 'POST', handler: editPost, summary: 'Edit an own post (message, link, formatting)', params: editParams },
  { edge: null, method: 'DELETE', handler: deletePost, summary: 'Delete a post with its comments' },
  {
    edge: 'comments',
    method: 'POST',
    handler: commentOnPost,
    summary: 'Comment on the post',
    params: [{ name: 'message', description: 'Text; @[id] mentions' }, { name: 'attachment_id', description: 'A photo by id' }],
  },
  { edge: 'likes', method: 'POST', handler: likePost, summary: 'Like the post as the bot page' },
  { edge: 'likes', method: 'DELETE', handler: unlikePost, summary: 'Remove the bot page\'s like' },
];
