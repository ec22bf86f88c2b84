import type { MediaStore } from '../media/store.js';

/** Largest accepted upload. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

const SIGNATURES: { mime: string; ext: string; test: (b: Buffer) => boolean }[] = [
  { mime: 'image/jpeg', ext: 'jpg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: 'image/png', ext: 'png', test: (b) => b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { mime: 'image/gif', ext: 'gif', test: (b) => b.length > 6 && /^GIF8[79]a$/.test(b.subarray(0, 6).toString('latin1')) },
  { mime: 'image/webp', ext: 'webp', test: (b) => b.length > 12 && b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

/** The image type of a file by its first bytes (never by the name or the declared type). */
export function sniffImage(data: Buffer): { mime: string; ext: string } | undefined {
  return SIGNATURES.find((s) => s.test(data));
}

/** Stores an uploaded file under a name made of its id; returns the stored file name. */
export async function storeMediaFile(store: MediaStore, id: string, ext: string, data: Buffer, mimeType: string | null): Promise<string> {
  const fileName = `${id}.${ext}`;
  await store.put(fileName, data, mimeType);
  return fileName;
}
