// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by package / source file,
// the hottest functions, and inclusive time of Commonplace's own functions.
//   node --import tsx bench/profile.ts <file.cpuprofile>
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, a Commonplace source file, Node core, or a V8 pseudo-frame. */
export function bucketOf(frame: CallFrame): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return 'node core';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

const label = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${bucketOf(f)}:${f.lineNumber + 1}`;

export interface ProfileSummary {
  totalMs: number;
  busyMs: number;
  buckets: [string, number][];
  functions: [string, number][];
  inclusive: [string, number][];
}

export function summarize(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const totalMs = [...self.values()].reduce((a, b) => a + b, 0);
  const idleMs = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, ms]) => a + ms, 0);
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, ms] of self) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') continue;
    add(buckets, bucketOf(f), ms);
    add(functions, label(f), ms);
  }
  // Inclusive time of src/ functions: each sample counts once per distinct src frame on its stack.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, ms] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (!f.url.includes('/src/')) continue;
      const key = label(f);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, ms);
      }
    }
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { totalMs, busyMs: totalMs - idleMs, buckets: sorted(buckets), functions: sorted(functions), inclusive: sorted(inclusive) };
}

export function formatSummary(s: ProfileSummary): string {
  const pct = (ms: number) => `${((ms / s.busyMs) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`busy ${(s.busyMs / 1000).toFixed(1)} s of ${(s.totalMs / 1000).toFixed(1)} s profiled (percentages are of busy time)`];
  lines.push('', 'self time by package / file:', ...s.buckets.map(([k, ms]) => `  ${pct(ms)}  ${k}`));
  lines.push('', 'hottest functions (self):', ...s.functions.map(([k, ms]) => `  ${pct(ms)}  ${k}`));
  lines.push('', 'Commonplace functions (inclusive):', ...s.inclusive.map(([k, ms]) => `  ${pct(ms)}  ${k}`));
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const file of process.argv.slice(2)) console.log(`${file}\n${formatSummary(summarize(file, 25))}\n`);
}
