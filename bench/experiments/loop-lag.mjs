// Experiment, not part of the benchmark: reports (stderr) every time the event loop of a
// Commonplace process was blocked for more than ~40 ms, and every GC pause over 20 ms, with
// timestamps. Load with --import.
import { PerformanceObserver } from 'node:perf_hooks';

const stamp = () => new Date().toISOString().slice(11, 23);
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  if (now - last > 50) process.stderr.write(`loop-lag ${stamp()} blocked ~${Math.round(now - last - 10)} ms\n`);
  last = now;
}, 10).unref();
const kinds = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.duration > 20) process.stderr.write(`gc ${stamp()} ${kinds[e.detail?.kind] ?? e.detail?.kind} ${Math.round(e.duration)} ms\n`);
  }
}).observe({ entryTypes: ['gc'] });
