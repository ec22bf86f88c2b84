import type { Command } from 'commander';
import { ensureCommunity, openContext, type Opened } from '../bootstrap.js';
import { type Config, loadConfig } from '../config.js';
import { listHookDeliveries, listHooks } from '../db/repositories/incomingHook.js';
import { hookCreator, hookKeyRotator, hookPath, hookRevoker, type IssuedHook, requireHook } from '../domain/commands/incomingHook.js';
import type { Write } from '../domain/commands/shared.js';
import { createLogger } from '../http/logging.js';
import { presentHook, presentHookDelivery } from '../presenters/incomingHook.js';

async function run<T>(fn: (opened: Opened, write: <R>(f: (w: Write) => Promise<R>) => Promise<R>) => Promise<T>): Promise<T> {
  const opened = await openContext({ config: loadConfig(), log: createLogger(process.env.LOG_LEVEL || 'warn') });
  await ensureCommunity(opened.ctx);
  try {
    return await fn(opened, (f) => opened.ctx.db.transaction().execute((trx) => f({ ctx: opened.ctx, actor: { kind: 'system' }, trx })));
  } finally {
    await opened.close();
  }
}

/** The server's base URL as the CLI knows it: PUBLIC_URL, else HOST and PORT. */
function baseUrl(config: Config): string {
  if (config.publicUrl) return config.publicUrl;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

function issued(config: Config, result: IssuedHook) {
  return { id: result.hook.id, url: baseUrl(config) + hookPath(result.key), ...(result.signingSecret ? { signing_secret: result.signingSecret } : {}) };
}

function print(json: boolean, value: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
}

function issuedText(value: ReturnType<typeof issued>, what: string): string {
  return [what, `  id:  ${value.id}`, `  URL (shown once, store it now):`, `  ${value.url}`, ...(value.signing_secret ? [`  GitHub secret (shown once): ${value.signing_secret}`] : [])].join('\n');
}

/** `commonplace hook …`: incoming webhooks (create prints the URL once; list, log, rotate, revoke). */
export function registerHookCommands(program: Command): void {
  const hook = program.command('hook').description('incoming webhooks: secret URLs that post into a group or chat thread (Slack format, GitHub, Alertmanager)');
  hook
    .command('create')
    .description('create an incoming webhook; prints its URL once')
    .option('--group <id>', 'the group posts go to')
    .option('--thread <id>', 'or the group chat thread (t_…) messages go to')
    .option('--integration <appId>', 'post as this integration\'s bot page')
    .option('--name <name>', 'the name posts appear under')
    .option('--source <source>', 'payload format: slack, github or alertmanager', 'slack')
    .option('--allow-overrides', 'honour username and icon_url in payloads')
    .option('--allow-broadcast', 'keep <!here>, <!channel> and <!everyone> as audience mentions')
    .option('--rate <perMinute>', 'requests per minute before rate_limited')
    .option('--json', 'print {"id","url"} (and "signing_secret" for GitHub)')
    .action(async (opts: { group?: string; thread?: string; integration?: string; name?: string; source: string; allowOverrides?: boolean; allowBroadcast?: boolean; rate?: string; json?: boolean }) => {
      const target = opts.group ?? (opts.thread ? (opts.thread.startsWith('t_') ? opts.thread : `t_${opts.thread}`) : undefined);
      if (!target || (opts.group && opts.thread)) throw new Error('give exactly one of --group or --thread');
      const value = await run(async ({ ctx }, write) =>
        issued(
          ctx.config,
          await write((w) =>
            hookCreator(w, { target, appId: opts.integration, name: opts.name, source: opts.source, allowOverrides: opts.allowOverrides, allowBroadcast: opts.allowBroadcast, ratePerMinute: opts.rate === undefined ? undefined : Number(opts.rate) }),
          ),
        ),
      );
      print(!!opts.json, value, issuedText(value, 'incoming webhook created'));
    });
  hook
    .command('list')
    .description('list incoming webhooks with last use and counts')
    .option('--group <id>', 'only this group\'s')
    .option('--json', 'print JSON')
    .action(async (opts: { group?: string; json?: boolean }) => {
      const hooks = await run(async ({ ctx }) => (await listHooks(ctx.db, { targetId: opts.group })).map(presentHook));
      const lines = hooks.map((h) => `${h.id}  ${h.status.padEnd(7)} ${h.source.padEnd(12)} ${h.target.id}  "${h.name}"  posts ${h.post_count}, errors ${h.error_count}, last used ${h.last_used_time ?? 'never'}`);
      print(!!opts.json, { data: hooks }, lines.join('\n') || 'no incoming webhooks');
    });
  hook
    .command('log <id>')
    .description('recent requests to a hook: answer, event, rendered post')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { limit: string; json?: boolean }) => {
      const deliveries = await run(async ({ ctx }) => {
        await requireHook(ctx.db, id);
        return (await listHookDeliveries(ctx.db, id, Number(opts.limit))).map(presentHookDelivery);
      });
      print(!!opts.json, { data: deliveries }, deliveries.map((d) => `${d.time}  ${d.status} ${d.answer}${d.event ? ` (${d.event})` : ''}`).join('\n') || 'no requests yet');
    });
  hook
    .command('rotate <id>')
    .description('issue a new URL; the old one stops at once')
    .option('--json', 'print {"id","url"}')
    .action(async (id: string, opts: { json?: boolean }) => {
      const value = await run(async ({ ctx }, write) => issued(ctx.config, await write(async (w) => hookKeyRotator(w, await requireHook(w.trx, id)))));
      print(!!opts.json, value, issuedText(value, 'new URL issued'));
    });
  hook
    .command('revoke <id>')
    .description('revoke a hook for good (its URL answers no_service)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const revoked = await run((_o, write) => write(async (w) => hookRevoker(w, await requireHook(w.trx, id))));
      print(!!opts.json, { success: true, changed: revoked }, revoked ? `hook ${id} revoked` : `hook ${id} was already revoked`);
    });
}
