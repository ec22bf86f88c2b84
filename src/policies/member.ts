import type { GroupRow } from '../db/repositories/group.js';
import type { GroupRole } from '../db/schema.js';
import { AppError } from '../errors.js';

// What a signed-in member may do in the member app, in one place. A group the member may not
// see answers exactly like a missing one (no probing for SECRET groups).
//
//   see a group      OPEN and CLOSED: everyone; SECRET: members only
//   read its feed    OPEN: everyone; CLOSED and SECRET: members only
//   join             not archived, and join_setting ANYONE, or an OPEN group whose join_setting is NONE;
//                    otherwise a group admin (or a system admin) adds people
//   request to join  not a member, not archived, not SECRET, and joining needs approval (CLOSED, or ADMIN_ONLY);
//                    the group's admins and moderators approve or decline
//   post             members, not archived; post_permissions ADMIN_ONLY: group admins and moderators only
//   comment, react   members, not archived
//   delete           the author, or the group's admins and moderators
//   edit             the author only

export interface GroupAccess {
  group: Pick<GroupRow, 'id' | 'privacy' | 'join_setting' | 'post_permissions' | 'archived'>;
  /** The member's role in the group, null when not a member. */
  role: GroupRole | null;
}

export type MemberGroupAction = 'see' | 'read' | 'join' | 'request' | 'leave' | 'post' | 'interact' | 'moderate';

const isManager = (role: GroupRole | null) => role === 'admin' || role === 'moderator';

export function memberMay(access: GroupAccess, action: MemberGroupAction): boolean {
  const { group, role } = access;
  const member = role !== null;
  switch (action) {
    case 'see':
      return group.privacy !== 'SECRET' || member;
    case 'read':
      return group.privacy === 'OPEN' || member;
    case 'join':
      return !member && !group.archived && group.privacy !== 'SECRET' && (group.join_setting === 'ANYONE' || (group.privacy === 'OPEN' && group.join_setting === 'NONE'));
    case 'request':
      return !member && !group.archived && group.privacy !== 'SECRET' && !memberMay(access, 'join');
    case 'leave':
      return member;
    case 'post':
      return member && !group.archived && (group.post_permissions !== 'ADMIN_ONLY' || isManager(role));
    case 'interact':
      return member && !group.archived;
    case 'moderate':
      return isManager(role);
  }
}

/** Throws unless the member may; a group they may not see is "not found". */
export function authorizeMember(access: GroupAccess, action: MemberGroupAction): void {
  if (!memberMay(access, 'see')) throw new AppError('unknown_object', 'No such group');
  if (memberMay(access, action)) return;
  const reasons: Record<MemberGroupAction, string> = {
    see: 'No such group',
    read: 'Only members of this group can see its posts.',
    join: access.group.archived ? 'This group is archived.' : 'This group does not take new members by themselves; ask one of its admins to add you.',
    request: access.role ? 'You are already a member of this group.' : access.group.archived ? 'This group is archived.' : 'This group takes new members directly; join it.',
    leave: 'You are not a member of this group.',
    post: access.group.archived ? 'This group is archived.' : access.role ? 'Only admins and moderators can post in this group.' : 'Join the group to post in it.',
    interact: access.group.archived ? 'This group is archived.' : 'Join the group to comment and react.',
    moderate: 'Only the group admins and moderators can do that.',
  };
  throw new AppError('action_not_allowed', reasons[action]);
}

/** Deleting a post or comment: its author, or the group's admins and moderators. */
export function authorizeContentRemoval(access: GroupAccess | null, memberId: string, authorId: string): void {
  if (authorId === memberId) return;
  if (access && memberMay(access, 'moderate')) return;
  throw new AppError('action_not_allowed', 'Only the author or the group admins can delete this.');
}

/** Editing a post: its author only. */
export function authorizeContentEdit(memberId: string, authorId: string): void {
  if (authorId !== memberId) throw new AppError('action_not_allowed', 'Only the author can edit this.');
}
