// Experiment, not part of the benchmark: a CPU profile of Commonplace answering SCIM creates (or
// manager PATCHes) on SQLite or PostgreSQL, summarised by bench/profile.ts.
//   node --import tsx bench/experiments/scim-profile.ts [--db sqlite|postgres] [--what create|patch]
//        [--seconds 8] [--concurrency 1] [--import bench/experiments/time-queries.mjs] [--no-prof]
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { formatSummary, summarize } from '../profile.js';
import { createDatabase } from '../seed.js';
import { cleanup, cli, commonplaceEnv, snapshotSource, startCommonplace, stop, tempDir } from '../server.js';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const db = opt('--db', 'sqlite');
const what = opt('--what', 'create');
const seconds = Number(opt('--seconds', '8'));
const concurrency = Number(opt('--concurrency', '1'));
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

try {
  snapshotSource();
  const dir = tempDir('scim-profile');
  const database = db === 'postgres' ? await createDatabase(process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test', 'scimprof') : undefined;
  const env = commonplaceEnv(dir, 0, database?.url);
  await cli(['migrate'], env);
  const { access_token: token } = JSON.parse(await cli(['integration', 'create', '--name', 'P', '--permission', 'manage_accounts', '--json'], env)) as { access_token: string };
  const profDir = tempDir('scim-profile-out');
  const imports = argv.includes('--import') ? [opt('--import', '')] : [];
  const cp = await startCommonplace('commonplace-profile', { dataDir: dir, databaseUrl: database?.url, cpuProfDir: argv.includes('--no-prof') ? undefined : profDir, imports });
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const send = (method: string, p: string, body: unknown) =>
    new Promise<string>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = http.request(new URL(p, cp.url), { method, agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => (res.statusCode! < 300 ? resolve(text) : reject(new Error(`${res.statusCode} ${text}`))));
      });
      req.on('error', reject);
      req.end(payload);
    });
  let n = 0;
  const create = () => {
    const userName = `p${++n}@example.com`;
    return send('POST', '/scim/v2/Users', { schemas: [CORE], userName, externalId: `x${n}`, name: { givenName: `P${n}`, familyName: 'Q' }, emails: [{ value: userName, type: 'work', primary: true }] });
  };
  const ids: string[] = [];
  if (what === 'patch') for (let i = 0; i < 300; i++) ids.push((JSON.parse(await create()) as { id: string }).id);
  let k = 0;
  const one = () => {
    if (what === 'create') return create();
    k++;
    const member = 1 + ((k * 7919) % (ids.length - 1));
    return send('PATCH', `/scim/v2/Users/${ids[member]}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: `${ENT}:manager`, value: { value: ids[(k * 104_729) % member] } }] });
  };
  const deadline = performance.now() + seconds * 1000;
  let count = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      await one();
      count++;
    }
  }));
  console.log(`${count} ${what} requests in ${seconds} s (${(count / seconds).toFixed(0)}/s)`);
  agent.destroy();
  await stop(cp);
  if (imports.length) console.log(fs.readFileSync(cp.logFile, 'utf8').slice(-20000));
  for (const file of fs.readdirSync(profDir)) {
    if (process.env.KEEP_PROFILE) fs.copyFileSync(path.join(profDir, file), path.join(process.env.KEEP_PROFILE, file));
    console.log(formatSummary(summarize(path.join(profDir, file), 30)));
  }
} finally {
  await cleanup();
}
