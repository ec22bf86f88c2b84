import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main, type Io } from '../src/cli.ts';

/** Runs the toolkit's command line in-process; collects stdout and stderr. */
export async function toolkit(args: string[], options: { base: string; token: string; wait?: Io['wait']; env?: NodeJS.ProcessEnv }): Promise<{ code: number; out: string; err: string; json: any }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'commonplace-toolkit', '--base-url', options.base, '--token', options.token, ...args], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: options.env ?? {},
    wait: options.wait,
  });
  const text = out.join('\n');
  let json: unknown;
  try {
    json = JSON.parse(out[out.length - 1] ?? '');
  } catch {
    json = undefined;
  }
  return { code, out: text, err: err.join('\n'), json };
}

export function tempDir(prefix = 'cp-toolkit-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes a CSV file from rows (values quoted when needed). */
export function writeCsv(file: string, header: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  fs.writeFileSync(file, [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n');
  return file;
}
