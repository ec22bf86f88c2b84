// Experiment, not part of the benchmark: the SQLite feed read and feed POST with three servers
// interleaved — the floor, Commonplace as it is, and Commonplace changed by a preloaded module
// and/or extra environment — to measure one change without editing src/. E.g.
//   node --import tsx bench/experiments/ab.ts --env COMMONPLACE_WEBHOOK_WORKER=0
//   node --import tsx bench/experiments/ab.ts --import some-patch.mjs
//   node --import tsx bench/experiments/ab.ts --patch 'src/db/database.ts|withStatementCache(database)|database'
// (--patch FILE|SEARCH|REPLACE edits a copy of the source for the variant only)
// Options: [--posts 100000] [--duration 10] [--rounds 2] [--only GET|POST]
import path from 'node:path';
import { compare, type LoadResult, type LoadSpec } from '../load.js';
import { copySqlite, makeTemplate, seedSqlite } from '../seed.js';
import { cleanup, patchedSource, snapshotSource, startCommonplace, startFloor } from '../server.js';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const env: Record<string, string> = {};
argv.forEach((a, i) => {
  if (a === '--env') {
    const [k, ...v] = argv[i + 1].split('=');
    env[k] = v.join('=');
  }
});
const preload = opt('--import', '');
const patch = opt('--patch', '');
if (!preload && !patch && !Object.keys(env).length) throw new Error('give --import <module>, --patch FILE|SEARCH|REPLACE and/or --env KEY=VALUE: the change to measure');
const variant = [preload && path.basename(preload), patch && `patch ${patch.split('|').join(' ⟶ ').replace(' ⟶ ', ': ')}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].filter(Boolean).join(' ');
const posts = Number(opt('--posts', '100000'));
const duration = Number(opt('--duration', '10'));
const rounds = Number(opt('--rounds', '2'));

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
try {
  const source = snapshotSource();
  console.log(`Commonplace source: ${source.commit}${source.uncommitted.length ? ` + ${source.uncommitted.length} uncommitted files` : ''}`);
  const t = await makeTemplate('ab');
  const seeded = seedSqlite(t, 'ab-a', posts);
  const copy = seedSqlite(t, 'ab-b', 0).dir;
  const floorFile = copySqlite(seeded.dir, 'ab-floor');
  // B gets its own copy of the seeded file.
  const { copyFileSync } = await import('node:fs');
  copyFileSync(path.join(seeded.dir, 'commonplace.sqlite'), path.join(copy, 'commonplace.sqlite'));
  const floor = await startFloor('floor', { logDir: path.dirname(floorFile), sqliteFile: floorFile });
  const a = await startCommonplace('commonplace', { dataDir: seeded.dir });
  const root = patch ? patchedSource(...(patch.split('|') as [string, string, string])) : undefined;
  const b = await startCommonplace('commonplace-variant', { dataDir: copy, imports: preload ? [preload] : [], env, root });
  const servers = { floor: floor.url, commonplace: a.url, [`commonplace + ${variant}`]: b.url };
  const lines = [`| Call | ${Object.keys(servers).map((k) => `${k} req/s (p50 / p99 ms)`).join(' | ')} |`, `|---|${Object.keys(servers).map(() => '--:').join('|')}|`];
  const only = opt('--only', '');
  for (const method of (['GET', 'POST'] as const).filter((m) => !only || m === only)) {
    const spec: LoadSpec = {
      path: method === 'GET' ? `/graph/${t.groupId}/feed?fields=id,message,created_time,from{name}&limit=25` : `/graph/${t.groupId}/feed`,
      method,
      token: t.token,
      connections: 50,
      duration,
      warmup: 2,
      rounds,
    };
    const r: Record<string, LoadResult> = await compare(servers, spec, console.log);
    const floorRps = r.floor.rps;
    lines.push(
      `| feed ${method === 'GET' ? 'read' : 'POST'}, ${fmt(posts)} posts | ${Object.keys(servers)
        .map((k) => `${fmt(r[k].rps)} (${r[k].p50} / ${r[k].p99})${k === 'floor' ? '' : ` = **${Math.round((r[k].rps / floorRps) * 100)}%**`}${r[k].non2xx ? ` non-2xx ${r[k].non2xx}` : ''}`)
        .join(' | ')} |`,
    );
  }
  console.log(`\n${lines.join('\n')}`);
} finally {
  await cleanup();
}
