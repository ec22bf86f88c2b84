import { findVideosByIds, type VideoRow } from '../../../db/repositories/video.js';
import { videoDeleter } from '../../../domain/commands/video.js';
import { unknownObject } from '../../../errors.js';
import { authorize } from '../../../policies/graph.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import { videoType } from './type.js';

export type VideoNode = AddressedNode<'video', VideoRow>;

const own = (req: GraphRequest<VideoNode>) => (req.actor.kind === 'integration' || req.actor.kind === 'app') && req.node.row.owner_id === req.actor.pageId;

/** DELETE /{video-id}: own videos, or any video of a group in scope with write_group; its post goes too. */
async function deleteVideo(req: GraphRequest<VideoNode>) {
  const video = req.node.row;
  if (!own(req) && video.status !== 'ready') throw unknownObject(req.segment, 'delete');
  authorize(req.actor, own(req) ? 'group.content.write' : 'group.content.moderate', { groupId: video.group_id, id: req.segment, method: 'delete' });
  await req.write((w) => videoDeleter(w, video));
  return success;
}

export const videoNode: NodeDefinition<VideoNode, VideoRow> = {
  key: 'video',
  type: videoType,
  load: async (ctx, _actor, ids) => new Map((await findVideosByIds(ctx.db, ids)).map((row) => [row.id, { type: 'video' as const, id: row.id, row }])),
  // The photos' rule: the integration's own videos (an upload in progress too); otherwise ready videos of a group in scope.
  read: { rule: 'photo', target: (node, segment) => ({ id: segment, ownerId: node.row.owner_id, published: node.row.status === 'ready', groupId: node.row.group_id }) },
  routes: [{ edge: null, method: 'DELETE', handler: deleteVideo, summary: 'Delete a video, its stored file and the post that shows it' }],
};
