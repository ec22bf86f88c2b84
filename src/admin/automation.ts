import type { FastifyInstance, FastifyRequest } from 'fastify';
import { deliverToHook } from '../automation/hooks.js';
import { RULE_ATTRIBUTES } from '../automation/rules.js';
import type { Context } from '../context.js';
import { listFeeds } from '../db/repositories/feed.js';
import { findGroupsByIds } from '../db/repositories/group.js';
import { listHookDeliveries, listHooks } from '../db/repositories/incomingHook.js';
import { findRule, listRules } from '../db/repositories/membershipRule.js';
import { feedSubscriber, feedUnsubscriber, feedUpdater, requireFeed } from '../domain/commands/feed.js';
import { hookCreator, hookKeyRotator, hookPath, hookRevoker, hookUpdater, type IssuedHook, requireHook } from '../domain/commands/incomingHook.js';
import { membershipRuleApplier, membershipRuleDeleter, membershipRulePreview, membershipRuleSaver, withRuleGuard } from '../domain/commands/membershipRule.js';
import { AppError, invalidParameter } from '../errors.js';
import { presentFeed, presentPlan, presentRule } from '../presenters/automation.js';
import { presentHook, presentHookDelivery } from '../presenters/incomingHook.js';
import type { AdminHelpers } from './webhooks.js';

type Body = Record<string, unknown>;

function bodyOf(request: FastifyRequest): Body {
  return request.body && typeof request.body === 'object' ? (request.body as Body) : {};
}

function text(b: Body, name: string): string | undefined {
  const v = b[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw invalidParameter(`${name} must be a string`);
  return v;
}

function required(b: Body, name: string): string {
  const v = text(b, name);
  if (v === undefined) throw invalidParameter(`${name} is required`);
  return v;
}

function flag(b: Body, name: string): boolean | undefined {
  const v = b[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw invalidParameter(`${name} must be true or false`);
}

function int(b: Body, name: string): number | undefined {
  const v = b[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw invalidParameter(`${name} must be a number`);
  return n;
}

const id = (request: FastifyRequest, name = 'id') => (request.params as Record<string, string>)[name];

/**
 * The Automation section of the admin API: incoming webhooks (created with their URL shown once,
 * test-send, recent requests), feed subscriptions (status, last item, errors; pause, resume) and
 * membership rules (preview, save with the guard, apply now).
 */
export async function registerAutomationAdminApi(api: FastifyInstance, ctx: Context, { admin, write }: AdminHelpers): Promise<void> {
  const base = (request: FastifyRequest) => ctx.config.publicUrl ?? `${request.protocol}://${request.host}`;
  const issued = (request: FastifyRequest, result: IssuedHook) => ({
    id: result.hook.id,
    url: base(request) + hookPath(result.key),
    ...(result.signingSecret ? { signing_secret: result.signingSecret } : {}),
    hook: presentHook(result.hook),
  });
  const groupNames = async (ids: string[]) => new Map((await findGroupsByIds(ctx.db, ids)).map((g) => [g.id, g.name]));

  api.get('/automation/hooks', async (request) => {
    await admin(request);
    const q = request.query as Record<string, string | undefined>;
    const hooks = await listHooks(ctx.db, { targetId: q.group });
    const names = await groupNames(hooks.filter((h) => h.target_type === 'group').map((h) => h.target_id));
    return { data: hooks.map((h) => ({ ...presentHook(h), target_name: names.get(h.target_id) ?? null })) };
  });

  api.post('/automation/hooks', async (request) => {
    const { actor } = await admin(request);
    const b = bodyOf(request);
    const result = await write(actor, (w) =>
      hookCreator(w, {
        target: required(b, 'target'),
        name: text(b, 'name'),
        appId: text(b, 'app_id'),
        source: text(b, 'source'),
        allowOverrides: flag(b, 'allow_overrides'),
        allowBroadcast: flag(b, 'allow_broadcast'),
        ratePerMinute: int(b, 'rate_per_minute'),
      }),
    );
    return issued(request, result);
  });

  api.patch('/automation/hooks/:id', async (request) => {
    const { actor } = await admin(request);
    const b = bodyOf(request);
    await write(actor, async (w) =>
      hookUpdater(w, await requireHook(w.trx, id(request)), { name: text(b, 'name'), allowOverrides: flag(b, 'allow_overrides'), allowBroadcast: flag(b, 'allow_broadcast'), ratePerMinute: int(b, 'rate_per_minute') }),
    );
    return presentHook(await requireHook(ctx.db, id(request)));
  });

  api.post('/automation/hooks/:id/rotate', async (request) => {
    const { actor } = await admin(request);
    return issued(request, await write(actor, async (w) => hookKeyRotator(w, await requireHook(w.trx, id(request)))));
  });

  api.delete('/automation/hooks/:id', async (request) => {
    const { actor } = await admin(request);
    await write(actor, async (w) => hookRevoker(w, await requireHook(w.trx, id(request))));
    return { success: true };
  });

  api.post('/automation/hooks/:id/test', async (request) => {
    await admin(request);
    const hook = await requireHook(ctx.db, id(request));
    if (hook.revoked_time) throw new AppError('conflict', '(#100) The hook was revoked');
    if (hook.source !== 'slack') throw invalidParameter('Test messages are sent to Slack-format hooks; GitHub and Alertmanager send their own');
    const message = text(bodyOf(request), 'text') ?? 'Test message from the admin panel: *it works* :tada:';
    const result = await deliverToHook(ctx, hook, { body: Buffer.from(JSON.stringify({ text: message })), contentType: 'application/json', headers: {} });
    const [last] = await listHookDeliveries(ctx.db, hook.id, 1);
    return { status: result.status, answer: result.body, delivery: last ? presentHookDelivery(last) : null };
  });

  api.get('/automation/hooks/:id/deliveries', async (request) => {
    await admin(request);
    const hook = await requireHook(ctx.db, id(request));
    const limit = Math.min(Math.max(Number((request.query as { limit?: string }).limit ?? 20) || 20, 1), 200);
    return { data: (await listHookDeliveries(ctx.db, hook.id, limit)).map(presentHookDelivery) };
  });

  api.get('/automation/feeds', async (request) => {
    await admin(request);
    const feeds = await listFeeds(ctx.db, (request.query as { group?: string }).group);
    const names = await groupNames(feeds.map((f) => f.group_id));
    return { data: feeds.map((f) => ({ ...presentFeed(f), group_name: names.get(f.group_id) ?? null })) };
  });

  api.post('/automation/feeds', async (request) => {
    const { actor } = await admin(request);
    const b = bodyOf(request);
    const feed = await write(actor, (w) => feedSubscriber(w, { groupId: required(b, 'group_id'), url: required(b, 'url'), name: text(b, 'name'), intervalMinutes: int(b, 'interval_minutes') }));
    return presentFeed(feed);
  });

  api.patch('/automation/feeds/:id', async (request) => {
    const { actor } = await admin(request);
    const b = bodyOf(request);
    await write(actor, async (w) => feedUpdater(w, await requireFeed(w.trx, id(request)), { paused: flag(b, 'paused'), intervalMinutes: int(b, 'interval_minutes') }));
    return presentFeed(await requireFeed(ctx.db, id(request)));
  });

  api.delete('/automation/feeds/:id', async (request) => {
    const { actor } = await admin(request);
    await write(actor, async (w) => feedUnsubscriber(w, await requireFeed(w.trx, id(request))));
    return { success: true };
  });

  api.get('/automation/rules', async (request) => {
    await admin(request);
    const rules = await listRules(ctx.db);
    const names = await groupNames(rules.map((r) => r.group_id));
    return { data: rules.map((r) => ({ ...presentRule(r), group_name: names.get(r.group_id) ?? null })), attributes: Object.keys(RULE_ATTRIBUTES), guard: { percent: ctx.config.ruleGuardPercent, minimum_group_size: ctx.config.ruleGuardMinimum } };
  });

  api.post('/automation/rules/preview', async (request) => {
    await admin(request);
    const b = bodyOf(request);
    const { plan, guard } = await membershipRulePreview(ctx, required(b, 'group_id'), { expression: required(b, 'expression'), keepManual: flag(b, 'keep_manual') });
    return presentPlan(plan, guard);
  });

  api.put('/automation/rules/:group', async (request) => {
    const { actor } = await admin(request);
    const b = bodyOf(request);
    const input = { expression: required(b, 'expression'), keepManual: flag(b, 'keep_manual'), enabled: flag(b, 'enabled'), force: flag(b, 'force') };
    const result = await withRuleGuard(ctx, actor, () => write(actor, (w) => membershipRuleSaver(w, id(request, 'group'), input)));
    return { rule: presentRule(result.rule), joined: result.joined, left: result.left };
  });

  api.post('/automation/rules/:group/apply', async (request) => {
    const { actor } = await admin(request);
    const rule = await findRule(ctx.db, id(request, 'group'));
    if (!rule) throw new AppError('unknown_object', `Group ${id(request, 'group')} has no membership rule`);
    return write(actor, (w) => membershipRuleApplier(w, rule, 'admin'));
  });

  api.delete('/automation/rules/:group', async (request) => {
    const { actor } = await admin(request);
    if (!(await write(actor, (w) => membershipRuleDeleter(w, id(request, 'group'))))) throw new AppError('unknown_object', `Group ${id(request, 'group')} has no membership rule`);
    return { success: true };
  });
}
