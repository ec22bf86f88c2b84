// Experiment, not part of the benchmark: counts the SQL statements a Commonplace process sends
// to PostgreSQL (by SQL text) and prints them on SIGUSR2 and at exit (stderr). Load with --import.
import { createRequire } from 'node:module';

const pg = createRequire(import.meta.url)('pg');
const counts = new Map();
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : config?.text;
  if (text) counts.set(text, (counts.get(text) ?? 0) + 1);
  return query.call(this, config, ...rest);
};
let since = Date.now();
const dump = () => {
  const lines = [...counts].sort((a, b) => b[1] - a[1]).map(([sql, n]) => `${String(n).padStart(7)}  ${sql.replace(/\s+/g, ' ').slice(0, 200)}`);
  process.stderr.write(`statements run in the last ${((Date.now() - since) / 1000).toFixed(1)} s:\n${lines.join('\n')}\n`);
  counts.clear();
  since = Date.now();
};
process.on('SIGUSR2', dump);
process.on('exit', dump);
