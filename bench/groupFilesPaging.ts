// GET /{group}/files pages by cursor: a group with 10,000 files answers a page in the same time
// as one with ten (issue 9). Rows are written straight into the SQLite file before the server
// starts; each figure is the median of 60 requests of 25 files (first page, and a page 9,000 deep).
//   node --import tsx bench/groupFilesPaging.ts
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { cleanup, ROOT, startCommonplace, stop, tempDir } from './server.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const dataDir = tempDir('files');
  const env = { ...process.env, COMMONPLACE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  const cli = (args: string[]) => execFileSync(process.execPath, [path.join(ROOT, 'bin', 'commonplace.mjs'), ...args], { env, encoding: 'utf8' });
  const { access_token: token } = JSON.parse(cli(['integration', 'create', '--name', 'Bench', '--permission', 'read_group', '--permission', 'manage_group', '--json']));
  let proc = await startCommonplace('commonplace', { dataDir });
  const graph = () => `${proc.url}/graph`;
  const call = async (method: string, url: string, body?: URLSearchParams) => (await fetch(url, { method, headers: { authorization: `Bearer ${token}` }, body })).json();
  const small = (await call('POST', `${graph()}/community/groups`, new URLSearchParams({ name: 'Ten files', privacy: 'OPEN' }))).id;
  const large = (await call('POST', `${graph()}/community/groups`, new URLSearchParams({ name: 'Ten thousand files', privacy: 'OPEN' }))).id;
  await stop(proc);
  const db = new Database(path.join(dataDir, 'commonplace.sqlite'));
  const insert = db.prepare(`insert into group_file (id, owner_id, owner_type, group_id, post_id, name, file_name, mime_type, size, created_time, updated_time) values (?, '1', 'page', ?, ?, ?, ?, 'application/pdf', 1000, ?, ?)`);
  const index = db.prepare(`insert into object (id, type) values (?, 'group_file')`);
  let id = 8_000_000_000_000;
  db.transaction(() => {
    for (const [group, count] of [[small, 10], [large, 10_000]] as const) {
      for (let i = 0; i < count; i++) {
        const fileId = String(id++);
        insert.run(fileId, group, String(id++), `file-${i}.pdf`, `${fileId}.pdf`, 1_700_000_000_000 + i, 1_700_000_000_000 + i);
        index.run(fileId);
      }
    }
  })();
  db.close();
  proc = await startCommonplace('commonplace', { dataDir });
  const time = async (url: string) => {
    const times: number[] = [];
    for (let i = 0; i < 60; i++) {
      const t = performance.now();
      const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      await r.json();
      times.push(performance.now() - t);
    }
    return median(times.slice(10));
  };
  const deepCursor = async (group: string) => {
    let url = `${graph()}/${group}/files?limit=1000&fields=id`;
    for (let i = 0; i < 9; i++) url = (await call('GET', url)).paging.next;
    return new URL(url).searchParams.get('after');
  };
  const fields = 'fields=id,download_link,updated_time';
  const smallFirst = await time(`${graph()}/${small}/files?limit=25&${fields}`);
  const largeFirst = await time(`${graph()}/${large}/files?limit=25&${fields}`);
  const largeDeep = await time(`${graph()}/${large}/files?limit=25&${fields}&after=${await deepCursor(large)}`);
  console.log(`| 10 files, first page | ${smallFirst.toFixed(2)} ms |`);
  console.log(`| 10,000 files, first page | ${largeFirst.toFixed(2)} ms |`);
  console.log(`| 10,000 files, page after 9,000 | ${largeDeep.toFixed(2)} ms |`);
  await stop(proc);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
