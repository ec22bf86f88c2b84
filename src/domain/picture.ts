import { invalidParameter } from '../errors.js';
import { MAX_UPLOAD_BYTES, sniffImage } from './media.js';

/** Profile pictures are stored as squares of at most this many pixels a side. */
export const PICTURE_SIZE = 512;

type Sharp = (typeof import('sharp'))['default'];
let loaded: Promise<Sharp | null> | undefined;

/** sharp is loaded on first use; where its prebuilt binary is missing, pictures are kept as uploaded. */
function loadSharp(): Promise<Sharp | null> {
  loaded ??= import('sharp').then(
    (m) => m.default,
    () => null,
  );
  return loaded;
}

/** The pixel size of an image (EXIF orientation applied), or null where it cannot be read. */
export async function imageDimensions(data: Buffer): Promise<{ width: number; height: number } | null> {
  const sharp = await loadSharp();
  if (!sharp) return null;
  try {
    const meta = await sharp(data, { limitInputPixels: 40_000_000, animated: false }).metadata();
    if (!meta.width || !meta.height) return null;
    const turned = (meta.orientation ?? 1) >= 5;
    return turned ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
  } catch {
    return null;
  }
}

/**
 * Turns an uploaded profile picture into a square of at most 512×512 (centre crop, EXIF
 * orientation applied, metadata dropped): JPEG stays JPEG, anything else becomes PNG, an
 * animated GIF keeps its first frame. Refuses what is not a JPEG, PNG, GIF or WebP image.
 */
export async function normalizePicture(data: Buffer): Promise<Buffer> {
  if (data.length > MAX_UPLOAD_BYTES) throw invalidParameter(`A picture has at most ${MAX_UPLOAD_BYTES} bytes`);
  const kind = sniffImage(data);
  if (!kind) throw invalidParameter('The picture is not a JPEG, PNG, GIF or WebP image');
  const sharp = await loadSharp();
  if (!sharp) return data;
  try {
    const source = sharp(data, { limitInputPixels: 40_000_000, animated: false, failOn: 'error' });
    const { width = PICTURE_SIZE, height = PICTURE_SIZE } = await source.metadata();
    // Never enlarged: a picture smaller than PICTURE_SIZE becomes a square of its shorter side.
    const side = Math.min(PICTURE_SIZE, width, height);
    const image = source.rotate().resize(side, side, { fit: 'cover', position: 'centre' });
    return kind.mime === 'image/jpeg' ? await image.jpeg({ quality: 85, mozjpeg: true }).toBuffer() : await image.png({ compressionLevel: 9 }).toBuffer();
  } catch {
    throw invalidParameter('The picture could not be read as an image');
  }
}
