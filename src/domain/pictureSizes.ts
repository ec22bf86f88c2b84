import type { Readable } from 'node:stream';
import type { MediaStore, StoredFile } from '../media/store.js';

/** Sides a resized picture may have; a request is rounded up to the next one (few files, cacheable). */
export const PICTURE_SIDES = [32, 50, 64, 100, 128, 200, 256, 320, 480, 512] as const;

/** The stored side that serves a requested width × height (a square covering both). */
export function pictureSide(width: number | undefined, height: number | undefined): number | undefined {
  const want = Math.max(width ?? 0, height ?? 0);
  if (!want) return undefined;
  return PICTURE_SIDES.find((s) => s >= want) ?? PICTURE_SIDES[PICTURE_SIDES.length - 1];
}

/** The media-store key of a picture's copy `side` pixels wide. */
export const resizedKey = (fileName: string, side: number) => `s${side}_${fileName}`;

async function bytesOf(file: StoredFile): Promise<Buffer> {
  if (Buffer.isBuffer(file.body)) return file.body;
  const chunks: Buffer[] = [];
  for await (const chunk of file.body as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A square copy of a stored picture `side` pixels wide (never larger than the original), made
 * with sharp on first request and kept in the same media store beside it, so every process and
 * every store backend serves it. Returns its key and real size, or undefined when the original
 * is gone.
 */
export async function resizedPicture(store: MediaStore, fileName: string, side: number): Promise<{ key: string; width: number; height: number } | undefined> {
  const sharp = (await import('sharp')).default;
  const key = resizedKey(fileName, side);
  const existing = await store.get(key);
  if (existing) {
    const meta = await sharp(await bytesOf(existing)).metadata();
    return { key, width: meta.width ?? side, height: meta.height ?? side };
  }
  const source = await store.get(fileName);
  if (!source) return undefined;
  const { data, info } = await sharp(await bytesOf(source))
    .resize(side, side, { fit: 'cover', position: 'centre', withoutEnlargement: true })
    .toBuffer({ resolveWithObject: true });
  await store.put(key, data, `image/${info.format}`);
  return { key, width: info.width, height: info.height };
}
