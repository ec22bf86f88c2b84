import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { openContext } from '../bootstrap.js';
import { loadConfig } from '../config.js';
import type { Context } from '../context.js';
import { remoteMediaImporter } from '../domain/commands/media.js';
import { mediaKeyRotator } from '../domain/commands/mediaKey.js';
import { transact } from '../domain/commands/shared.js';
import { listMediaFileNames } from '../db/repositories/media.js';
import { createLogger } from '../http/logging.js';
import { type MediaStore, openMediaStore } from '../media/store.js';

export interface MigrationSummary {
  from: string;
  to: string;
  copied: number;
  missing: string[];
}

/**
 * Copies every stored file (photos, pictures, chat files) from the store in use to `target`,
 * reading each one back to check it arrived whole. The source is left as it was: switch
 * COMMONPLACE_MEDIA_URL to the target once this finished, then remove the old files yourself.
 */
export async function mediaMigrator(ctx: Context, target: MediaStore, onProgress: (done: number, total: number) => void): Promise<MigrationSummary> {
  const files = await listMediaFileNames(ctx.db);
  const missing: string[] = [];
  let copied = 0;
  onProgress(0, files.length);
  for (const [i, file] of files.entries()) {
    const stored = await ctx.media.get(file.key);
    if (!stored) missing.push(file.key);
    else {
      const data = Buffer.isBuffer(stored.body) ? stored.body : Buffer.concat(await stored.body.toArray());
      await target.put(file.key, data, file.mime_type);
      const check = await target.get(file.key);
      const back = check && (Buffer.isBuffer(check.body) ? check.body : Buffer.concat(await check.body.toArray()));
      if (!back?.equals(data)) throw new Error(`${file.key} did not arrive whole in ${target.describe}`);
      copied++;
    }
    onProgress(i + 1, files.length);
  }
  return { from: ctx.media.describe, to: target.describe, copied, missing };
}

export function registerMediaCommands(program: Command): void {
  const media = program.command('media').description('uploaded files');
  media
    .command('migrate')
    .description('copy every stored file to another store (COMMONPLACE_MEDIA_URL names the current one)')
    .requiredOption('--to <url>', '"directory", "database", file:///dir or s3://bucket/prefix')
    .option('--json', 'print JSON')
    .action(async (opts: { to: string; json?: boolean }) => {
      const { ctx, close } = await openContext({ config: loadConfig(), log: createLogger(process.env.LOG_LEVEL || 'warn') });
      try {
        const target = await openMediaStore(opts.to, { config: ctx.config, db: ctx.db, now: () => ctx.clock.now() });
        if (target.describe === ctx.media.describe) throw new Error(`media already live in ${target.describe}`);
        const bar = opts.json || !process.stderr.isTTY ? undefined : new SingleBar({ format: 'media {bar} {value}/{total} files', stream: process.stderr });
        const summary = await mediaMigrator(ctx, target, (done, total) => {
          if (!bar) return;
          if (done === 0) bar.start(total, 0);
          else bar.update(done);
        });
        bar?.stop();
        const note = summary.missing.length ? `; ${summary.missing.length} files were missing from the source: ${summary.missing.slice(0, 10).join(', ')}` : '';
        process.stdout.write(
          opts.json ? `${JSON.stringify(summary)}\n` : `copied ${summary.copied} files from ${summary.from} to ${summary.to}${note}\nNow set COMMONPLACE_MEDIA_URL=${opts.to} and restart.\n`,
        );
      } finally {
        await close();
      }
    });
  media
    .command('import-remote')
    .description('fetch and store the photos and profile pictures that were attached by URL before the server fetched URLs itself')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { ctx, close } = await openContext({ config: loadConfig(), log: createLogger(process.env.LOG_LEVEL || 'warn') });
      try {
        const bar = opts.json || !process.stderr.isTTY ? undefined : new SingleBar({ format: 'media {bar} {value}/{total} URLs', stream: process.stderr });
        const summary = await remoteMediaImporter(ctx, (done, total) => {
          if (!bar) return;
          if (done === 0) bar.start(total, 0);
          else bar.update(done);
        });
        bar?.stop();
        const failures = summary.failed.map((f) => `\n  ${f.id} ${f.url}: ${f.reason}`).join('');
        process.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : `stored ${summary.imported} files; ${summary.failed.length} could not be fetched${failures}\n`);
        if (summary.failed.length) process.exitCode = 1;
      } finally {
        await close();
      }
    });
  media
    .command('rotate-key')
    .description('sign media links with a new key; links signed by the previous key keep working until they expire')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { ctx, close } = await openContext({ config: loadConfig(), log: createLogger(process.env.LOG_LEVEL || 'warn') });
      try {
        const result = await transact(ctx, { kind: 'system' }, (w) => mediaKeyRotator(w));
        const until = result.previous_valid_until ? `; links signed by the previous key work until ${result.previous_valid_until}` : '';
        process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : `media links are now signed by key ${result.key_id}${until}\n`);
      } finally {
        await close();
      }
    });
}
