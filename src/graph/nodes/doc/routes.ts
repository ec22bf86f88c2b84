import { commentCreator } from '../../../domain/commands/comment.js';
import { docDeleter, docUpdater } from '../../../domain/commands/doc.js';
import { reactionRemover, reactionSetter } from '../../../domain/commands/reaction.js';
import { authorize, authorizeContent } from '../../../policies/graph.js';
import type { NodeRoute } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import { postTarget } from '../post/type.js';
import type { DocNode } from './node.js';

const target = (req: GraphRequest<DocNode>) => ({ ...postTarget(req.node.post), id: req.segment });

/** POST /{doc}: a new revision (`title`/`subject`, `body`/`message`); anyone who may write in the group. */
async function editDoc(req: GraphRequest<DocNode>) {
  const doc = req.node.row;
  authorize(req.actor, 'group.content.write', { groupId: doc.group_id, id: req.segment, method: 'post' });
  const title = req.params.rawString('title') ?? req.params.rawString('subject');
  const body = req.params.rawString('body') ?? req.params.rawString('message');
  await req.write((w) => docUpdater(w, doc, req.node.post, { title, body }));
  return success;
}

async function deleteDoc(req: GraphRequest<DocNode>) {
  const doc = req.node.row;
  authorizeContent(req.actor, 'delete', target(req), 'delete');
  await req.write((w) => docDeleter(w, doc, req.node.post));
  return success;
}

async function commentOnDoc(req: GraphRequest<DocNode>) {
  authorizeContent(req.actor, 'reply', target(req), 'post');
  const comment = await req.write((w) => commentCreator(w, { post: req.node.post, message: req.params.rawString('message'), mediaId: req.params.string('attachment_id') }));
  return { id: comment.id };
}

async function likeDoc(req: GraphRequest<DocNode>) {
  authorizeContent(req.actor, 'reply', target(req), 'post');
  await req.write((w) => reactionSetter(w, { id: req.node.post.id, type: 'post' }, 'LIKE'));
  return success;
}

async function unlikeDoc(req: GraphRequest<DocNode>) {
  authorizeContent(req.actor, 'reply', target(req), 'delete');
  await req.write((w) => reactionRemover(w, { id: req.node.post.id, type: 'post' }));
  return success;
}

export const docRoutes: readonly NodeRoute<DocNode>[] = [
  {
    edge: null,
    method: 'POST',
    handler: editDoc,
    summary: 'Edit a doc: a new revision (the old ones are kept); HTML is sanitized',
    params: [{ name: 'title', description: 'New title (also subject)' }, { name: 'body', description: 'New body as HTML (also message)' }],
  },
  { edge: null, method: 'DELETE', handler: deleteDoc, summary: 'Delete a doc with its revisions, its post and the comments on it' },
  { edge: 'comments', method: 'POST', handler: commentOnDoc, summary: 'Comment on the doc', params: [{ name: 'message', description: 'Text; @[id] mentions' }, { name: 'attachment_id', description: 'A photo by id' }] },
  { edge: 'likes', method: 'POST', handler: likeDoc, summary: 'Like the doc as the bot page' },
  { edge: 'likes', method: 'DELETE', handler: unlikeDoc, summary: 'Remove the bot page\'s like' },
];
