// Debug aid: one Commonplace process on PostgreSQL, 5 s of feed POSTs, the status codes and a log tail.
import fs from 'node:fs';
import autocannon from 'autocannon';
import { createDatabase, makeTemplate } from '../seed.js';
import { cleanup, startCommonplace, stop } from '../server.js';

const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
try {
  const db = await createDatabase(PG, 'dbg');
  const t = await makeTemplate('dbg', db.url);
  const cp = await startCommonplace('dbg', { dataDir: t.dir, databaseUrl: db.url, args: process.argv.slice(2) });
  let n = 0;
  const r = await autocannon({
    url: cp.url,
    connections: 50,
    duration: 5,
    requests: [{ method: 'POST', path: `/graph/${t.groupId}/feed`, headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/x-www-form-urlencoded' }, setupRequest: (q) => ({ ...q, body: `message=dbg${++n}` }) }],
  });
  console.log(JSON.stringify({ rps: r.requests.average, codes: r.statusCodeStats, errors: r.errors, timeouts: r.timeouts }));
  await stop(cp);
  console.log(fs.readFileSync(cp.logFile, 'utf8').slice(-3000));
} finally {
  await cleanup();
}
