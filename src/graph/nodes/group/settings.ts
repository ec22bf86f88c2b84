import { JOIN_SETTINGS, POST_PERMISSIONS, PRIVACIES, PURPOSES } from '../../../domain/commands/group.js';
import type { Params } from '../../params.js';
import type { ParamDoc } from '../../registry.js';

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

/** The group settings a create or an update takes. */
export const groupSettingParams: readonly ParamDoc[] = [
  { name: 'name', description: 'Group name' },
  { name: 'description', description: 'Group description' },
  { name: 'privacy', description: 'OPEN, CLOSED or SECRET (default CLOSED)' },
  { name: 'purpose', description: 'Group purpose (also group_type)' },
  { name: 'post_permissions', description: 'Who may post' },
  { name: 'join_setting', description: 'How people join' },
  { name: 'post_requires_admin_approval', description: 'Posts wait for an admin', type: 'boolean' },
  { name: 'archive', description: 'Archive (true) or unarchive (false) the group', type: 'boolean' },
  { name: 'cover_url', description: 'Cover photo URL' },
];

