import { albumPhotoAdder } from '../../../domain/commands/album.js';
import { commentCreator } from '../../../domain/commands/comment.js';
import { reactionRemover, reactionSetter } from '../../../domain/commands/reaction.js';
import { invalidParameter } from '../../../errors.js';
import { authorizeContent } from '../../../policies/graph.js';
import type { NodeRoute } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import { postTarget } from '../post/type.js';
import type { AlbumNode } from './node.js';

const target = (req: GraphRequest<AlbumNode>) => ({ ...postTarget(req.node.post), id: req.segment });

/** POST /{album}/photos: `url` or an uploaded `source`, with `message`/`caption`/`name`. */
async function addPhoto(req: GraphRequest<AlbumNode>) {
  authorizeContent(req.actor, 'reply', target(req), 'post');
  const file = req.params.file('source') ?? req.params.file('file');
  const url = req.params.string('url');
  if (!file && !url) throw invalidParameter('A photo needs a url or an uploaded source file');
  const caption = req.params.string('message') ?? req.params.string('caption') ?? req.params.string('name');
  const photo = await req.write((w) => albumPhotoAdder(w, req.node.row, req.node.post, { url, file, caption }));
  return { id: photo.id, post_id: `${req.node.post.feed_id}_${req.node.post.id}` };
}

async function commentOnAlbum(req: GraphRequest<AlbumNode>) {
  authorizeContent(req.actor, 'reply', target(req), 'post');
  const comment = await req.write((w) => commentCreator(w, { post: req.node.post, message: req.params.rawString('message'), mediaId: req.params.string('attachment_id') }));
  return { id: comment.id };
}

async function likeAlbum(req: GraphRequest<AlbumNode>) {
  authorizeContent(req.actor, 'reply', target(req), 'post');
  await req.write((w) => reactionSetter(w, { id: req.node.post.id, type: 'post' }, 'LIKE'));
  return success;
}

async function unlikeAlbum(req: GraphRequest<AlbumNode>) {
  authorizeContent(req.actor, 'reply', target(req), 'delete');
  await req.write((w) => reactionRemover(w, { id: req.node.post.id, type: 'post' }));
  return success;
}

export const albumRoutes: readonly NodeRoute<AlbumNode>[] = [
  {
    edge: 'photos',
    method: 'POST',
    handler: addPhoto,
    summary: 'Add a photo to the album (shown in the album\'s post); answers {id, post_id}',
    params: [
      { name: 'url', description: 'An http(s) image URL' },
      { name: 'source', description: 'The image, as a multipart/form-data part' },
      { name: 'message', description: 'Caption (also caption, name)' },
    ],
  },
  { edge: 'comments', method: 'POST', handler: commentOnAlbum, summary: 'Comment on the album (its post\'s comments)', params: [{ name: 'message', description: 'Text; @[id] mentions' }, { name: 'attachment_id', description: 'A photo by id' }] },
  { edge: 'likes', method: 'POST', handler: likeAlbum, summary: 'Like the album as the bot page' },
  { edge: 'likes', method: 'DELETE', handler: unlikeAlbum, summary: 'Remove the bot page\'s like' },
];
