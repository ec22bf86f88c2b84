import { type AlbumRow, albumsOfPosts, putPhotosInAlbum, touchAlbum } from '../../db/repositories/album.js';
import type { GroupRow } from '../../db/repositories/group.js';
import { appendMediaToPost, type MediaRow } from '../../db/repositories/media.js';
import { type PostRow, updatePost } from '../../db/repositories/post.js';
import { invalidParameter } from '../../errors.js';
import { recordChange } from '../events.js';
import { type PhotoInput, photoUploader } from './media.js';
import { postCreator, postWireId } from './post.js';
import type { Write } from './shared.js';

const MAX_NAME = 255;

/** POST /{group}/albums: an album and the post that shows it in the group's feed. */
export async function albumCreator(w: Write, group: GroupRow, input: { name?: string; description?: string; location?: string }): Promise<{ album: AlbumRow; post: PostRow }> {
  const name = input.name?.trim();
  if (!name) throw invalidParameter('An album needs a name');
  if (name.length > MAX_NAME) throw invalidParameter(`An album name has at most ${MAX_NAME} characters`);
  const post = await postCreator(w, {
    feedId: group.id,
    feedType: 'group',
    message: input.description,
    album: { name, description: input.description, location: input.location?.trim() },
    allowDuplicate: true,
  });
  const album = (await albumsOfPosts(w.trx, [post.id])).get(post.id)!;
  return { album, post };
}

/** POST /{album}/photos: a photo stored into the album, shown in its post. */
export async function albumPhotoAdder(w: Write, album: AlbumRow, post: PostRow, input: Omit<PhotoInput, 'published' | 'groupId'>): Promise<MediaRow> {
  const media = await photoUploader(w, { ...input, published: true, groupId: album.group_id });
  await putPhotosInAlbum(w.trx, album.id, [media.id]);
  await appendMediaToPost(w.trx, post.id, media.id);
  const now = w.ctx.clock.now();
  await touchAlbum(w.trx, album.id, now);
  await updatePost(w.trx, post.id, { type: 'photo', status_type: 'added_photos', updated_time: now });
  await recordChange(w.trx, w.ctx, w.actor, { action: 'album.photo_added', target: { type: 'album', id: album.id }, new: { photo: media.id, post: postWireId(post) } });
  return { ...media, album_id: album.id };
}
