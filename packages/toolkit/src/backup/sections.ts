import fs from 'node:fs';
import path from 'node:path';
import { eachLimited } from '../limits.js';
import type { Progress } from '../progress.js';
import { jsonLines, readJsonLines, sha256, writeAtomic } from './files.js';

// What every section of a group backup shares: fingerprints, the incremental resumable sync of
// one listing, and media downloads kept by checksum.

export interface SectionOptions {
  concurrency: number;
  progress: Progress;
}

/** Cheap fields from a listing that change when the object does (compared as a whole). */
export type Fingerprint = Record<string, string | number | undefined>;

export const sameFingerprint = (a: Fingerprint, b: Fingerprint) => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
};

export async function optional<T>(work: () => Promise<T[]>, log: (line: string) => void, what: string): Promise<T[]> {
  try {
    return await work();
  } catch (error) {
    log(`note: ${what} not backed up: ${(error as Error).message}`);
    return [];
  }
}

export interface Synced<R> {
  records: R[];
  fetched: number;
  unchanged: number;
  removed: number;
}

/**
 * One incremental, resumable section of a group (posts, events): what the listing shows with the
 * fingerprint it had last time is kept; the rest is fetched and appended to NAME.partial.jsonl as
 * it arrives, so a crashed run reuses it. Writes NAME.jsonl in listing order. `intact` may refuse
 * a kept record (its downloaded bytes are missing or differ), so it is fetched again.
 */
export async function syncSection<R extends { id: string; fingerprint: Fingerprint }>(
  dir: string,
  name: string,
  listing: Record<string, unknown>[],
  fingerprintOf: (item: Record<string, unknown>) => Fingerprint,
  fetch: (id: string, fingerprint: Fingerprint) => Promise<R>,
  options: SectionOptions,
  label: string,
  intact: (record: R) => boolean = () => true,
): Promise<Synced<R>> {
  const previous = new Map(readJsonLines<R>(path.join(dir, `${name}.jsonl`)).map((p) => [p.id, p]));
  const partialFile = path.join(dir, `${name}.partial.jsonl`);
  const partial = new Map(readJsonLines<R>(partialFile).map((p) => [p.id, p]));
  const result: Synced<R> = { records: [], fetched: 0, unchanged: 0, removed: 0 };
  const current = new Map<string, R>();
  const todo: { id: string; fingerprint: Fingerprint }[] = [];
  for (const item of listing) {
    const id = String(item.id);
    const fingerprint = fingerprintOf(item);
    const known = partial.get(id) ?? previous.get(id);
    if (known && sameFingerprint(known.fingerprint, fingerprint) && intact(known)) {
      current.set(id, known);
      result.unchanged++;
    } else todo.push({ id, fingerprint });
  }
  const listed = new Set(listing.map((l) => String(l.id)));
  result.removed = [...previous.keys()].filter((id) => !listed.has(id)).length;
  options.progress.start(todo.length, label);
  const append = fs.openSync(partialFile, 'a');
  try {
    await eachLimited(todo, options.concurrency, async ({ id, fingerprint }) => {
      const record = await fetch(id, fingerprint);
      fs.writeSync(append, JSON.stringify(record) + '\n');
      current.set(id, record);
      result.fetched++;
      options.progress.increment();
    });
  } finally {
    fs.closeSync(append);
    options.progress.stop();
  }
  result.records = listing.map((l) => current.get(String(l.id))!).filter(Boolean);
  writeAtomic(path.join(dir, `${name}.jsonl`), jsonLines(result.records));
  return result;
}

export function mediaUrl(photo: Record<string, unknown>): string | undefined {
  const images = photo.images as { source?: string; width?: number }[] | undefined;
  const best = images?.slice().sort((a, b) => (b.width ?? 0) - (a.width ?? 0))[0]?.source;
  return best ?? (typeof photo.picture === 'string' ? photo.picture : undefined);
}

export async function download(url: string, token: string | undefined, graphRoot: string): Promise<Uint8Array> {
  const sameServer = new URL(url).origin === new URL(graphRoot).origin;
  const response = await fetch(url, { headers: sameServer && token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw new Error(`GET ${url.split('?')[0]} answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The extension of a URL's last path segment (lower case), or `bin`. */
export function extension(url: string): string {
  const last = new URL(url, 'http://x').pathname.split('/').pop() ?? '';
  return /\.([a-z0-9]{1,8})$/i.exec(last)?.[1]?.toLowerCase() ?? 'bin';
}

/** A downloaded file as a backup records it: its path inside the group folder and its SHA-256. */
export interface Kept {
  file?: string;
  sha256?: string;
}

/** Whether a recorded download is still on disk with its recorded checksum. */
export function keptIntact(dir: string, kept: Kept): boolean {
  return Boolean(kept.file && kept.sha256 && fs.existsSync(path.join(dir, kept.file)) && sha256(fs.readFileSync(path.join(dir, kept.file))) === kept.sha256);
}

/**
 * Downloads URL into DIR/media/NAME (NAME without an extension gets the URL's); answers the path
 * and checksum, or nothing (with a note) when the download fails, so the record says so.
 */
export async function keepMedia(dir: string, name: string, url: string | undefined, auth: { token?: string; root: string }, log: (line: string) => void, what: string): Promise<Kept> {
  if (!url) return {};
  try {
    const bytes = await download(url, auth.token, auth.root);
    const file = `media/${/\.[a-z0-9]{1,8}$/i.test(name) ? name : `${name}.${extension(url)}`}`;
    writeAtomic(path.join(dir, file), bytes);
    return { file, sha256: sha256(bytes) };
  } catch (error) {
    log(`note: ${what} not downloaded: ${(error as Error).message}`);
    return {};
  }
}
