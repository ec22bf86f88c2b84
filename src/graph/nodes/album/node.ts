import { type AlbumRow, findAlbumsByIds } from '../../../db/repositories/album.js';
import { findPostsByIds, type PostRow } from '../../../db/repositories/post.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { postTarget } from '../post/type.js';
import { albumRoutes } from './routes.js';
import { albumType } from './type.js';

/** An album with the post that shows it (its comments and reactions are the post's). */
export type AlbumNode = AddressedNode<'album', AlbumRow> & { post: PostRow };

export const albumNode: NodeDefinition<AlbumNode, AlbumRow> = {
  key: 'album',
  type: albumType,
  load: async (ctx, _actor, ids) => {
    const albums = await findAlbumsByIds(ctx.db, ids);
    const posts = new Map((await findPostsByIds(ctx.db, albums.map((a) => a.post_id))).map((p) => [p.id, p]));
    return new Map(albums.flatMap((row) => (posts.has(row.post_id) ? [[row.id, { type: 'album' as const, id: row.id, row, post: posts.get(row.post_id)! }]] : [])));
  },
  read: { rule: 'content', target: (node, segment) => ({ ...postTarget(node.post), id: segment }) },
  routes: albumRoutes,
};
