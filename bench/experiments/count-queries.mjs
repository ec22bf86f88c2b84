// Experiment, not part of the benchmark: counts the SQL statements better-sqlite3 runs in a
// Commonplace process (by SQL text) and prints them on SIGUSR2 and at exit (stderr), then starts
// counting again. Load with
//   node --import ./bench/experiments/count-queries.mjs bin/commonplace.mjs serve
import { createRequire } from 'node:module';

const Database = createRequire(import.meta.url)('better-sqlite3');
const Statement = new Database(':memory:').prepare('select 1').constructor;
const counts = new Map();
for (const method of ['run', 'get', 'all', 'iterate']) {
  const original = Statement.prototype[method];
  Statement.prototype[method] = function (...args) {
    counts.set(this.source, (counts.get(this.source) ?? 0) + 1);
    return original.apply(this, args);
  };
}
let since = Date.now();
const dump = () => {
  const lines = [...counts].sort((a, b) => b[1] - a[1]).map(([sql, n]) => `${String(n).padStart(7)}  ${sql.replace(/\s+/g, ' ').slice(0, 200)}`);
  process.stderr.write(`statements run in the last ${((Date.now() - since) / 1000).toFixed(1)} s:\n${lines.join('\n')}\n`);
  counts.clear();
  since = Date.now();
};
process.on('SIGUSR2', dump);
process.on('exit', dump);
