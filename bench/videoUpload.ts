// A large video through Graph's resumable upload (issue 9): start, transfer in the chunks the
// server asks for, finish; then the file is read back and compared. Reports the time, the
// throughput and the server process's peak resident memory (VmHWM), which stays near its idle
// size because chunks are spooled to disk and stored as they arrive, never held whole.
//   node --import tsx bench/videoUpload.ts [--mib 200] [--db sqlite|postgres] [--pg-url postgres://…]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { cleanup, memoryOf, ROOT, startCommonplace, stop, tempDir } from './server.js';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const MIB = Number(arg('mib', '200'));
const DB = arg('db', 'sqlite');
const PG = arg('pg-url', 'postgres://postgres@127.0.0.1:5432/test');

/** Deterministic bytes of an MP4-looking file, made a chunk at a time (the client holds one chunk). */
function bytesAt(offset: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = ((offset + i) * 31) % 251;
  if (offset === 0) {
    b.writeUInt32BE(24, 0);
    b.write('ftypisom', 4, 'latin1');
  }
  return b;
}

async function main() {
  const dataDir = tempDir('video');
  const databaseUrl = DB === 'postgres' ? PG : undefined;
  const env = { ...process.env, COMMONPLACE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
  const cli = (args: string[]) => execFileSync(process.execPath, [path.join(ROOT, 'bin', 'commonplace.mjs'), ...args], { env, encoding: 'utf8' });
  const proc = await startCommonplace('commonplace', { dataDir, databaseUrl, env: { COMMONPLACE_VIDEO_MAX_BYTES: String((MIB + 1) * 1024 * 1024) } });
  const { access_token: token } = JSON.parse(cli(['integration', 'create', '--name', 'Bench', '--permission', 'read_group', '--permission', 'write_group', '--permission', 'manage_group', '--json']));
  const graph = `${proc.url}/graph`;
  const call = async (method: string, url: string, body?: FormData | URLSearchParams) => {
    const r = await fetch(url, { method, headers: { authorization: `Bearer ${token}` }, body });
    const json = await r.json();
    if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
  const group = (await call('POST', `${graph}/community/groups`, new URLSearchParams({ name: 'Bench videos', privacy: 'OPEN' }))).id;
  const idle = memoryOf(proc.pid);
  const size = MIB * 1024 * 1024;
  const sent = createHash('sha256');
  const started = performance.now();
  let offsets = await call('POST', `${graph}/${group}/videos`, new URLSearchParams({ upload_phase: 'start', file_size: String(size) }));
  const session = offsets.upload_session_id;
  let chunks = 0;
  while (offsets.start_offset !== offsets.end_offset) {
    const from = Number(offsets.start_offset);
    const chunk = bytesAt(from, Number(offsets.end_offset) - from);
    sent.update(chunk);
    const form = new FormData();
    form.append('upload_phase', 'transfer');
    form.append('upload_session_id', session);
    form.append('start_offset', String(from));
    form.append('video_file_chunk', new Blob([new Uint8Array(chunk)]), 'chunk');
    offsets = await call('POST', `${graph}/${group}/videos`, form);
    chunks++;
  }
  await call('POST', `${graph}/${group}/videos`, new URLSearchParams({ upload_phase: 'finish', upload_session_id: session, title: 'Bench video' }));
  const seconds = (performance.now() - started) / 1000;
  const after = memoryOf(proc.pid);
  const list = await call('GET', `${graph}/${group}/videos?fields=id,source`);
  const source = list.data[0].source as string;
  const received = createHash('sha256');
  let length = 0;
  for await (const part of (await fetch(source)).body as unknown as AsyncIterable<Uint8Array>) {
    received.update(part);
    length += part.length;
  }
  const same = length === size && received.digest('hex') === sent.digest('hex');
  console.log(`| ${MIB} MiB | ${DB} | ${chunks} × 8 MiB | ${seconds.toFixed(1)} s | ${(MIB / seconds).toFixed(1)} MiB/s | ${idle.peakMiB?.toFixed(0)} MiB | ${after.peakMiB?.toFixed(0)} MiB | ${same ? 'yes' : 'NO'} |`);
  await stop(proc);
  if (!same) process.exitCode = 1;
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
