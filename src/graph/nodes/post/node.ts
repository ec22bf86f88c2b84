import { findPostsByIds, type PostRow } from '../../../db/repositories/post.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { postRoutes } from './routes.js';
import { postTarget, postType } from './type.js';

export type PostNode = AddressedNode<'post', PostRow>;

const nodeOf = (row: PostRow): PostNode => ({ type: 'post', id: row.id, row });

/** A post, as `{feed}_{post}` (what Graph answers) or by its bare id. */
export const postNode: NodeDefinition<PostNode, PostRow> = {
  key: 'post',
  type: postType,
  recognize: async (ctx, _actor, segment) => {
    const composite = /^(\d{1,20})_(\d{1,20})$/.exec(segment);
    if (!composite) return undefined;
    const [row] = await findPostsByIds(ctx.db, [composite[2]]);
    return row && row.feed_id === composite[1] ? nodeOf(row) : null;
  },
  load: async (ctx, _actor, ids) => new Map((await findPostsByIds(ctx.db, ids)).map((row) => [row.id, nodeOf(row)])),
  read: { rule: 'content', target: (node, segment) => ({ ...postTarget(node.row), id: segment }) },
  routes: postRoutes,
};
