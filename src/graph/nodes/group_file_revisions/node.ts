import { groupFileUpload, groupFileUploader } from '../../../domain/commands/groupFile.js';
import { invalidParameter } from '../../../errors.js';
import { isSpooledFile } from '../../../http/uploads.js';
import { newId } from '../../../ids.js';
import { authorize } from '../../../policies/graph.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import type { GraphRequest } from '../../request.js';

export type GroupFileRevisionsNode = AddressedNode<'group_file_revisions', null>;

/** POST /group_file_revisions (multipart `file`): stores a file for a later `files=` post; answers its id. */
async function uploadGroupFile(req: GraphRequest<GroupFileRevisionsNode>) {
  authorize(req.actor, 'media.upload');
  const file = req.params.values.file ?? req.params.values.source;
  if (!isSpooledFile(file)) throw invalidParameter('Send the file as a multipart/form-data part named file');
  const input = { id: newId(), file };
  const row = await groupFileUpload(req.ctx, input, () => req.write((w) => groupFileUploader(w, input)));
  return { id: row.id };
}

/** `/group_file_revisions`: the upload address of group files; it has no fields of its own. */
export const groupFileRevisionsNode: NodeDefinition<GroupFileRevisionsNode> = {
  key: 'group_file_revisions',
  recognize: async (_ctx, _actor, segment) => (segment.toLowerCase() === 'group_file_revisions' ? { type: 'group_file_revisions', id: 'group_file_revisions', row: null } : undefined),
  read: { rule: 'open', target: (node) => ({ id: node.id }) },
  routes: [
    {
      edge: null,
      method: 'POST',
      handler: uploadGroupFile,
      summary: 'Upload a group file (multipart part `file`) for a post\'s files=; answers {id}. Unattached uploads expire after a day',
      params: [{ name: 'file', description: 'The file, as a multipart/form-data part', required: true }],
    },
  ],
};
