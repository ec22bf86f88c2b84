import type { PageRow } from '../../../db/repositories/app.js';
import type { MemberRow } from '../../../db/repositories/member.js';
import { loadPictures, pictureObject } from '../../../presenters/media.js';
import type { NodeRoute } from '../../registry.js';
import { type GraphRequest, RawReply } from '../../request.js';

/** GET /{member|page}/picture: a redirect to the image, or with redirect=false its JSON. */
async function picture(req: GraphRequest<{ row: MemberRow | PageRow }>) {
  const row = req.node.row;
  const media = await loadPictures(req.presentation, [row.picture_media_id]);
  const object = pictureObject(req.presentation, media.get(row.picture_media_id ?? ''));
  if (req.params.boolean('redirect') === false) return object;
  return new RawReply(302, { location: object.data.url }, '');
}

export const pictureRoute: NodeRoute<{ row: MemberRow | PageRow }> = {
  edge: 'picture',
  method: 'GET',
  handler: picture,
  summary: 'A 302 to the profile picture; redirect=false gives {"data":{"url","is_silhouette"}}',
  params: [{ name: 'redirect', description: 'false answers JSON instead of a redirect', type: 'boolean' }],
};
