import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { GroupRow } from '../../db/repositories/group.js';
import {
  advanceVideoUpload,
  chunkKey,
  closeVideoUpload,
  deleteVideos,
  insertVideo,
  insertVideoUpload,
  updateVideo,
  type VideoRow,
  type VideoUploadRow,
} from '../../db/repositories/video.js';
import { deletePostsCascade } from '../../db/repositories/post.js';
import { invalidParameter } from '../../errors.js';
import type { SpooledFile } from '../../http/uploads.js';
import { newId } from '../../ids.js';
import { authorOf } from '../actor.js';
import { recordChange } from '../events.js';
import { postCreator } from './post.js';
import type { Write } from './shared.js';

/** Bytes the server asks for per chunk of a resumable upload (each transfer's end_offset − start_offset). */
export const VIDEO_CHUNK_BYTES = 8 * 1024 * 1024;
const MAX_TEXT = 5000;

const VIDEO_TYPES: { mime: string; ext: string; test: (b: Buffer) => boolean }[] = [
  { mime: 'video/quicktime', ext: 'mov', test: (b) => b.length >= 12 && b.subarray(4, 8).toString('latin1') === 'ftyp' && b.subarray(8, 12).toString('latin1') === 'qt  ' },
  { mime: 'video/mp4', ext: 'mp4', test: (b) => b.length >= 8 && b.subarray(4, 8).toString('latin1') === 'ftyp' },
  { mime: 'video/webm', ext: 'webm', test: (b) => b.length >= 4 && b.readUInt32BE(0) === 0x1a45dfa3 },
  { mime: 'video/ogg', ext: 'ogv', test: (b) => b.length >= 4 && b.subarray(0, 4).toString('latin1') === 'OggS' },
];

/** The video type of a local file by its first bytes, or an error Graph-style. */
async function sniffVideo(file: string): Promise<{ mime: string; ext: string }> {
  const handle = await fsp.open(file, 'r');
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, 16, 0);
    const kind = VIDEO_TYPES.find((t) => t.test(head.subarray(0, bytesRead)));
    if (!kind) throw invalidParameter('The file is not a video this server can store (MP4, QuickTime, WebM or Ogg)');
    return kind;
  } finally {
    await handle.close();
  }
}

function checkText(name: string, value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (value.length > MAX_TEXT) throw invalidParameter(`${name} has at most ${MAX_TEXT} characters`);
  return value;
}

export interface VideoInput {
  fileUrl?: string;
  file?: SpooledFile;
  title?: string;
  description?: string;
}

/** The store key of a video's file. */
export const videoKey = (id: string, ext: string) => `${id}.${ext}`;

/** Every key a video's file may have (its extension comes from its first bytes), for clean-up after a failed write. */
export const videoKeys = (id: string) => [...new Set(VIDEO_TYPES.map((t) => videoKey(id, t.ext)))];

/** Writes the post that shows a ready video, and links the two. */
async function publishVideo(w: Write, group: GroupRow, video: VideoRow): Promise<VideoRow> {
  const post = await postCreator(w, { feedId: group.id, feedType: 'group', message: video.description ?? video.title ?? undefined, type: 'video', allowDuplicate: true });
  const now = w.ctx.clock.now();
  await updateVideo(w.trx, video.id, { post_id: post.id, status: 'ready', updated_time: now });
  return { ...video, post_id: post.id, status: 'ready', updated_time: now };
}

/**
 * POST /{group}/videos with `file_url` (kept as given) or an uploaded `source`, answered at once.
 * An upload's bytes go to the media store before the rows; the caller removes them if the write fails.
 */
export async function videoCreator(w: Write, group: GroupRow, input: VideoInput & { id: string }): Promise<VideoRow> {
  if (!input.fileUrl && !input.file) throw invalidParameter('A video needs a file_url or an uploaded source file');
  if (input.fileUrl && !/^https?:\/\/\S+$/i.test(input.fileUrl)) throw invalidParameter('file_url must be an http(s) URL');
  const owner = authorOf(w.actor);
  let stored: { key: string; mime: string; size: number } | null = null;
  if (input.file) {
    if (input.file.size === 0) throw invalidParameter('The uploaded file is empty');
    const kind = await sniffVideo(input.file.path);
    stored = { key: videoKey(input.id, kind.ext), mime: kind.mime, size: input.file.size };
    await w.ctx.media.putFile(stored.key, input.file.path, kind.mime);
  }
  const now = w.ctx.clock.now();
  const row: VideoRow = {
    id: input.id,
    owner_id: owner.id,
    owner_type: owner.type,
    group_id: group.id,
    post_id: null,
    title: checkText('title', input.title),
    description: checkText('description', input.description),
    source_url: stored ? null : input.fileUrl!,
    file_name: stored?.key ?? null,
    mime_type: stored?.mime ?? null,
    size: stored?.size ?? null,
    status: 'uploading',
    created_time: now,
    updated_time: now,
  };
  await insertVideo(w.trx, row);
  return publishVideo(w, group, row);
}

/** upload_phase=start: a video waiting for its bytes and the session that receives them. */
export async function videoUploadStarter(w: Write, group: GroupRow, input: { fileSize: number; limit: number }): Promise<{ video: VideoRow; upload: VideoUploadRow }> {
  if (!Number.isSafeInteger(input.fileSize) || input.fileSize <= 0) throw invalidParameter('file_size must be the video\'s size in bytes');
  if (input.fileSize > input.limit) throw invalidParameter(`A video has at most ${input.limit} bytes; file_size is ${input.fileSize}`);
  const owner = authorOf(w.actor);
  const now = w.ctx.clock.now();
  const video: VideoRow = {
    id: newId(),
    owner_id: owner.id,
    owner_type: owner.type,
    group_id: group.id,
    post_id: null,
    title: null,
    description: null,
    source_url: null,
    file_name: null,
    mime_type: null,
    size: input.fileSize,
    status: 'uploading',
    created_time: now,
    updated_time: now,
  };
  await insertVideo(w.trx, video);
  const upload: VideoUploadRow = { id: newId(), video_id: video.id, owner_id: owner.id, file_size: input.fileSize, received: 0, chunks: 0, created_time: now, updated_time: now };
  await insertVideoUpload(w.trx, upload);
  await recordChange(w.trx, w.ctx, w.actor, { action: 'video.upload_started', target: { type: 'video', id: video.id }, new: { file_size: input.fileSize, group_id: group.id } });
  return { video, upload };
}

/** The offsets Graph answers after each phase: where the next chunk starts and ends. */
export function nextOffsets(upload: Pick<VideoUploadRow, 'received' | 'file_size'>): { start_offset: string; end_offset: string } {
  return { start_offset: String(upload.received), end_offset: String(Math.min(upload.file_size, upload.received + VIDEO_CHUNK_BYTES)) };
}

/**
 * upload_phase=transfer: stores one chunk at `start_offset` (which must be where the upload
 * stands: a repeated or skipped chunk is refused). Chunks live in the media store, so an
 * upload survives a restart and continues on any server process.
 */
export async function videoChunkReceiver(w: Write, upload: VideoUploadRow, input: { startOffset: number; chunk: SpooledFile }): Promise<VideoUploadRow> {
  if (input.startOffset !== upload.received) throw invalidParameter(`start_offset must be ${upload.received}, where this upload stands`);
  if (input.chunk.size === 0) throw invalidParameter('video_file_chunk is empty');
  const end = upload.received + input.chunk.size;
  if (end > upload.file_size) throw invalidParameter(`The chunk goes past file_size (${upload.file_size} bytes)`);
  const key = chunkKey(upload.id, upload.chunks);
  await w.ctx.media.putFile(key, input.chunk.path, 'application/octet-stream');
  if (!(await advanceVideoUpload(w.trx, upload.id, upload.received, end, upload.chunks, w.ctx.clock.now()))) {
    throw invalidParameter('Another chunk was stored at this start_offset; ask again for the upload\'s offsets');
  }
  return { ...upload, received: end, chunks: upload.chunks + 1 };
}

/** Joins an upload's chunks into one local file, streaming each from the media store. */
export async function assembleChunks(w: Pick<Write, 'ctx'>, upload: VideoUploadRow): Promise<string> {
  const dir = path.join(w.ctx.config.dataDir, 'uploads');
  await fsp.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${upload.id}.assembled`);
  const out = fs.createWriteStream(file);
  try {
    for (let n = 0; n < upload.chunks; n++) {
      const stored = await w.ctx.media.get(chunkKey(upload.id, n));
      if (!stored) throw invalidParameter(`Chunk ${n} of this upload is missing; start the upload again`);
      if (Buffer.isBuffer(stored.body)) await new Promise<void>((resolve, reject) => out.write(stored.body, (e) => (e ? reject(e) : resolve())));
      else await pipeline(stored.body as Readable, out, { end: false });
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    return file;
  } catch (error) {
    out.destroy();
    await fsp.rm(file, { force: true });
    throw error;
  }
}

/** upload_phase=finish: the assembled file becomes the video, published in its group's feed. */
export async function videoUploadFinisher(w: Write, group: GroupRow, upload: VideoUploadRow, video: VideoRow, input: { file: string; title?: string; description?: string }): Promise<VideoRow> {
  const kind = await sniffVideo(input.file);
  const key = videoKey(video.id, kind.ext);
  await w.ctx.media.putFile(key, input.file, kind.mime);
  const changes = { file_name: key, mime_type: kind.mime, size: upload.file_size, title: checkText('title', input.title), description: checkText('description', input.description) };
  await updateVideo(w.trx, video.id, changes);
  await closeVideoUpload(w.trx, upload, w.ctx.clock.now());
  return publishVideo(w, group, { ...video, ...changes });
}

/** Deletes a video: its post (with comments), its row, and once committed its stored bytes. */
export async function videoDeleter({ ctx, actor, trx }: Write, video: VideoRow): Promise<void> {
  if (video.post_id) await deletePostsCascade(trx, [video.post_id]);
  await deleteVideos(trx, [video.id], ctx.clock.now());
  await recordChange(trx, ctx, actor, { action: 'video.deleted', target: { type: 'video', id: video.id }, old: { title: video.title, group_id: video.group_id, post_id: video.post_id } });
}
