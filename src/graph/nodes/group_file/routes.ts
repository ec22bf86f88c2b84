import { groupFileDeleter } from '../../../domain/commands/groupFile.js';
import { unknownObject } from '../../../errors.js';
import { authorize } from '../../../policies/graph.js';
import type { NodeRoute } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import type { GroupFileNode } from './node.js';
import { ownGroupFile } from './type.js';

/** DELETE /{file-id}: the integration's own uploads, or (moderation) any file of a group in scope with write_group. */
async function deleteGroupFile(req: GraphRequest<GroupFileNode>) {
  const file = req.node.row;
  if (!ownGroupFile(req, file)) {
    if (!file.group_id) throw unknownObject(req.segment, 'delete');
    authorize(req.actor, 'group.content.moderate', { groupId: file.group_id, id: req.segment, method: 'delete' });
  }
  await req.write((w) => groupFileDeleter(w, file));
  return success;
}

export const groupFileRoutes: readonly NodeRoute<GroupFileNode>[] = [
  { edge: null, method: 'DELETE', handler: deleteGroupFile, summary: 'Delete a group file and its stored bytes (own uploads; group files with write_group)' },
];
