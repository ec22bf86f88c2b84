import { findQuickLinksByIds, type QuickLinkRow } from '../../../db/repositories/knowledge.js';
import { quickLinkDeleter, quickLinkUpdater } from '../../../domain/commands/knowledge.js';
import { authorize } from '../../../policies/graph.js';
import type { AddressedNode, NodeDefinition, NodeRoute } from '../../registry.js';
import { success } from '../../request.js';
import { knowledgeQuickLinkType } from './type.js';

export type KnowledgeQuickLinkNode = AddressedNode<'knowledge_quick_link', QuickLinkRow>;

export const quickLinkParams = [
  { name: 'title', description: 'What the link is called' },
  { name: 'link', description: 'The http(s) URL it opens' },
] as const;

const routes: readonly NodeRoute<KnowledgeQuickLinkNode>[] = [
  {
    edge: null,
    method: 'POST',
    summary: 'Update a quick link (title, link)',
    params: quickLinkParams,
    handler: async (req) => {
      authorize(req.actor, 'knowledge.write');
      await req.write((w) => quickLinkUpdater(w, req.node.row, { title: req.params.rawString('title'), link: req.params.rawString('link') }));
      return success;
    },
  },
  {
    edge: null,
    method: 'DELETE',
    summary: 'Delete a quick link',
    handler: async (req) => {
      authorize(req.actor, 'knowledge.write');
      await req.write((w) => quickLinkDeleter(w, req.node.row));
      return success;
    },
  },
];

/** `/{quick-link-id}`: a link of the Knowledge Library's front page. */
export const knowledgeQuickLinkNode: NodeDefinition<KnowledgeQuickLinkNode, QuickLinkRow> = {
  key: 'knowledge_quick_link',
  type: knowledgeQuickLinkType,
  load: async (ctx, _actor, ids) => new Map((await findQuickLinksByIds(ctx.db, ids)).map((row) => [row.id, { type: 'knowledge_quick_link' as const, id: row.id, row }])),
  read: { rule: 'knowledge', target: (node) => ({ id: node.id }) },
  routes,
};
