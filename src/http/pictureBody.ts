import { invalidParameter } from '../errors.js';

type Body = Record<string, unknown>;

/** Bodies that carry a picture (base64 inflates by a third) may be this large. */
export const PICTURE_BODY_LIMIT = 16 * 1024 * 1024;

/** `picture`: a `data:image/…;base64,…` URL or bare base64; undefined when absent. */
export function pictureParam(b: Body): Buffer | undefined {
  const v = b.picture;
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw invalidParameter('picture must be a data: URL or base64 text');
  const base64 = v.startsWith('data:') ? v.slice(v.indexOf(',') + 1) : v;
  if (!/^[A-Za-z0-9+/=\s]+$/.test(base64)) throw invalidParameter('picture must be base64-encoded');
  return Buffer.from(base64, 'base64');
}

/** The `picture` a picture write must carry, as an upload. */
export function requiredPicture(b: Body): { data: Buffer } {
  const data = pictureParam(b);
  if (!data) throw invalidParameter('picture (the image as a data: URL or base64) is required');
  return { data };
}
