import { photoDeleter } from '../../../domain/commands/media.js';
import { unknownObject } from '../../../errors.js';
import { authorize } from '../../../policies/graph.js';
import type { NodeRoute } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import type { PhotoNode } from './node.js';
import { ownPhoto } from './type.js';

/** DELETE /{photo-id}: the integration's own photos, or (moderation) any photo of a group in scope with write_group. */
async function deletePhoto(req: GraphRequest<PhotoNode>) {
  const photo = req.node.row;
  if (!ownPhoto(req, photo)) {
    if (!photo.group_id) throw unknownObject(req.segment, 'delete');
    authorize(req.actor, 'group.content.moderate', { groupId: photo.group_id, id: req.segment, method: 'delete' });
  }
  await req.write((w) => photoDeleter(w, photo));
  return success;
}

export const photoRoutes: readonly NodeRoute<PhotoNode>[] = [{ edge: null, method: 'DELETE', handler: deletePhoto, summary: 'Delete a photo (own uploads; group photos with write_group)' }];
