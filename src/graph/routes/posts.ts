import { commentCreator } from '../../domain/commands/comment.js';
import { FORMATTINGS, postDeleter, type PostInput, postUpdater } from '../../domain/commands/post.js';
import { reactionRemover, reactionSetter } from '../../domain/commands/reaction.js';
import type { PostRow } from '../../db/repositories/post.js';
import { invalidParameter } from '../../errors.js';
import { parseExactJson } from '../../http/json.js';
import { authorizeContent } from '../../policies/graph.js';
import { postTarget } from '../../presenters/post.js';
import { listEdge, readNode } from '../read.js';
import { type GraphRequest, type GraphRoute, success } from '../request.js';

const MEDIA_SHAPE = 'attached_media must be a list of {"media_fbid": id}';

/**
 * The JSON that Meta's PowerShell samples build by hand: single-quoted strings and bare keys
 * (`[{'media_fbid':'123'}]`, `[{media_fbid:123}]`). Turned into JSON, then parsed exactly.
 */
function looseJson(text: string): unknown {
  try {
    return parseExactJson(text);
  } catch {
    const quoted = text
      .replace(/'((?:[^'\\]|\\.)*)'/g, (_, inner: string) => JSON.stringify(inner.replace(/\\'/g, "'")))
      .replace(/([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:/g, '$1"$2":');
    try {
      return parseExactJson(quoted);
    } catch {
      throw invalidParameter(`${MEDIA_SHAPE}, as JSON`);
    }
  }
}

/** One `attached_media` entry: `{media_fbid}`, that object as (loose) JSON text, or a bare id. */
function mediaIdOf(item: unknown): string {
  if (typeof item === 'string' && /^\s*[{[]/.test(item)) item = looseJson(item);
  const id = typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as { media_fbid?: unknown }).media_fbid : item;
  if ((typeof id !== 'string' && typeof id !== 'number') || !/^\d{1,20}$/.test(String(id).trim())) throw invalidParameter(MEDIA_SHAPE);
  return String(id).trim();
}

/**
 * `attached_media` as clients send it: a JSON array (or Meta's PowerShell pseudo-JSON), bracket
 * notation (`attached_media[0]={"media_fbid":"…"}`), or a JSON body array. Photos keep the order
 * given; one named twice is attached once.
 */
function attachedMedia(req: GraphRequest): string[] {
  let value = req.params.values.attached_media;
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') value = looseJson(value);
  const list = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? Object.values(value) : [value];
  return [...new Set(list.map(mediaIdOf))];
}

/** Post parameters: message, formatting, link, and photos by attached_media / attachment_id. */
export function postInput(req: GraphRequest): Omit<PostInput, 'feedId' | 'feedType'> {
  if (req.params.has('files') && req.params.values.files !== '') {
    throw invalidParameter('files: group files are not available on this server yet; attach photos with attached_media (upload them first with POST /me/photos?published=false)');
  }
  const media = attachedMedia(req);
  const attachmentId = req.params.string('attachment_id') ?? req.params.string('object_attachment');
  if (attachmentId && !media.includes(attachmentId)) media.push(attachmentId);
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
