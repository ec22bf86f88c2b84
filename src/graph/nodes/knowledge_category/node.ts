import type { KnowledgeCategoryRow } from '../../../db/repositories/knowledge.js';
import { readableCategories } from '../../../domain/knowledgeAccess.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { knowledgeCategoryRoutes } from './routes.js';
import { knowledgeCategoryType } from './type.js';

export type KnowledgeCategoryNode = AddressedNode<'knowledge_category', KnowledgeCategoryRow>;

/**
 * `/{category-id}`: a Knowledge Library category. A category the actor's audience does not
 * admit (its own, or an ancestor's) loads as nothing: it answers like a missing object.
 */
export const knowledgeCategoryNode: NodeDefinition<KnowledgeCategoryNode, KnowledgeCategoryRow> = {
  key: 'knowledge_category',
  type: knowledgeCategoryType,
  load: async (ctx, actor, ids) => {
    const wanted = new Set(ids);
    const rows = (await readableCategories(ctx.db, actor)).filter((r) => wanted.has(r.id));
    return new Map(rows.map((row) => [row.id, { type: 'knowledge_category' as const, id: row.id, row }]));
  },
  read: { rule: 'knowledge', target: (node) => ({ id: node.id }) },
  routes: knowledgeCategoryRoutes,
};
