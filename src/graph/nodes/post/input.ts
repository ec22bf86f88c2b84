import { FORMATTINGS, type PostInput } from '../../../domain/commands/post.js';
import { invalidParameter } from '../../../errors.js';
import type { ParamDoc } from '../../registry.js';
import type { GraphRequest } from '../../request.js';

/** Post parameters: message, formatting, link, and photos by attached_media / attachment_id. */
export function postInput(req: GraphRequest<unknown>): Omit<PostInput, 'feedId' | 'feedType'> {
  const media: string[] = [];
  const attached = req.params.json('attached_media');
  if (attached !== undefined) {
    const list = Array.isArray(attached) ? attached : typeof attached === 'object' && attached !== null ? Object.values(attached) : null;
    if (!list) throw invalidParameter('attached_media must be a list of {"media_fbid": id}');
    for (const item of list) {
      const id = typeof item === 'object' && item !== null ? (item as { media_fbid?: unknown }).media_fbid : item;
      if (typeof id !== 'string' && typeof id !== 'number') throw invalidParameter('attached_media must be a list of {"media_fbid": id}');
      media.push(String(id));
    }
  }
  const attachmentId = req.params.string('attachment_id') ?? req.params.string('object_attachment');
  if (attachmentId) media.push(attachmentId);
  return {
    message: req.params.rawString('message'),
    formatting: req.params.oneOf('formatting', FORMATTINGS),
    link: req.params.string('link'),
    mediaIds: media,
  };
}

/** The parameters `postInput` reads, for docs and the OpenAPI document. */
export const postParams: readonly ParamDoc[] = [
  { name: 'message', description: 'Text; @[id] mentions a member or bot page' },
  { name: 'formatting', description: 'MARKDOWN or PLAINTEXT' },
  { name: 'link', description: 'A link to share' },
  { name: 'attached_media', description: 'Photos: [{"media_fbid": id}, …]', type: 'array' },
  { name: 'attachment_id', description: 'One photo by id (also object_attachment)' },
];
