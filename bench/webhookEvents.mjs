// Preloaded (--import) into the process under test by bench/webhooks.ts on SQLite: writes events
// into that process's own SQLite file, one transaction per event (an audit row and an outbox row,
// as a command commits them), at WH_EVENTS_RATE per second over WH_EVENTS_GROUPS groups, for
// WH_EVENTS_SECONDS seconds after the process gets SIGUSR2. Inside the process, as request
// handlers write, so the benchmark measures delivery rather than two processes fighting over the
// SQLite write lock.
import { randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';

const file = path.join(process.env.COMMONPLACE_DATA_DIR ?? '.', 'commonplace.sqlite');
const rate = Number(process.env.WH_EVENTS_RATE ?? 1000);
const groups = Number(process.env.WH_EVENTS_GROUPS ?? 100);
const seconds = Number(process.env.WH_EVENTS_SECONDS ?? 10);

let sequence = randomInt(8192);
let lastMs = 0;
function newId() {
  let ms = Date.now();
  if (ms < lastMs) ms = lastMs;
  sequence = (sequence + 1) % 8192;
  if (ms === lastMs && sequence === 0) ms += 1;
  lastMs = ms;
  return (BigInt(ms) * 8192n + BigInt(sequence)).toString();
}

process.on('SIGUSR2', () => {
  const SQLite = createRequire(import.meta.url)('better-sqlite3');
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const audit = db.prepare(`insert into audit_event (id, time, actor_type, actor_id, action, target_type, target_id, old_value, new_value) values (?, ?, 'system', null, 'post.created', 'post', ?, null, null)`);
  const outbox = db.prepare(`insert into outbox (id, topic, field, entry_id, ordering_key, payload, created_time) values (?, 'group', 'posts', ?, ?, ?, ?)`);
  const one = db.transaction((id, group, t) => {
    audit.run(newId(), Math.floor(t), id);
    const value = { verb: 'add', post_id: `${group}_${id}`, from: { id: '1', name: 'Bench' }, message: `event ${id}`, type: 'status', created_time: Math.floor(t / 1000), target_type: 'group', target_id: group, bench_t: performance.timeOrigin + performance.now() };
    outbox.run(id, group, group, JSON.stringify(value), Math.floor(t));
  });
  const start = performance.now();
  const total = Math.round(rate * seconds);
  let written = 0;
  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    for (; written < due; written++) one(newId(), String(9_000_000_000_000 + (written % groups)), Date.now());
    if (written >= total) {
      clearInterval(timer);
      db.close();
    }
  }, 2);
});
