import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { mediaDir } from './media.js';

/** Sides a resized picture may have; a request is rounded up to the next one (few files, cacheable). */
export const PICTURE_SIDES = [32, 50, 64, 100, 128, 200, 256, 320, 480, 512] as const;

/** The stored side that serves a requested width × height (a square covering both). */
export function pictureSide(width: number | undefined, height: number | undefined): number | undefined {
  const want = Math.max(width ?? 0, height ?? 0);
  if (!want) return undefined;
  return PICTURE_SIDES.find((s) => s >= want) ?? PICTURE_SIDES[PICTURE_SIDES.length - 1];
}

/**
 * A square copy of a stored picture `side` pixels wide (never larger than the original), made
 * with sharp on first request and kept beside it. Returns its file and real size.
 */
export async function resizedPicture(config: Pick<Config, 'dataDir'>, fileName: string, side: number): Promise<{ file: string; width: number; height: number }> {
  const sharp = (await import('sharp')).default;
  const source = path.join(mediaDir(config), path.basename(fileName));
  const dir = path.join(mediaDir(config), 'sized');
  const file = path.join(dir, `${side}_${path.basename(fileName)}`);
  try {
    const meta = await sharp(file).metadata();
    return { file, width: meta.width ?? side, height: meta.height ?? side };
  } catch {
    await fs.mkdir(dir, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    const info = await sharp(source).resize(side, side, { fit: 'cover', position: 'centre', withoutEnlargement: true }).toFile(partial);
    await fs.rename(partial, file);
    return { file, width: info.width, height: info.height };
  }
}
