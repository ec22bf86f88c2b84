import { postCreator, postWireId } from '../../../domain/commands/post.js';
import { authorize } from '../../../policies/graph.js';
import type { NodeRoute } from '../../registry.js';
import type { GraphRequest } from '../../request.js';
import { postInput, postParams } from '../post/input.js';
import { pictureRoute } from '../profile/picture.js';
import { accountRoutes } from './accounts.js';
import type { MemberNode } from './node.js';

async function postToTimeline(req: GraphRequest<MemberNode>) {
  const member = req.node.row;
  authorize(req.actor, 'member.feed.write');
  const post = await req.write((w) => postCreator(w, { ...postInput(req), feedId: member.id, feedType: 'member' }));
  return { id: postWireId(post) };
}

export const memberRoutes: readonly NodeRoute<MemberNode>[] = [
  { edge: 'feed', method: 'POST', handler: postToTimeline, summary: "Post on the member's timeline", params: postParams },
  pictureRoute,
  ...accountRoutes,
];
