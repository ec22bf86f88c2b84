import { postCreator, postWireId } from '../../domain/commands/post.js';
import type { MemberRow } from '../../db/repositories/member.js';
import type { PageRow } from '../../db/repositories/app.js';
import { authorize } from '../../policies/graph.js';
import { pictureObject } from '../../presenters/media.js';
import { loadPictures } from '../../presenters/profile.js';
import { listEdge, readNode } from '../read.js';
import { type GraphRequest, type GraphRoute, RawReply } from '../request.js';
import { postInput } from './posts.js';

function memberOf(req: GraphRequest): MemberRow {
  if (req.node.type !== 'member') throw new Error('member route on another node');
  return req.node.row;
}

async function postToTimeline(req: GraphRequest) {
  const member = memberOf(req);
  authorize(req.actor, 'member.feed.write');
  const post = await req.write((w) => postCreator(w, { ...postInput(req), feedId: member.id, feedType: 'member' }));
  return { id: postWireId(post) };
}

/** GET /{member|page}/picture: a redirect to the image, or with redirect=false its JSON. */
async function picture(req: GraphRequest) {
  if (req.node.type !== 'member' && req.node.type !== 'page') throw new Error('picture route on another node');
  const row: MemberRow | PageRow = req.node.row;
  const media = await loadPictures(req.presentation, [row.picture_media_id]);
  const object = pictureObject(req.presentation, media.get(row.picture_media_id ?? ''));
  if (req.params.boolean('redirect') === false) return object;
  return new RawReply(302, { location: object.data.url }, '');
}

export const memberRoutes: GraphRoute[] = [
  { node: 'member', edge: null, method: 'GET', handler: readNode },
  { node: 'member', edge: 'feed', method: 'POST', handler: postToTimeline },
  { node: 'member', edge: 'picture', method: 'GET', handler: picture },
  { node: 'member', edge: '*', method: 'GET', handler: (req) => listEdge(req) },
  { node: 'page', edge: 'picture', method: 'GET', handler: picture },
];
