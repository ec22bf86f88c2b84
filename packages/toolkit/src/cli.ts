import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { GraphApiError, ScimApiError } from '@commonplace/sdk';
import { connect, UsageError, type ConnectionOptions } from './connection.js';
import { backupGroups } from './backup/backup.js';
import { scaffoldBot } from './bot/scaffold.js';
import { verifyChecksums } from './backup/files.js';
import { restoreGroup } from './backup/restore.js';
import { parseInterval } from './limits.js';
import { progress } from './progress.js';
import { formatReport, runSync, type SyncReport } from './sync/command.js';
import { DEFAULT_FILTER } from './sync/ldap.js';
import { SourceError } from './sync/people.js';
import type { LeaverScope } from './sync/diff.js';

// The `commonplace-toolkit` command line. Every command takes --base-url/--token (or
// COMMONPLACE_BASE_URL/COMMONPLACE_TOKEN) and --json (one JSON object on stdout).

interface Globals extends ConnectionOptions {
  json?: boolean;
  verbose?: boolean;
}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Waits between scheduled runs; resolves false when the loop should end. */
  wait?: (ms: number) => Promise<boolean>;
}

interface SyncPeopleFlags {
  from: string;
  map?: string;
  dryRun?: boolean;
  every?: string;
  deactivate: LeaverScope;
  bulkSize: number;
  bindDn?: string;
  bindPasswordFile?: string;
  baseDn?: string;
  filter?: string;
  scope?: 'sub' | 'one';
  pageSize: number;
  ldapCa?: string;
  startTls?: boolean;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
};

/** Exit codes: 0 done, 1 some changes failed, 2 bad usage or input, 3 stopped by the server's deactivation guard. */
export const EXIT = { ok: 0, failed: 1, usage: 2, guard: 3 } as const;

function interruptibleWait(): (ms: number) => Promise<boolean> {
  let stop: (() => void) | undefined;
  let stopped = false;
  const onSignal = () => {
    stopped = true;
    stop?.();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return (ms) =>
    new Promise((resolve) => {
      if (stopped) return resolve(false);
      const timer = setTimeout(() => resolve(true), ms);
      stop = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
}

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('commonplace-toolkit')
    .description('Identity sync, group backup and restore, and bot scaffolding for Commonplace (or any Workplace-compatible server), through the public API only.')
    .option('--base-url <url>', 'server root, e.g. http://127.0.0.1:8080 (env COMMONPLACE_BASE_URL)')
    .option('--token <token>', 'integration access token (env COMMONPLACE_TOKEN)')
    .option('--graph-url <url>', 'Graph API root when not BASE/graph (Workplace: https://graph.workplace.com)')
    .option('--scim-url <url>', 'SCIM root when not BASE/scim/v2 (Workplace: https://scim.workplace.com)')
    .option('--concurrency <n>', 'most requests in flight at once', (v) => Number.parseInt(v, 10), 4)
    .option('--json', 'print one JSON object on stdout')
    .option('--verbose', 'list every change and retry')
    .showHelpAfterError();
  const globals = (cmd: Command) => cmd.optsWithGlobals<Globals>();
  const connection = (g: Globals) => connect(g, io.env, g.verbose ? (line) => io.err(line) : undefined);

  const sync = program.command('sync').description('keep people in sync with a source');
  sync
    .command('people')
    .description('sync people from a CSV or XLSX file or an LDAP / Active Directory directory to SCIM: create, update changed attributes, deactivate leavers, reactivate returners, set managers')
    .requiredOption('--from <source>', 'FILE.csv, FILE.xlsx, or ldap://host[:port][/baseDN] (ldaps:// for TLS)')
    .option('--map <mapping>', 'field=Column pairs, e.g. "email=Mail,department=Dept,manager=ManagerMail" (LDAP: field=attribute, e.g. "email=userPrincipalName")')
    .option('--bind-dn <dn>', 'LDAP: the DN to bind as (anonymous when absent)')
    .option('--bind-password-file <file>', 'LDAP: file holding the bind password (else env LDAP_BIND_PASSWORD)')
    .option('--base-dn <dn>', 'LDAP: where to search (or in the URL)')
    .option('--filter <filter>', `LDAP: search filter (default ${DEFAULT_FILTER})`)
    .addOption(new Option('--scope <scope>', 'LDAP: search the whole subtree or one level').choices(['sub', 'one']))
    .option('--page-size <n>', 'LDAP: entries per page of the paged search', (v) => Number.parseInt(v, 10), 500)
    .option('--ldap-ca <file>', 'LDAP: PEM file of the CA that signed the directory certificate')
    .option('--start-tls', 'LDAP: upgrade an ldap:// connection with StartTLS')
    .option('--dry-run', 'print the diff and write nothing')
    .option('--every <interval>', 'run again on a schedule, e.g. 15m or 1h (until interrupted)')
    .addOption(new Option('--deactivate <scope>', 'who may be deactivated when the source stops listing them: managed (users with an externalId, which the sync sets), all, none').choices(['managed', 'all', 'none']).default('managed'))
    .option('--bulk-size <n>', 'operations per SCIM /Bulk request (0: one request per change)', (v) => Number.parseInt(v, 10), 100)
    .action(async (opts: SyncPeopleFlags, cmd: Command) => {
      const g = globals(cmd);
      const ldap = { bindDn: opts.bindDn, bindPasswordFile: opts.bindPasswordFile, baseDn: opts.baseDn, filter: opts.filter, scope: opts.scope, pageSize: opts.pageSize, caFile: opts.ldapCa, startTls: opts.startTls };
      const interval = opts.every ? parseInterval(opts.every) : undefined;
      const { scim } = connection(g);
      const wait = interval ? (io.wait ?? interruptibleWait()) : async () => false;
      for (;;) {
        const report: SyncReport = await runSync(scim, { from: opts.from, map: opts.map, dryRun: opts.dryRun, deactivate: opts.deactivate, bulkSize: opts.bulkSize, ldap, env: io.env, json: g.json, concurrency: g.concurrency ?? 4 });
        if (g.json) io.out(JSON.stringify(report));
        else io.out(formatReport(report, !!g.verbose));
        const code = report.stopped ? EXIT.guard : report.errors.length ? EXIT.failed : EXIT.ok;
        setExit(code);
        if (!interval || report.stopped) return;
        if (!g.json) io.out(`next run in ${opts.every}`);
        if (!(await wait(interval))) return;
      }
    });

  const backup = program.command('backup').description('back up groups to a folder');
  backup
    .command('groups')
    .description('back up groups (every group the token may read when no --group is given) as JSON Lines plus media files; incremental and resumable')
    .option('--group <id...>', 'group ids to back up')
    .requiredOption('--out <dir>', 'backup folder (reused by later runs: only what changed is fetched)')
    .action(async (opts: { group?: string[]; out: string }, cmd: Command) => {
      const g = globals(cmd);
      const { graph, concurrency } = connection(g);
      const reports = await backupGroups(graph, { out: opts.out, groups: opts.group, concurrency, progress: progress(!g.json), log: (line) => io.err(line) });
      if (g.json) io.out(JSON.stringify({ out: opts.out, groups: reports }));
      else
        for (const r of reports)
          io.out(`${r.name} (${r.id}): ${r.posts} posts (${r.fetched} fetched, ${r.unchanged} unchanged${r.removed ? `, ${r.removed} gone` : ''}), ${r.polls ? `${r.polls} with polls, ` : ''}${r.events} events (${r.eventsFetched} fetched, ${r.eventsUnchanged} unchanged${r.eventsRemoved ? `, ${r.eventsRemoved} gone` : ''}), ${r.members} members, ${r.photos} photos (${r.mediaDownloaded} downloaded), ${r.files} files, ${r.docs} docs, ${r.albums} albums, ${r.videos} videos (${r.filesFetched + r.docsFetched + r.albumsFetched + r.videosFetched} of them fetched)${r.resumed ? ', resumed an unfinished run' : ''}`);
      if (!g.json) io.out(`open ${opts.out}/index.html to browse the backup offline`);
    });
  backup
    .command('verify')
    .description('check a backup folder against its SHA256SUMS')
    .requiredOption('--in <dir>', 'backup folder')
    .action((opts: { in: string }, cmd: Command) => {
      const bad = verifyChecksums(opts.in);
      if (globals(cmd).json) io.out(JSON.stringify({ ok: bad.length === 0, problems: bad }));
      else io.out(bad.length ? bad.join('\n') : 'every file matches SHA256SUMS');
      setExit(bad.length ? EXIT.failed : EXIT.ok);
    });

  program
    .command('restore')
    .description("recreate a backed-up group's posts (polls as text), comments, replies and events in another group, as the bot page, crediting original authors and times; resumable")
    .requiredOption('--from <dir>', 'backup folder')
    .requiredOption('--to-group <id>', 'group to restore into')
    .option('--group <id>', 'backed-up group to restore (when the backup holds several)')
    .action(async (opts: { from: string; toGroup: string; group?: string }, cmd: Command) => {
      const g = globals(cmd);
      const { graph } = connection(g);
      const r = await restoreGroup(graph, { from: opts.from, toGroup: opts.toGroup, group: opts.group, progress: progress(!g.json) });
      if (g.json) io.out(JSON.stringify(r));
      else io.out(`restored group ${r.sourceGroup} into ${r.toGroup}: ${r.posts} posts (${r.photos} with photos), ${r.comments} comments, ${r.events} events, ${r.library.files} files, ${r.library.docs} docs, ${r.library.albums} albums (${r.library.albumPhotos} photos), ${r.library.videos} videos${r.skipped ? `, ${r.skipped} already restored earlier` : ''}`);
    });
  const bot = program.command('bot').description('bots built on the SDK');
  bot
    .command('new')
    .description('scaffold a bot project: package.json depending on @commonplace/sdk, index.ts with createBot, a test, a README')
    .argument('<name>', 'npm package name of the bot, e.g. lunch-bot')
    .option('--dir <dir>', 'where to create it (default ./NAME)')
    .action((name: string, opts: { dir?: string }, cmd: Command) => {
      const r = scaffoldBot(name, opts.dir);
      if (globals(cmd).json) io.out(JSON.stringify(r));
      else io.out([`created ${r.dir}: ${r.files.join(', ')}`, `next: cd ${path.relative(process.cwd(), r.dir) || '.'} && npm install && npm test (see its README for where the SDK comes from)`].join('\n'));
    });
  return program;
}

function describeError(error: unknown): string {
  if (error instanceof GraphApiError) return `the server answered ${error.status}: ${error.message}`;
  if (error instanceof ScimApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => (exitCode = code));
  program.exitOverride();
  program.configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const usage = error instanceof UsageError || error instanceof SourceError || (error instanceof Error && /^not an interval/.test(error.message));
    const json = argv.includes('--json');
    if (json) io.out(JSON.stringify({ error: { message: describeError(error), kind: usage ? 'usage' : 'failed' } }));
    io.err(`commonplace-toolkit: ${describeError(error)}`);
    return usage ? EXIT.usage : EXIT.failed;
  }
}
