import { listHooks } from '../../db/repositories/incomingHook.js';
import { findRule } from '../../db/repositories/membershipRule.js';
import { participantOf } from '../../domain/commands/chat.js';
import { hookCreator, hookPath, hookRevoker, requireHook } from '../../domain/commands/incomingHook.js';
import { membershipRuleDeleter, membershipRulePreview, membershipRuleSaver, withRuleGuard } from '../../domain/commands/membershipRule.js';
import { AppError, unknownObject } from '../../errors.js';
import { authorize } from '../../policies/graph.js';
import { presentPlan, presentRule } from '../../presenters/automation.js';
import { presentHook } from '../../presenters/incomingHook.js';
import { type GraphRequest, type GraphRoute, success } from '../request.js';

// Commonplace's automation on the Graph API (docs/automation.md). Workplace's docs describe
// neither incoming webhooks nor auto-membership rules on the Graph API, so the edges follow
// Graph's conventions: a list under `data`, writes answer an id or `{"success": true}`.

/** The group or thread a hook edge hangs off, after the integration's permission check. */
function hookTarget(req: GraphRequest): { target: string; groupId?: string } {
  if (req.node.type === 'group') {
    authorize(req.actor, 'group.content.write', { groupId: req.node.id, id: req.segment, method: req.method.toLowerCase() });
    return { target: req.node.id, groupId: req.node.id };
  }
  if (req.node.type === 'thread') {
    authorize(req.actor, 'chat.group');
    if (!participantOf(req.node.row, req.actor.pageId)) throw new AppError('action_not_allowed', '(#10) The bot must be in the thread to add an incoming webhook to it');
    return { target: `t_${req.node.id}` };
  }
  throw new Error('hook route on another node');
}

/** GET /{group-id}/incoming_webhooks: this integration's hooks for the group (never their keys). */
async function listGroupHooks(req: GraphRequest) {
  const { target } = hookTarget(req);
  const hooks = await listHooks(req.ctx.db, { targetId: target.replace(/^t_/, ''), appId: req.actor.appId });
  return { data: hooks.map(presentHook) };
}

/**
 * POST /{group-id}/incoming_webhooks (or /t_{thread}/incoming_webhooks) name=&source=: creates a
 * hook posting as this integration's bot page; answers its id and URL, shown this once.
 */
async function createHook(req: GraphRequest) {
  const { target } = hookTarget(req);
  const result = await req.write((w) =>
    hookCreator(w, {
      target,
      appId: req.actor.appId,
      name: req.params.string('name'),
      source: req.params.string('source'),
      allowOverrides: req.params.boolean('allow_overrides'),
      allowBroadcast: req.params.boolean('allow_broadcast'),
    }),
  );
  return { id: result.hook.id, url: req.presentation.publicBase + hookPath(result.key), ...(result.signingSecret ? { signing_secret: result.signingSecret } : {}) };
}

/** DELETE /{group-id}/incoming_webhooks/{hook-id}: revokes one of this integration's hooks. */
async function revokeHook(req: GraphRequest) {
  const { target } = hookTarget(req);
  const hook = req.subId ? await requireHook(req.ctx.db, req.subId).catch(() => undefined) : undefined;
  if (!hook || hook.app_id !== req.actor.appId || hook.target_id !== target.replace(/^t_/, '')) throw unknownObject(req.subId ?? '', 'delete');
  await req.write((w) => hookRevoker(w, hook));
  return success;
}

function ruleGroup(req: GraphRequest, write: boolean): string {
  if (req.node.type !== 'group') throw new Error('rule route on another node');
  authorize(req.actor, write ? 'group.members.write' : 'group.members.read', { groupId: req.node.id, id: req.segment, method: req.method.toLowerCase() });
  return req.node.id;
}

/** GET /{group-id}/auto_membership_rules: the group's rule, as a list of at most one. */
async function listRules(req: GraphRequest) {
  const rule = await findRule(req.ctx.db, ruleGroup(req, false));
  return { data: rule ? [presentRule(rule)] : [] };
}

/**
 * POST /{group-id}/auto_membership_rules expression=&keep_manual=&enabled=&force=: saves and
 * applies the rule. With dry_run=true, answers who would join and leave instead.
 */
async function saveRule(req: GraphRequest) {
  const groupId = ruleGroup(req, true);
  const expression = req.params.requireString('expression');
  const keepManual = req.params.boolean('keep_manual');
  if (req.params.boolean('dry_run')) {
    const { plan, guard } = await membershipRulePreview(req.ctx, groupId, { expression, keepManual });
    return presentPlan(plan, guard);
  }
  const input = { expression, keepManual, enabled: req.params.boolean('enabled'), force: req.params.boolean('force') };
  const result = await withRuleGuard(req.ctx, req.actor, () => req.write((w) => membershipRuleSaver(w, groupId, input)));
  return { success: true, joined: result.joined, left: result.left };
}

/** DELETE /{group-id}/auto_membership_rules: removes the rule; its members stay. */
async function deleteRule(req: GraphRequest) {
  const groupId = ruleGroup(req, true);
  await req.write((w) => membershipRuleDeleter(w, groupId));
  return success;
}

const HOOK_PARAMS = [
  { name: 'name', description: 'The name posts appear under (default: the bot page)' },
  { name: 'source', description: 'Payload format: slack (default), github or alertmanager' },
  { name: 'allow_overrides', description: 'Honour username and icon_url in payloads', type: 'boolean' },
  { name: 'allow_broadcast', description: 'Keep <!here>, <!channel>, <!everyone> as audience mentions', type: 'boolean' },
] as const;

const RULE_PARAMS = [
  { name: 'expression', description: 'The rule, e.g. department eq "Sales" and not (title co "Contractor")', required: true },
  { name: 'keep_manual', description: 'Members added by hand stay when they do not match (default true)', type: 'boolean' },
  { name: 'enabled', description: 'Apply the rule (default true)', type: 'boolean' },
  { name: 'force', description: 'Apply even when the guard would refuse', type: 'boolean' },
  { name: 'dry_run', description: 'Answer who would join and leave; change nothing', type: 'boolean' },
] as const;

export const automationRoutes: GraphRoute[] = [
  { node: 'group', edge: 'incoming_webhooks', method: 'GET', handler: listGroupHooks, summary: "This integration's incoming webhooks of the group" },
  { node: 'group', edge: 'incoming_webhooks', method: 'POST', handler: createHook, summary: 'Create an incoming webhook; answers {id, url} once', params: HOOK_PARAMS },
  { node: 'group', edge: 'incoming_webhooks', method: 'DELETE', handler: revokeHook, subId: true, summary: 'Revoke one of this integration\'s incoming webhooks' },
  { node: 'thread', edge: 'incoming_webhooks', method: 'GET', handler: listGroupHooks, summary: "This integration's incoming webhooks of the thread" },
  { node: 'thread', edge: 'incoming_webhooks', method: 'POST', handler: createHook, summary: 'Create an incoming webhook for a group chat thread', params: HOOK_PARAMS },
  { node: 'thread', edge: 'incoming_webhooks', method: 'DELETE', handler: revokeHook, subId: true, summary: 'Revoke an incoming webhook of the thread' },
  { node: 'group', edge: 'auto_membership_rules', method: 'GET', handler: listRules, summary: "The group's membership rule" },
  { node: 'group', edge: 'auto_membership_rules', method: 'POST', handler: saveRule, summary: 'Save and apply the membership rule (dry_run=true previews it)', params: RULE_PARAMS },
  { node: 'group', edge: 'auto_membership_rules', method: 'DELETE', handler: deleteRule, summary: 'Remove the membership rule; its members stay' },
];
