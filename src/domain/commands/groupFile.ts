import fsp from 'node:fs/promises';
import { deleteGroupFiles, findGroupFilesByIds, type GroupFileRow, insertGroupFile } from '../../db/repositories/groupFile.js';
import { invalidParameter } from '../../errors.js';
import type { SpooledFile } from '../../http/uploads.js';
import { authorOf } from '../actor.js';
import { recordChange } from '../events.js';
import { sniffImage } from '../media.js';
import type { Write } from './shared.js';

const MAX_NAME = 255;

/** A file name as shown and offered for download: no directories, no control characters. */
export function cleanFileName(name: string): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_NAME);
  return clean || 'file';
}

const EXTENSION = /\.([A-Za-z0-9]{1,10})$/;

/** The media store key of a group file: its id and the uploaded name's extension. */
export function groupFileKey(id: string, filename: string): string {
  const ext = EXTENSION.exec(cleanFileName(filename))?.[1].toLowerCase();
  return ext ? `${id}.${ext}` : id;
}

/**
 * The type a file is served with: an image type only when its first bytes say so (a file
 * declared as an image that is none is served as bytes); otherwise the declared type.
 */
async function fileType(file: SpooledFile): Promise<string> {
  const handle = await fsp.open(file.path, 'r');
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, 16, 0);
    const image = sniffImage(head.subarray(0, bytesRead));
    if (image) return image.mime;
  } finally {
    await handle.close();
  }
  const declared = file.mimetype.toLowerCase();
  if (!/^[\w.+-]+\/[\w.+-]+$/.test(declared) || declared.startsWith('image/')) return 'application/octet-stream';
  return declared;
}

/**
 * Stores an uploaded group file (POST /group_file_revisions). The bytes go to the media store
 * first; if the transaction then fails, the caller removes them (see `groupFileUpload`).
 */
export async function groupFileUploader({ ctx, actor, trx }: Write, input: { id: string; file: SpooledFile }): Promise<GroupFileRow> {
  if (input.file.size === 0) throw invalidParameter('The uploaded file is empty');
  const owner = authorOf(actor);
  const name = cleanFileName(input.file.filename);
  const key = groupFileKey(input.id, input.file.filename);
  const mime = await fileType(input.file);
  await ctx.media.putFile(key, input.file.path, mime);
  const now = ctx.clock.now();
  const row: GroupFileRow = {
    id: input.id,
    owner_id: owner.id,
    owner_type: owner.type,
    group_id: null,
    post_id: null,
    name,
    file_name: key,
    mime_type: mime,
    size: input.file.size,
    created_time: now,
    updated_time: now,
  };
  await insertGroupFile(trx, row);
  await recordChange(trx, ctx, actor, { action: 'group_file.uploaded', target: { type: 'group_file', id: row.id }, new: { name, size: row.size, mime_type: mime } });
  return row;
}

/** Runs an upload's write (transaction included); when it fails, the bytes already in the store are removed again. */
export async function groupFileUpload<T>(ctx: Write['ctx'], input: { id: string; file: SpooledFile }, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    await ctx.media.delete(groupFileKey(input.id, input.file.filename)).catch(() => undefined);
    throw error;
  }
}

/** The files a new post names in `files=`: the author's own uploads, not yet attached to a post. */
export async function claimGroupFiles(trx: Write['trx'], ownerId: string, fileIds: readonly string[]): Promise<GroupFileRow[]> {
  const unique = [...new Set(fileIds)];
  const rows = await findGroupFilesByIds(trx, unique);
  return unique.map((id) => {
    const row = rows.find((r) => r.id === id);
    if (!row || row.owner_id !== ownerId || row.post_id !== null) throw invalidParameter(`Unknown file ${id} in files (upload it with POST /group_file_revisions; each file goes in one post)`);
    return row;
  });
}

/** Deletes a group file: its row now, its stored bytes once committed. The post stays. */
export async function groupFileDeleter({ ctx, actor, trx }: Write, file: GroupFileRow): Promise<void> {
  await deleteGroupFiles(trx, [file.id], ctx.clock.now());
  await recordChange(trx, ctx, actor, {
    action: 'group_file.deleted',
    target: { type: 'group_file', id: file.id },
    old: { name: file.name, size: file.size, group_id: file.group_id, post_id: file.post_id },
  });
}
