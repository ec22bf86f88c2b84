import { groupCreator, JOIN_SETTINGS, POST_PERMISSIONS, PRIVACIES, PURPOSES } from '../../domain/commands/group.js';
import { authorize } from '../../policies/graph.js';
import { invalidParameter } from '../../errors.js';
import { listEdge, readNode } from '../read.js';
import type { GraphRequest, GraphRoute } from '../request.js';
import type { Params } from '../params.js';

/** The writable group settings, read leniently from Graph parameters. */
export function groupSettings(params: Params) {
  const archive = params.boolean('archive') ?? params.boolean('archived');
  return {
    name: params.string('name'),
    description: params.rawString('description'),
    privacy: params.oneOf('privacy', PRIVACIES),
    purpose: params.oneOf('purpose', PURPOSES) ?? params.oneOf('group_type', PURPOSES),
    post_permissions: params.oneOf('post_permissions', POST_PERMISSIONS),
    join_setting: params.oneOf('join_setting', JOIN_SETTINGS),
    post_requires_admin_approval: params.boolean('post_requires_admin_approval'),
    archived: archive,
    cover_url: params.rawString('cover_url'),
  };
}

async function createGroup(req: GraphRequest) {
  authorize(req.actor, 'group.create');
  const settings = groupSettings(req.params);
  if (!settings.name) throw invalidParameter('The parameter name is required');
  const adminId = req.params.string('admin');
  const group = await req.write((w) => groupCreator(w, { ...settings, name: settings.name!, adminId }));
  return { id: group.id };
}

const list = (req: GraphRequest) => listEdge(req, { external_ids: req.params.string('external_ids') ?? '', inactive: req.params.string('inactive') ?? '' });

export const communityRoutes: GraphRoute[] = [
  { node: 'community', edge: null, method: 'GET', handler: readNode },
  { node: 'community', edge: 'groups', method: 'POST', handler: createGroup },
  { node: 'community', edge: '*', method: 'GET', handler: list },
];
