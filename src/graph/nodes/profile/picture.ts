import type { PageRow } from '../../../db/repositories/app.js';
import type { MemberRow } from '../../../db/repositories/member.js';
import { pictureSide, resizedPicture } from '../../../domain/pictureSizes.js';
import { invalidParameter } from '../../../errors.js';
import { resizedPicturePath } from '../../../http/resizedPictures.js';
import { loadPictures, pictureObject } from '../../../presenters/media.js';
import type { Params } from '../../params.js';
import type { NodeRoute } from '../../registry.js';
import { type GraphRequest, RawReply } from '../../request.js';

/** Graph's `type=` sizes of a profile picture. */
const TYPE_SIDES: Record<string, number> = { square: 50, small: 50, normal: 100, album: 200, large: 200 };

function requestedSide(params: Params): number | undefined {
  const dimension = (name: string) => {
    const v = params.string(name);
    if (v === undefined || v === '') return undefined;
    if (!/^\d{1,5}$/.test(v) || Number(v) === 0) throw invalidParameter(`Param ${name} must be a positive integer`);
    return Number(v);
  };
  const type = params.oneOf('type', Object.keys(TYPE_SIDES));
  return pictureSide(dimension('width'), dimension('height')) ?? (type ? TYPE_SIDES[type] : undefined);
}

/**
 * GET /{member|page}/picture: a redirect to the image, or with redirect=false its JSON. With
 * `width`/`height` (or `type=`), a stored picture answers a resized square and its real size.
 */
async function picture(req: GraphRequest<{ row: MemberRow | PageRow }>) {
  const row = req.node.row;
  const side = requestedSide(req.params);
  const media = (await loadPictures(req.presentation, [row.picture_media_id])).get(row.picture_media_id ?? '');
  let object: { data: Record<string, unknown> & { url: string } } = pictureObject(req.presentation, media);
  if (side && media?.file_name) {
    const resized = await resizedPicture(req.ctx.media, media.file_name, side);
    if (resized) object = { data: { url: `${req.presentation.publicBase}${resizedPicturePath(req.ctx, { id: media.id, file_name: media.file_name }, side)}`, width: resized.width, height: resized.height, is_silhouette: false } };
  }
  if (req.params.boolean('redirect') === false) return object;
  return new RawReply(302, { location: object.data.url }, '');
}

export const pictureRoute: NodeRoute<{ row: MemberRow | PageRow }> = {
  edge: 'picture',
  method: 'GET',
  handler: picture,
  summary: 'A 302 to the profile picture; redirect=false gives {"data":{"url","is_silhouette"}} (with width and height when resized)',
  params: [
    { name: 'redirect', description: 'false answers JSON instead of a redirect', type: 'boolean' },
    { name: 'width', description: 'Wanted width in pixels (the picture is a square covering width and height)', type: 'integer' },
    { name: 'height', description: 'Wanted height in pixels', type: 'integer' },
    { name: 'type', description: 'square, small, normal, album or large' },
  ],
};
