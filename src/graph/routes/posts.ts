import { commentCreator } from '../../domain/commands/comment.js';
import { FORMATTINGS, postDeleter, type PostInput, postUpdater } from '../../domain/commands/post.js';
import { reactionRemover, reactionSetter } from '../../domain/commands/reaction.js';
import type { PostRow } from '../../db/repositories/post.js';
import { invalidParameter } from '../../errors.js';
import { authorizeContent } from '../../policies/graph.js';
import { postTarget } from '../../presenters/post.js';
import { listEdge, readNode } from '../read.js';
import { type GraphRequest, type GraphRoute, success } from '../request.js';

/** Post parameters: message, formatting, link, and photos by attached_media / attachment_id. */
export function postInput(req: GraphRequest): Omit<PostInput, 'feedId' | 'feedType'> {
  const media: string[] = [];
  const attached = req.params.json('attached_media');
  if (attached !== undefined) {
    const list = Array.isArray(attached) ? attached : typeof attached === 'object' && attached !== null ? Object.values(attached) : null;
    if (!list) throw invalidParameter('attached_media must be a list of {"media_fbid": id}');
    for (const item of list) {
      const id = typeof item === 'object' && item !== null ? (item as { media_fbid?: unknown }).media_fbid : item;
      if (typeof id !== 'string' && typeof id !== 'number') throw invalidParameter('attached_media must be a list of {"media_fbid": id}');
      media.push(String(id));
    }
  }
  const attachmentId = req.params.string('attachment_id') ?? req.params.string('object_attachment');
  if (attachmentId) media.push(attachmentId);
  return {
    message: req.params.rawString('message'),
    formatting: req.params.oneOf('formatting', FORMATTINGS),
    link: req.params.string('link'),
    mediaIds: media,
  };
}

function postOf(req: GraphRequest): PostRow {
  if (req.node.type !== 'post') throw new Error('post route on another node');
  return req.node.row;
}

async function editPost(req: GraphRequest) {
  const post = postOf(req);
  authorizeContent(req.actor, 'edit', { ...postTarget(post), id: req.segment }, 'post');
  await req.write((w) =>
    postUpdater(w, post, { message: req.params.rawString('message'), link: req.params.rawString('link'), formatting: req.params.oneOf('formatting', FORMATTINGS) }),
  );
  return success;
}

async function deletePost(req: GraphRequest) {
  const post = postOf(req);
  authorizeContent(req.actor, 'delete', { ...postTarget(post), id: req.segment }, 'delete');
  await req.write((w) => postDeleter(w, post));
  return success;
}

async function commentOnPost(req: GraphRequest) {
  const post = postOf(req);
  authorizeContent(req.actor, 'reply', { ...postTarget(post), id: req.segment }, 'post');
  const message = req.params.rawString('message');
  const mediaId = req.params.string('attachment_id');
  const comment = await req.write((w) => commentCreator(w, { post, message, mediaId }));
  return { id: comment.id };
}

async function likePost(req: GraphRequest) {
  const post = postOf(req);
  authorizeContent(req.actor, 'reply', { ...postTarget(post), id: req.segment }, 'post');
  await req.write((w) => reactionSetter(w, { id: post.id, type: 'post' }, 'LIKE'));
  return success;
}

async function unlikePost(req: GraphRequest) {
  const post = postOf(req);
  authorizeContent(req.actor, 'reply', { ...postTarget(post), id: req.segment }, 'delete');
  await req.write((w) => reactionRemover(w, { id: post.id, type: 'post' }));
  return success;
}

export const postRoutes: GraphRoute[] = [
  { node: 'post', edge: null, method: 'GET', handler: readNode },
  { node: 'post', edge: null, method: 'POST', handler: editPost },
  { node: 'post', edge: null, method: 'DELETE', handler: deletePost },
  { node: 'post', edge: 'comments', method: 'POST', handler: commentOnPost },
  { node: 'post', edge: 'likes', method: 'POST', handler: likePost },
  { node: 'post', edge: 'likes', method: 'DELETE', handler: unlikePost },
  { node: 'post', edge: '*', method: 'GET', handler: (req) => listEdge(req) },
];
