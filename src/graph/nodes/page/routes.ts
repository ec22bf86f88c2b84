import { photoUploader } from '../../../domain/commands/media.js';
import { authorize } from '../../../policies/graph.js';
import type { NodeRoute } from '../../registry.js';
import type { GraphRequest } from '../../request.js';
import { pictureRoute } from '../profile/picture.js';
import type { PageNode } from './node.js';

/** POST /me/photos: a photo by URL or upload; `published=false` keeps it for attached_media. */
async function uploadPhoto(req: GraphRequest<PageNode>) {
  authorize(req.actor, 'media.upload');
  const published = req.params.boolean('published') ?? true;
  const file = req.params.file('source') ?? req.params.file('file');
  const url = req.params.string('url');
  const media = await req.write((w) => photoUploader(w, { url, file, caption: req.params.string('caption') ?? req.params.string('message'), published, groupId: null }));
  return { id: media.id };
}

export const pageRoutes: readonly NodeRoute<PageNode>[] = [
  {
    edge: 'photos',
    method: 'POST',
    handler: uploadPhoto,
    summary: 'Upload a photo; published=false keeps it for attached_media',
    params: [
      { name: 'url', description: 'Photo URL' },
      { name: 'source', description: 'Uploaded file (multipart; also file)' },
      { name: 'caption', description: 'Caption (also message)' },
      { name: 'published', description: 'false keeps the photo unpublished', type: 'boolean' },
    ],
  },
  pictureRoute,
];
