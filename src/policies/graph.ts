import type { Actor, AppActor, IntegrationActor } from '../domain/actor.js';
import type { Permission } from '../domain/permissions.js';
import { AppError, missingPermission, unknownObject } from '../errors.js';

// Every Graph authorization rule, in one table. A rule lists the permissions of which the
// integration needs one; `group` rules also need the target group in the integration's scope,
// and an out-of-scope group answers exactly like a missing object (error 100).
type Rule = { anyOf: readonly Permission[]; group?: true; allGroupsOnly?: true; scopedMessage?: string };

export const graphRules = {
  'community.read': { anyOf: ['read_group', 'manage_group'] },
  'community.groups.read': { anyOf: ['read_group', 'manage_group', 'read_group_membership'] },
  'community.members.read': { anyOf: ['manage_work_profile', 'manage_accounts'] },
  'community.organization_members.read': { anyOf: ['read_group_membership', 'manage_accounts'] },
  'community.former_members.read': { anyOf: ['manage_accounts', 'manage_work_profile'] },
  'community.admins.read': { anyOf: ['manage_accounts'] },
  'group.create': { anyOf: ['manage_group'], allGroupsOnly: true },
  'group.read': { anyOf: ['read_group', 'manage_group', 'read_group_membership'], group: true },
  'group.update': { anyOf: ['manage_group'], group: true },
  'group.members.read': { anyOf: ['read_group_membership', 'manage_group'], group: true },
  'group.members.write': { anyOf: ['manage_group'], group: true },
  'group.feed.read': { anyOf: ['read_group'], group: true },
  'group.content.write': { anyOf: ['write_group'], group: true },
  'group.content.moderate': { anyOf: ['write_group'], group: true },
  'group.events.manage': { anyOf: ['manage_group'], group: true },
  'member.events.read': { anyOf: ['read_group'] },
  'mention.read': { anyOf: ['bot_mention'] },
  'mention.reply': { anyOf: ['bot_mention'] },
  'member.read': { anyOf: [] },
  'member.email': { anyOf: ['read_user_email', 'manage_accounts'] },
  'member.work_profile': { anyOf: ['read_user_work_profile', 'manage_accounts', 'manage_work_profile'] },
  'member.org_chart': { anyOf: ['read_org_chart', 'manage_accounts'] },
  'member.groups.read': { anyOf: ['read_group_membership', 'manage_group'] },
  'member.feed.read': { anyOf: ['read_user_feed'] },
  'member.feed.write': { anyOf: ['write_user_feed'] },
  'page.read': { anyOf: [] },
  'media.upload': { anyOf: ['write_group', 'write_user_feed'] },
  'account.create': { anyOf: ['provision_user_accounts', 'manage_accounts'] },
  'account.update': { anyOf: ['manage_work_profile', 'manage_accounts'] },
  'account.activation': { anyOf: ['provision_user_accounts', 'manage_accounts'] },
  'account.delete': { anyOf: ['provision_user_accounts', 'manage_accounts'] },
  'account.logout': { anyOf: ['provision_user_accounts', 'manage_accounts'] },
  'chat.send': { anyOf: ['message'] },
  'chat.group': { anyOf: ['group_chat'] },
  'chat.read_all': { anyOf: ['read_all_messages'] },
  'security.read': { anyOf: ['read_security_logs'] },
  'community.badges.read': { anyOf: ['manage_badges'] },
  'content.report': { anyOf: ['report_content'], group: true },
  'reported_content.read': { anyOf: ['report_content'] },
  'reported_content.resolve': { anyOf: ['report_content'], group: true },
  'member.badges.read': { anyOf: ['manage_badges'] },
  'member.badges.write': { anyOf: ['manage_badges'] },
  'member.skills.read': { anyOf: ['read_user_work_profile', 'manage_work_profile', 'manage_accounts'] },
  'member.skills.write': { anyOf: ['manage_work_profile', 'manage_accounts'] },
  'knowledge.read': { anyOf: ['read_work_knowledge', 'manage_work_knowledge'] },
  'knowledge.write': { anyOf: ['manage_work_knowledge'] },
  'link.preview': { anyOf: ['link_unfurling'] },
  'community.admins.write': { anyOf: ['manage_accounts'] },
  'community.members.write': { anyOf: ['manage_accounts', 'provision_user_accounts'] },
  // Workplace: "Data export jobs are not compatible with group-scoped integrations."
  'export.employee_data': {
    anyOf: ['manage_accounts', 'read_user_work_profile'],
    allGroupsOnly: true,
    scopedMessage: '(#10) Data export jobs are not compatible with group-scoped integrations; set the integration to all groups.',
  },
} as const satisfies Record<string, Rule>;

export type GraphAction = keyof typeof graphRules;

type Integration = IntegrationActor | AppActor;

function integrationOf(actor: Actor): Integration | null {
  return actor.kind === 'integration' || actor.kind === 'app' ? actor : null;
}

/** True when the group is inside the integration's group scope (people are never scoped). */
export function groupInScope(actor: Actor, groupId: string): boolean {
  const app = integrationOf(actor);
  if (!app) return true;
  return app.scopeAll || app.groupIds.has(groupId);
}

/** True when the actor holds one of the rule's permissions (ignores group scope). */
export function allowed(actor: Actor, action: GraphAction): boolean {
  const app = integrationOf(actor);
  if (!app) return actor.kind === 'system' || (actor.kind === 'member' && actor.isAdmin);
  const rule: Rule = graphRules[action];
  return rule.anyOf.length === 0 || rule.anyOf.some((p) => app.permissions.has(p));
}

/**
 * Throws unless the actor may perform the action. `target.groupId` is the group the action
 * touches; `target.id` is the id the caller addressed, echoed in the "unknown object" answer.
 */
export function authorize(actor: Actor, action: GraphAction, target: { groupId?: string; id?: string; method?: string } = {}): void {
  const rule: Rule = graphRules[action];
  const app = integrationOf(actor);
  if (rule.group && target.groupId !== undefined && !groupInScope(actor, target.groupId)) {
    throw unknownObject(target.id ?? target.groupId, target.method);
  }
  if (rule.allGroupsOnly && app && !app.scopeAll) {
    throw new AppError('action_not_allowed', rule.scopedMessage ?? '(#10) An integration scoped to selected groups cannot create groups.');
  }
  if (!allowed(actor, action)) throw missingPermission(rule.anyOf.join(' or '));
}

/** A post or comment as the content rules see it. */
export interface ContentTarget {
  /** The wire id the caller used (echoed in "unknown object" answers). */
  id: string;
  feedId: string;
  feedType: 'group' | 'member';
  authorId: string;
  /** Profiles @mentioned in the post or comment (and in the post a comment sits on). */
  mentionedIds: readonly string[];
}

function mentionsActor(actor: Actor, target: ContentTarget): boolean {
  const app = integrationOf(actor);
  return !!app && target.mentionedIds.includes(app.pageId);
}

/**
 * Content rules: reading, replying to (comment, like), and moderating (delete) posts and
 * comments; editing is for the author only. Group scope always applies; a bot mentioned in
 * content may read it and reply with `bot_mention` alone.
 */
export function authorizeContent(actor: Actor, verb: 'read' | 'reply' | 'edit' | 'delete', target: ContentTarget, method = 'get'): void {
  const app = integrationOf(actor);
  if (!app) return;
  if (target.feedType === 'group' && !groupInScope(actor, target.feedId)) throw unknownObject(target.id, method);
  const mentioned = mentionsActor(actor, target);
  const own = target.authorId === app.pageId;
  if (target.feedType === 'group') {
    if (verb === 'read') {
      if (mentioned && allowed(actor, 'mention.read')) return;
      return authorize(actor, 'group.feed.read', { groupId: target.feedId, id: target.id, method });
    }
    if (verb === 'reply' && mentioned && allowed(actor, 'mention.reply')) return;
    if (verb === 'edit' && !own) throw new AppError('action_not_allowed', '(#10) Only the author of a post or comment can edit it');
    if (verb === 'delete' && own && (allowed(actor, 'group.content.write') || allowed(actor, 'mention.reply'))) return;
    return authorize(actor, verb === 'delete' ? 'group.content.moderate' : 'group.content.write', { groupId: target.feedId, id: target.id, method });
  }
  if (verb === 'read') {
    if (mentioned && allowed(actor, 'mention.read')) return;
    return authorize(actor, 'member.feed.read');
  }
  if (verb === 'reply' && mentioned && allowed(actor, 'mention.reply')) return;
  if ((verb === 'edit' || verb === 'delete') && !own) throw new AppError('action_not_allowed', '(#10) An integration can only change its own timeline posts');
  return authorize(actor, 'member.feed.write');
}
