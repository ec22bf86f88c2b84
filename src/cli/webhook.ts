import type { Command } from 'commander';
import { ensureCommunity, openContext, type Opened } from '../bootstrap.js';
import { loadConfig } from '../config.js';
import { findAppById } from '../db/repositories/app.js';
import { attemptsOf, listAllSubscriptions, listDeliveries, listSubscriptionsOfApp } from '../db/repositories/webhook.js';
import type { DeliveryState } from '../db/webhooksChatSchema.js';
import type { Write } from '../domain/commands/shared.js';
import { AppError } from '../errors.js';
import { createLogger } from '../http/logging.js';
import { presentDelivery, presentSubscription } from '../presenters/webhook.js';
import {
  allowedHostsSetter,
  appSecretRotator,
  checkSubscription,
  deliveryRedeliverer,
  failedRedeliverer,
  subscriptionRemover,
  subscriptionSaver,
  verifyCallback,
} from '../webhooks/commands.js';

const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

async function run<T>(fn: (opened: Opened, write: <R>(f: (w: Write) => Promise<R>) => Promise<R>) => Promise<T>): Promise<T> {
  const opened = await openContext({ config: loadConfig(), log: createLogger(process.env.LOG_LEVEL || 'warn') });
  await ensureCommunity(opened.ctx);
  try {
    return await fn(opened, (f) => opened.ctx.db.transaction().execute((trx) => f({ ctx: opened.ctx, actor: { kind: 'system' }, trx })));
  } finally {
    await opened.close();
  }
}

async function requireApp(opened: Opened, appId: string): Promise<void> {
  if (!(await findAppById(opened.ctx.db, appId))) throw new AppError('unknown_object', `No integration with id ${appId}`);
}

function print(json: boolean, value: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
}

function subscriptionLine(s: ReturnType<typeof presentSubscription>): string {
  const health = s.status === 'healthy' ? 'healthy' : `${s.status.toUpperCase()}: ${s.status_reason}`;
  return `${s.app_id}  ${s.object.padEnd(18)} ${s.fields.join(',')}\n    ${s.callback_url}\n    ${health}`;
}

/** `commonplace webhook …`: subscribe (runs the handshake), list, unsubscribe, delivery log, redeliver, allow-list, secret rotation. */
export function registerWebhookCommands(program: Command): void {
  const webhook = program.command('webhook').description('webhook subscriptions and deliveries of integrations');

  webhook
    .command('subscribe <appId>')
    .description('subscribe an integration to a topic; the callback must pass the verification handshake')
    .requiredOption('--object <topic>', 'page, group, user or workplace_security')
    .requiredOption('--fields <list>', 'comma-separated fields, e.g. posts,comments')
    .requiredOption('--callback-url <url>', 'where deliveries go')
    .requiredOption('--verify-token <token>', 'echoed back by the handshake')
    .option('--replace', 'set exactly these fields (default: add them to the topic)')
    .option('--json', 'print JSON')
    .action(async (appId: string, opts: { object: string; fields: string; callbackUrl: string; verifyToken: string; replace?: boolean; json?: boolean }) => {
      const view = await run(async (opened, write) => {
        await requireApp(opened, appId);
        const input = { topic: opts.object.toLowerCase(), fields: list(opts.fields), callbackUrl: opts.callbackUrl, verifyToken: opts.verifyToken };
        await checkSubscription(opened.ctx, appId, input);
        await verifyCallback(opened.ctx, appId, input.callbackUrl, input.verifyToken);
        return presentSubscription(await write((w) => subscriptionSaver(w, appId, input, opts.replace ? 'replace' : 'add')));
      });
      print(!!opts.json, view, `subscribed (handshake passed)\n${subscriptionLine(view)}`);
    });

  webhook
    .command('list [appId]')
    .description('subscriptions with their health, of one integration or all')
    .option('--json', 'print JSON')
    .action(async (appId: string | undefined, opts: { json?: boolean }) => {
      const views = await run(async ({ ctx }) => (appId ? await listSubscriptionsOfApp(ctx.db, appId) : await listAllSubscriptions(ctx.db)).map((s) => presentSubscription(s)));
      print(!!opts.json, { data: views }, views.map(subscriptionLine).join('\n') || 'no subscriptions');
    });

  webhook
    .command('unsubscribe <appId>')
    .description('remove fields of a topic, a whole topic, or every subscription of an integration')
    .option('--object <topic>', 'the topic (default: all of them)')
    .option('--fields <list>', 'only these fields')
    .option('--json', 'print JSON')
    .action(async (appId: string, opts: { object?: string; fields?: string; json?: boolean }) => {
      const changed = await run(async (opened, write) => {
        await requireApp(opened, appId);
        return write((w) => subscriptionRemover(w, appId, opts.object?.toLowerCase(), opts.fields ? list(opts.fields) : undefined));
      });
      print(!!opts.json, { success: true, changed }, changed ? `unsubscribed (${changed} subscription${changed > 1 ? 's' : ''} changed)` : 'nothing to unsubscribe');
    });

  webhook
    .command('deliveries <appId>')
    .description('the delivery log, newest first: status, first bytes of the answer, latency, attempts, next retry')
    .option('--state <state>', 'pending, delivered, failed (dead) or cancelled')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (appId: string, opts: { state?: string; limit: string; json?: boolean }) => {
      const views = await run(async (opened) => {
        await requireApp(opened, appId);
        const state = (opts.state === 'failed' ? 'dead' : opts.state) as DeliveryState | undefined;
        const rows = await listDeliveries(opened.ctx.db, { appId, state, limit: Math.min(Number(opts.limit) || 20, 500) });
        const attempts = await attemptsOf(opened.ctx.db, rows.map((r) => r.id));
        return rows.map((r) => presentDelivery(r, attempts));
      });
      const human = views
        .map((d) => {
          const last = d.attempt_log?.at(-1);
          const answer = last ? `${last.response_status ?? last.error} ${last.latency_ms ?? '-'} ms ${JSON.stringify((last.response_body ?? '').slice(0, 60))}` : 'not attempted';
          return `${d.id}  ${d.state.padEnd(9)} ${d.object}/${d.field}  attempts ${d.attempts}  ${answer}${d.next_retry_time ? `  next ${d.next_retry_time}` : ''}`;
        })
        .join('\n');
      print(!!opts.json, { data: views }, human || 'no deliveries');
    });

  webhook
    .command('redeliver <appId> [deliveryId]')
    .description('send one delivery again, or every failed one with --all-failed')
    .option('--all-failed', 'redeliver every dead delivery not redelivered yet')
    .option('--json', 'print JSON')
    .action(async (appId: string, deliveryId: string | undefined, opts: { allFailed?: boolean; json?: boolean }) => {
      if (!deliveryId && !opts.allFailed) throw new AppError('invalid_parameter', 'Give a delivery id or --all-failed');
      const created = await run(async (opened, write) => {
        await requireApp(opened, appId);
        return deliveryId ? [await write((w) => deliveryRedeliverer(w, appId, deliveryId))] : write((w) => failedRedeliverer(w, appId));
      });
      print(!!opts.json, { redelivered: created.length, data: created.map((d) => presentDelivery(d)) }, `${created.length} redelivery(ies) queued`);
    });

  webhook
    .command('allow-hosts <appId> [hosts...]')
    .description("set the integration's egress allow-list (host names, *.suffix, IPs, CIDRs); none clears it")
    .option('--json', 'print JSON')
    .action(async (appId: string, hosts: string[], opts: { json?: boolean }) => {
      const changed = await run((_o, write) => write((w) => allowedHostsSetter(w, appId, hosts)));
      print(!!opts.json, { success: true, changed, allowed_hosts: hosts }, changed ? `allowed hosts: ${hosts.join(', ') || '(none)'}` : 'unchanged');
    });

  webhook
    .command('rotate-secret <appId>')
    .description('replace the app secret; the old one keeps signing webhooks (a second signature) during the overlap')
    .option('--overlap-hours <n>', 'hours both secrets sign', '24')
    .option('--json', 'print {"app_id","app_secret","previous_valid_until"}')
    .action(async (appId: string, opts: { overlapHours: string; json?: boolean }) => {
      const hours = Number(opts.overlapHours);
      const rotated = await run((_o, write) => write((w) => appSecretRotator(w, appId, hours * 3_600_000)));
      print(
        !!opts.json,
        { app_id: appId, ...rotated },
        `new app secret (store it now): ${rotated.app_secret}\n${rotated.previous_valid_until ? `the previous secret also signs until ${rotated.previous_valid_until}` : 'the previous secret no longer signs'}`,
      );
    });
}
