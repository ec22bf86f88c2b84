import fs from 'node:fs';
import { Command, Option } from 'commander';
import { ensureCommunity, openContext, type Opened } from '../bootstrap.js';
import { findMail, listMail, markMailSent, retryMail } from '../db/repositories/account.js';
import { mailState } from '../mail/delivery.js';
import { findAppById } from '../db/repositories/app.js';
import { migrateToLatest } from '../db/migrations.js';
import type { Actor } from '../domain/actor.js';
import type { Write } from '../domain/commands/shared.js';
import {
  integrationCreator,
  integrationDeleter,
  integrationEnabler,
  integrationTokenRotator,
  integrationUpdater,
} from '../domain/commands/integration.js';
import { memberCreator } from '../domain/commands/member.js';
import { permissionCatalogue } from '../domain/permissions.js';
import { newOpaqueToken } from '../domain/secrets.js';
import { AppError } from '../errors.js';
import { createLogger } from '../http/logging.js';
import { loadConfig } from '../config.js';
import { listIntegrationViews, presentIntegrations } from '../presenters/integration.js';
import { seedDemo } from './demo.js';
import { registerMediaCommands } from './media.js';
import { registerWebhookCommands } from './webhook.js';
import { registerHookCommands } from './hook.js';

const operator: Actor = { kind: 'system' };
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Opens the database quietly (CLI output is for the user, logs go to stderr at warn). */
async function open(): Promise<Opened> {
  const config = loadConfig();
  const opened = await openContext({ config, log: createLogger(process.env.LOG_LEVEL || 'warn') });
  await ensureCommunity(opened.ctx);
  return opened;
}

async function run<T>(fn: (opened: Opened, write: <R>(f: (w: Write) => Promise<R>) => Promise<R>) => Promise<T>): Promise<T> {
  const opened = await open();
  try {
    return await fn(opened, (f) => opened.ctx.db.transaction().execute((trx) => f({ ctx: opened.ctx, actor: operator, trx })));
  } finally {
    await opened.close();
  }
}

function print(json: boolean, value: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
}

function credentialsText(c: { app_id: string; page_id: string; access_token: string; app_secret: string }, what: string): string {
  return [
    `${what}`,
    `  app id:        ${c.app_id}`,
    `  bot page id:   ${c.page_id}`,
    `  app secret:    ${c.app_secret}`,
    `  access token (shown once, store it now):`,
    `  ${c.access_token}`,
  ].join('\n');
}

export function buildCli(): Command {
  const program = new Command('commonplace').description('Commonplace: a self-hosted, Workplace-compatible team and integration platform').showHelpAfterError();

  program
    .command('serve')
    .description('start the server (PORT, HOST, DATABASE_URL, COMMONPLACE_DATA_DIR…)')
    .option('--workers <n>', 'server processes sharing the port, PostgreSQL only (COMMONPLACE_WORKERS; default 1)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--workers needs a whole number of processes, got "${v}"`);
      return n;
    })
    .action(async (opts: { workers?: number }) => {
      const { serve } = await import('../main.js');
      await serve({ workers: opts.workers });
    });

  program
    .command('migrate')
    .description('bring the database schema up to date')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const opened = await openContext({ config, log: createLogger('warn'), migrate: false });
      try {
        const applied = await migrateToLatest(opened.ctx.db);
        print(!!opts.json, { applied }, applied.length ? `applied: ${applied.join(', ')}` : 'schema is current');
      } finally {
        await opened.close();
      }
    });

  const admin = program.command('admin').description('system administrators');
  admin
    .command('create')
    .description('create a system admin (password generated and printed once unless given)')
    .requiredOption('--email <email>')
    .option('--name <name>', 'full name', 'System Admin')
    .option('--password <password>', 'password (otherwise generated)')
    .option('--json', 'print JSON')
    .action(async (opts: { email: string; name: string; password?: string; json?: boolean }) => {
      const password = opts.password ?? newOpaqueToken(18);
      const member = await run((_o, write) => write((w) => memberCreator(w, { email: opts.email, name: opts.name, is_admin: true, state: 'claimed', password })));
      print(!!opts.json, { id: member.id, email: member.email, ...(opts.password ? {} : { password }) }, `admin ${member.email} created (id ${member.id})${opts.password ? '' : `\npassword (shown once): ${password}`}`);
    });

  const integration = program.command('integration').description('custom integrations: apps with a bot page and a token');
  integration
    .command('create')
    .description('create an integration; prints its token once')
    .requiredOption('--name <name>', 'name of the app and its bot page')
    .option('--description <text>', 'what it does', '')
    .option('--picture <file>', 'profile picture (JPEG, PNG, GIF or WebP)')
    .option('--permission <code>', 'a permission code (repeatable); see `integration permissions`', collect, [])
    .option('--group <id>', 'limit the integration to this group (repeatable); default all groups', collect, [])
    .option('--require-appsecret-proof', 'refuse calls without appsecret_proof')
    .option('--auto-invite', 'invite every account the integration creates (Account Management)')
    .option('--json', 'print {"app_id","page_id","access_token","app_secret"}')
    .action(async (opts: { name: string; description: string; picture?: string; permission: string[]; group: string[]; requireAppsecretProof?: boolean; autoInvite?: boolean; json?: boolean }) => {
      const picture = opts.picture ? fs.readFileSync(opts.picture) : undefined;
      const credentials = await run((_o, write) =>
        write((w) =>
          integrationCreator(w, {
            name: opts.name,
            description: opts.description,
            picture,
            permissions: opts.permission,
            groupIds: opts.group.length ? opts.group : null,
            requireProof: !!opts.requireAppsecretProof,
            autoInvite: !!opts.autoInvite,
          }),
        ),
      );
      print(!!opts.json, credentials, credentialsText(credentials, `integration "${opts.name}" created`));
    });
  integration
    .command('list')
    .description('list integrations with their permissions, scope and 7-day usage')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const views = await run(({ ctx }) => listIntegrationViews(ctx.db, ctx.clock.now()));
      const lines = views.map(
        (v) =>
          `${v.app_id}  ${v.enabled ? 'enabled ' : 'DISABLED'}  ${v.name}\n    permissions: ${v.permissions.join(', ') || '(none)'}\n    groups: ${v.groups === 'all' ? 'all' : v.groups.join(', ')}  token: ${v.token_hint}  last request: ${v.last_request_time ?? 'never'}  requests (7 days): ${v.requests_7d_total}`,
      );
      print(!!opts.json, { data: views }, lines.join('\n') || 'no integrations');
    });
  integration
    .command('show <appId>')
    .description('show one integration')
    .option('--json', 'print JSON')
    .action(async (appId: string, opts: { json?: boolean }) => {
      const view = await run(async ({ ctx }) => {
        const row = await findAppById(ctx.db, appId);
        if (!row) throw new AppError('unknown_object', `No integration with id ${appId}`);
        return (await presentIntegrations(ctx.db, [row], ctx.clock.now()))[0];
      });
      print(!!opts.json, view, JSON.stringify(view, null, 2));
    });
  integration
    .command('update <appId>')
    .description('change name, description, picture, permissions or group scope')
    .option('--name <name>')
    .option('--description <text>')
    .option('--picture <file>')
    .option('--permission <code>', 'replaces the permission list (repeatable)', collect)
    .option('--group <id>', 'replaces the group scope (repeatable)', collect)
    .option('--all-groups', 'scope the integration to every group')
    .addOption(new Option('--require-appsecret-proof <on>', 'true or false').choices(['true', 'false']))
    .addOption(new Option('--auto-invite <on>', 'invite every account the integration creates: true or false').choices(['true', 'false']))
    .option('--json', 'print JSON')
    .action(async (appId: string, opts: { name?: string; description?: string; picture?: string; permission?: string[]; group?: string[]; allGroups?: boolean; requireAppsecretProof?: string; autoInvite?: string; json?: boolean }) => {
      const changed = await run((_o, write) =>
        write((w) =>
          integrationUpdater(w, appId, {
            name: opts.name,
            description: opts.description,
            picture: opts.picture ? fs.readFileSync(opts.picture) : undefined,
            permissions: opts.permission,
            groupIds: opts.allGroups ? null : opts.group,
            requireProof: opts.requireAppsecretProof === undefined ? undefined : opts.requireAppsecretProof === 'true',
            autoInvite: opts.autoInvite === undefined ? undefined : opts.autoInvite === 'true',
          }),
        ),
      );
      print(!!opts.json, { success: true, changed }, changed ? 'updated' : 'nothing to change');
    });
  integration
    .command('rotate <appId>')
    .description('replace the token; the old one stops working at once')
    .option('--json', 'print {"app_id","page_id","access_token","app_secret"}')
    .action(async (appId: string, opts: { json?: boolean }) => {
      const credentials = await run((_o, write) => write((w) => integrationTokenRotator(w, appId)));
      print(!!opts.json, credentials, credentialsText(credentials, 'token rotated; the old token no longer works'));
    });
  for (const [name, enabled] of [['disable', false], ['enable', true]] as const) {
    integration
      .command(`${name} <appId>`)
      .description(enabled ? 'let the integration make requests again' : 'make every request of the integration fail')
      .option('--json', 'print JSON')
      .action(async (appId: string, opts: { json?: boolean }) => {
        const changed = await run((_o, write) => write((w) => integrationEnabler(w, appId, enabled)));
        print(!!opts.json, { success: true, changed }, `${enabled ? 'enabled' : 'disabled'}${changed ? '' : ' (already)'}`);
      });
  }
  integration
    .command('delete <appId>')
    .description('delete the integration, its bot page and its content')
    .option('--json', 'print JSON')
    .action(async (appId: string, opts: { json?: boolean }) => {
      await run((_o, write) => write((w) => integrationDeleter(w, appId)));
      print(!!opts.json, { success: true }, 'deleted');
    });
  integration
    .command('permissions')
    .description('list the permission codes and what each one allows')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      print(!!opts.json, { data: permissionCatalogue }, permissionCatalogue.map((p) => `${p.code.padEnd(24)} ${p.name}: ${p.allows}`).join('\n'));
    });

  const mail = program.command('mail').description('the mail outbox: invitations, sent through SMTP_URL when it is set');
  mail
    .command('list')
    .description('list mail, newest first')
    .option('--unsent', 'only mail not yet marked sent')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (opts: { unsent?: boolean; limit: string; json?: boolean }) => {
      const rows = await run(({ ctx }) => listMail(ctx.db, { limit: Math.max(1, Number(opts.limit) || 50), unsentOnly: !!opts.unsent }));
      const data = rows.map((m) => ({
        id: m.id,
        kind: m.kind,
        to: m.to_address,
        subject: m.subject,
        member_id: m.member_id,
        created_time: new Date(m.created_time).toISOString(),
        sent_time: m.sent_time ? new Date(m.sent_time).toISOString() : null,
        state: mailState(m),
        attempts: m.attempts ?? 0,
        last_error: m.last_error ?? null,
      }));
      const lines = data.map((m) => `${m.id}  ${m.created_time}  ${m.state.padEnd(8)}  ${m.to}  ${m.subject}${m.state === 'sent' || !m.last_error ? '' : `\n    last error (attempt ${m.attempts}): ${m.last_error}`}`);
      print(!!opts.json, { data }, lines.join('\n') || 'no mail');
    });
  mail
    .command('show <id>')
    .description('print one mail (headers and body)')
    .option('--mark-sent', 'mark it sent once printed')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { markSent?: boolean; json?: boolean }) => {
      const m = await run(async ({ ctx }) => {
        const row = await findMail(ctx.db, id);
        if (!row) throw new AppError('unknown_object', `No mail with id ${id}`);
        if (opts.markSent && !row.sent_time) await markMailSent(ctx.db, id, ctx.clock.now());
        return row;
      });
      const view = { id: m.id, kind: m.kind, to: m.to_address, subject: m.subject, body: m.body, member_id: m.member_id, created_time: new Date(m.created_time).toISOString() };
      print(!!opts.json, view, `To: ${m.to_address}\nSubject: ${m.subject}\nDate: ${view.created_time}\n\n${m.body}`);
    });

  mail
    .command('retry <id>')
    .description('send a mail that gave up again (after fixing SMTP_URL or the address)')
    .action(async (id: string) => {
      const ok = await run(({ ctx }) => retryMail(ctx.db, id));
      if (!ok) throw new AppError('unknown_object', `No unsent mail with id ${id}`);
      print(false, {}, `mail ${id} will be sent again`);
    });

  const demo = program.command('demo').description('demo data');
  demo
    .command('seed')
    .description('fill the community with realistic members, groups, posts, comments and reactions')
    .option('--members <n>', 'members', '60')
    .option('--groups <n>', 'groups', '10')
    .option('--posts <n>', 'posts', '600')
    .option('--json', 'print JSON')
    .action(async (opts: { members: string; groups: string; posts: string; json?: boolean }) => {
      const summary = await run(({ ctx }) => seedDemo(ctx, { members: Number(opts.members), groups: Number(opts.groups), posts: Number(opts.posts) }));
      print(!!opts.json, summary, `seeded ${summary.members} members, ${summary.groups} groups, ${summary.posts} posts, ${summary.comments} comments, ${summary.reactions} reactions`);
    });

  registerWebhookCommands(program);
  registerHookCommands(program);
  registerMediaCommands(program);

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    const message = error instanceof AppError ? error.message.replace(/^\(#\d+\) /, '') : error instanceof Error ? error.message : String(error);
    process.stderr.write(`commonplace: ${message}\n`);
    process.exitCode = 1;
  }
}
