import { makeTemplate, seedSqlite } from './seed.js';
const t = await makeTemplate('x');
const s = seedSqlite(t, 'x1m', 1_000_000);
console.log(JSON.stringify({ dir: s.dir, seconds: s.seconds }));
