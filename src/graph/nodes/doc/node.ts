import { type DocRow, findDocsByIds } from '../../../db/repositories/doc.js';
import { findPostsByIds, type PostRow } from '../../../db/repositories/post.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { postTarget } from '../post/type.js';
import { docRoutes } from './routes.js';
import { docType } from './type.js';

/** A doc with the post that shows it (its comments and reactions are the post's). */
export type DocNode = AddressedNode<'doc', DocRow> & { post: PostRow };

export const docNode: NodeDefinition<DocNode, DocRow> = {
  key: 'doc',
  type: docType,
  load: async (ctx, _actor, ids) => {
    const docs = await findDocsByIds(ctx.db, ids);
    const posts = new Map((await findPostsByIds(ctx.db, docs.map((d) => d.post_id))).map((p) => [p.id, p]));
    return new Map(docs.flatMap((row) => (posts.has(row.post_id) ? [[row.id, { type: 'doc' as const, id: row.id, row, post: posts.get(row.post_id)! }]] : [])));
  },
  read: { rule: 'content', target: (node, segment) => ({ ...postTarget(node.post), id: segment }) },
  routes: docRoutes,
};
