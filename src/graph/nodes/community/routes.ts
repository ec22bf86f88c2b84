import { groupCreator } from '../../../domain/commands/group.js';
import { authorize } from '../../../policies/graph.js';
import { invalidParameter } from '../../../errors.js';
import type { NodeRoute } from '../../registry.js';
import type { GraphRequest } from '../../request.js';
import { groupSettingParams, groupSettings } from '../group/settings.js';
import { createAccountRoute } from '../member/accounts.js';
import type { CommunityNode } from './node.js';

async function createGroup(req: GraphRequest<CommunityNode>) {
  authorize(req.actor, 'group.create');
  const settings = groupSettings(req.params);
  if (!settings.name) throw invalidParameter('The parameter name is required');
  const adminId = req.params.string('admin');
  const group = await req.write((w) => groupCreator(w, { ...settings, name: settings.name!, adminId }));
  return { id: group.id };
}

export const communityRoutes: readonly NodeRoute<CommunityNode>[] = [
  {
    edge: 'groups',
    method: 'POST',
    handler: createGroup,
    summary: 'Create a group',
    params: [...groupSettingParams, { name: 'admin', description: 'Member id of the first admin and owner' }],
  },
  createAccountRoute,
];
