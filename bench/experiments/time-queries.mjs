// Experiment, not part of the benchmark: like count-queries.mjs, but also sums the time each SQL
// text spends inside better-sqlite3 (µs), printed on SIGUSR2 and at exit (stderr). Load with
//   node --import ./bench/experiments/time-queries.mjs bin/commonplace.mjs serve
import { createRequire } from 'node:module';

const Database = createRequire(import.meta.url)('better-sqlite3');
const Statement = new Database(':memory:').prepare('select 1').constructor;
const stats = new Map();
for (const method of ['run', 'get', 'all', 'iterate']) {
  const original = Statement.prototype[method];
  Statement.prototype[method] = function (...args) {
    const started = process.hrtime.bigint();
    try {
      return original.apply(this, args);
    } finally {
      const s = stats.get(this.source) ?? { n: 0, us: 0 };
      s.n++;
      s.us += Number(process.hrtime.bigint() - started) / 1000;
      stats.set(this.source, s);
    }
  };
}
let since = Date.now();
const dump = () => {
  const total = [...stats.values()].reduce((a, s) => a + s.us, 0);
  const lines = [...stats].sort((a, b) => b[1].us - a[1].us).map(([sql, s]) => `${String(s.n).padStart(7)} ${String(Math.round(s.us / s.n)).padStart(6)} µs each ${String(Math.round(s.us / 1000)).padStart(6)} ms  ${sql.replace(/\s+/g, ' ').slice(0, 160)}`);
  process.stderr.write(`statements in the last ${((Date.now() - since) / 1000).toFixed(1)} s, ${Math.round(total / 1000)} ms in SQLite:\n${lines.join('\n')}\n`);
  stats.clear();
  since = Date.now();
};
process.on('SIGUSR2', dump);
process.on('exit', dump);
