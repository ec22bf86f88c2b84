import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { deleteMediaBlob, findMediaBlob, putMediaBlob } from '../db/repositories/mediaBlob.js';

/** A stored file as served: a stream or the bytes, and its size (of the whole file, also for a range). */
export interface StoredFile {
  body: Readable | Buffer;
  size: number;
}

/** Bytes `start` to `end` of a file, both inclusive (an HTTP Range). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where uploaded files (photos, chat files, profile pictures) are kept, by file name. Every
 * backend is served through the same signed `/media/…` and `/chat-files/…` URLs, so a link
 * does not depend on where the bytes are.
 */
export interface MediaStore {
  /** Where this store keeps files, for messages (`data directory /x`, `database`, `s3://b/p`). */
  readonly describe: string;
  put(key: string, data: Buffer, mimeType: string | null): Promise<void>;
  /** Stores a file spooled to local disk, streaming it where the backend can; the local file may be moved away. */
  putFile(key: string, localPath: string, mimeType: string | null): Promise<void>;
  /** The file, or only `range` of it (the range must lie within the file). */
  get(key: string, range?: ByteRange): Promise<StoredFile | undefined>;
  delete(key: string): Promise<void>;
}

/** A key as a plain file name (no directories, no dot files), or an error. */
export const safeKey = (key: string) => {
  const base = path.basename(key);
  if (!base || base !== key || base.startsWith('.')) throw new Error(`bad media key ${JSON.stringify(key)}`);
  return base;
};

/** Files in a directory (the default: `media/` in the data directory). */
export class DirectoryStore implements MediaStore {
  readonly describe: string;
  constructor(private readonly dir: string) {
    this.describe = `directory ${dir}`;
  }
  async put(key: string, data: Buffer): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    // Written under a temporary name and renamed, so a reader never sees half a file.
    const file = path.join(this.dir, safeKey(key));
    const temporary = `${file}.${process.pid}.tmp`;
    await fsp.writeFile(temporary, data);
    await fsp.rename(temporary, file);
  }
  async putFile(key: string, localPath: string): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, safeKey(key));
    const temporary = `${file}.${process.pid}.tmp`;
    // A rename when the spool and the store share a file system; a copy otherwise.
    await fsp.rename(localPath, temporary).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EXDEV') throw error;
      await fsp.copyFile(localPath, temporary);
    });
    await fsp.rename(temporary, file);
  }
  async get(key: string, range?: ByteRange): Promise<StoredFile | undefined> {
    const file = path.join(this.dir, safeKey(key));
    const stat = await fsp.stat(file).catch(() => undefined);
    if (!stat?.isFile()) return undefined;
    return { body: fs.createReadStream(file, range ? { start: range.start, end: range.end } : {}), size: stat.size };
  }
  async delete(key: string): Promise<void> {
    await fsp.rm(path.join(this.dir, safeKey(key)), { force: true });
  }
}

/** Files in the database (`media_blob`): several hosts share them with nothing else to run. */
export class DatabaseStore implements MediaStore {
  readonly describe = 'database';
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}
  async put(key: string, data: Buffer, mimeType: string | null): Promise<void> {
    await putMediaBlob(this.db, safeKey(key), data, mimeType, this.now());
  }
  async putFile(key: string, localPath: string, mimeType: string | null): Promise<void> {
    // A database column takes the value whole: the bytes are read from disk only here.
    await this.put(key, await fsp.readFile(localPath), mimeType);
  }
  async get(key: string, range?: ByteRange): Promise<StoredFile | undefined> {
    const blob = await findMediaBlob(this.db, safeKey(key));
    return blob ? { body: range ? blob.data.subarray(range.start, range.end + 1) : blob.data, size: blob.size } : undefined;
  }
  async delete(key: string): Promise<void> {
    await deleteMediaBlob(this.db, safeKey(key));
  }
}

/** The directory media live in by default. */
export function mediaDir(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'media');
}

/**
 * Opens the store a media URL names: unset or `directory` for the data directory, `file:///dir`,
 * `database` (or `postgres`/`sqlite`: the server's own database), or `s3://bucket/prefix`.
 */
export async function openMediaStore(url: string | undefined, options: { config: Pick<Config, 'dataDir'>; db: Db; now: () => number }): Promise<MediaStore> {
  const value = (url ?? '').trim();
  if (!value || value === 'directory') return new DirectoryStore(mediaDir(options.config));
  if (value === 'database' || value === 'postgres' || value === 'sqlite') return new DatabaseStore(options.db, options.now);
  if (value.startsWith('file://')) return new DirectoryStore(new URL(value).pathname);
  if (value.startsWith('s3://')) {
    const { S3Store } = await import('./s3Store.js');
    return S3Store.fromUrl(value);
  }
  throw new Error(`COMMONPLACE_MEDIA_URL must be unset, "directory", "database", file:///dir or s3://bucket/prefix, got "${value}"`);
}
