import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type { Config, UploadLimits } from '../config.js';
import { AppError } from '../errors.js';

/** An uploaded file spooled to local disk as it arrived (never held whole in memory). */
export interface SpooledFile {
  spooled: true;
  filename: string;
  mimetype: string;
  /** The local file; removed when the response has been sent, unless a store moved it away. */
  path: string;
  size: number;
}

export function isSpooledFile(value: unknown): value is SpooledFile {
  return typeof value === 'object' && value !== null && (value as SpooledFile).spooled === true && typeof (value as SpooledFile).path === 'string';
}

/** The kind of upload a request carries, by its path: what limit applies and whether it is spooled. */
export type UploadKind = keyof UploadLimits;

const KIND_NAMES: Record<UploadKind, string> = { photo: 'A photo or picture', file: 'A group file', video: 'A video' };

// Paths whose uploads may be large: spooled to disk. Every other upload is small and buffered.
const SPOOLED: { kind: UploadKind; test: RegExp }[] = [
  { kind: 'file', test: /^\/graph(?:\/v\d+(?:\.\d+)?)?\/+group_file_revisions\/*(?:\?|$)/i },
  { kind: 'file', test: /^\/api\/groups\/\d+\/files\/*(?:\?|$)/ },
  { kind: 'video', test: /^\/api\/groups\/\d+\/videos\/*(?:\?|$)/ },
  { kind: 'video', test: /^\/graph(?:\/v\d+(?:\.\d+)?)?\/+\d+\/+videos\/*(?:\?|$)/i },
];

export function uploadKindOf(url: string): UploadKind {
  return SPOOLED.find((s) => s.test.test(url))?.kind ?? 'photo';
}

/** The largest file any route accepts (the multipart parser's own hard stop). */
export function largestUpload(limits: UploadLimits): number {
  return Math.max(...Object.values(limits));
}

function tooLarge(kind: UploadKind, limit: number): AppError {
  const mib = limit >= 1024 * 1024 ? `${Math.round((limit / 1024 / 1024) * 10) / 10} MiB (${limit} bytes)` : `${limit} bytes`;
  return new AppError('payload_too_large', `(#100) ${KIND_NAMES[kind]} has at most ${mib}; this upload is larger`);
}

/** Counts bytes as they pass; past the limit it keeps draining (so the client hears the answer) and fails at the end. */
async function* limited(stream: AsyncIterable<Buffer>, limit: number, over: () => void) {
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > limit) {
      over();
      continue;
    }
    yield chunk;
  }
}

const spoolsOf = new WeakMap<FastifyRequest, string[]>();

/** Writes one multipart file part to the spool directory, within the kind's limit. */
export async function spoolPart(request: FastifyRequest, config: Pick<Config, 'dataDir'>, part: { file: Readable; filename?: string; mimetype?: string }, kind: UploadKind, limit: number): Promise<SpooledFile> {
  const dir = path.join(config.dataDir, 'uploads');
  await fsp.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${Date.now()}-${randomBytes(8).toString('hex')}.part`);
  const spools = spoolsOf.get(request) ?? [];
  spools.push(file);
  spoolsOf.set(request, spools);
  let exceeded = false;
  let size = 0;
  try {
    await pipeline(
      limited(part.file, limit, () => (exceeded = true)),
      async function* (chunks) {
        for await (const chunk of chunks) {
          size += (chunk as Buffer).length;
          yield chunk;
        }
      },
      fs.createWriteStream(file),
    );
    if (exceeded || (part.file as Readable & { truncated?: boolean }).truncated) throw tooLarge(kind, limit);
  } catch (error) {
    await fsp.rm(file, { force: true });
    throw error;
  }
  return { spooled: true, filename: part.filename || 'upload', mimetype: part.mimetype || 'application/octet-stream', path: file, size };
}

/** Reads one small multipart file part into memory, within the kind's limit. */
export async function bufferPart(part: { file: Readable }, kind: UploadKind, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let exceeded = false;
  for await (const chunk of limited(part.file, limit, () => (exceeded = true))) chunks.push(chunk);
  if (exceeded || (part.file as Readable & { truncated?: boolean }).truncated) throw tooLarge(kind, limit);
  return Buffer.concat(chunks);
}

/** Removes what a request spooled and nothing took (called once the response is sent). */
export async function removeSpools(request: FastifyRequest): Promise<void> {
  const spools = spoolsOf.get(request);
  if (!spools) return;
  spoolsOf.delete(request);
  await Promise.all(spools.map((file) => fsp.rm(file, { force: true })));
}
