import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Writes a file atomically (temp file + rename), so a crash never leaves half a file. */
export function writeAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(temp, data);
  fs.renameSync(temp, file);
}

export function readJson<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Reads a JSON Lines file; a torn last line (from a crash mid-write) is dropped. */
export function readJsonLines<T>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  const out: T[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // only the last line can be torn; anything after it is ignored too
      break;
    }
  }
  return out;
}

export const jsonLines = (items: readonly unknown[]) => items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : '');

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full) : [full];
  });
}

/** Writes SHA256SUMS (sha256sum format) over every file under groups/. */
export function writeChecksums(root: string): void {
  const lines = walk(path.join(root, 'groups'))
    .filter((f) => !/\.tmp-\d+$/.test(f) && !f.endsWith('.partial.jsonl'))
    .sort()
    .map((f) => `${sha256(fs.readFileSync(f))}  ${path.relative(root, f).split(path.sep).join('/')}`);
  writeAtomic(path.join(root, 'SHA256SUMS'), lines.join('\n') + '\n');
}

/** Checks SHA256SUMS; answers the files that are missing or differ. */
export function verifyChecksums(root: string): string[] {
  const file = path.join(root, 'SHA256SUMS');
  if (!fs.existsSync(file)) return ['SHA256SUMS is missing'];
  const bad: string[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!m) continue;
    const target = path.join(root, m[2]!);
    if (!fs.existsSync(target)) bad.push(`${m[2]}: missing`);
    else if (sha256(fs.readFileSync(target)) !== m[1]) bad.push(`${m[2]}: checksum differs`);
  }
  return bad;
}
