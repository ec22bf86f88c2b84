import { listQuickLinks, type QuickLinkRow } from '../../../db/repositories/knowledge.js';
import type { NodeType } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import { orderedList } from '../knowledge_category/type.js';

/** A quick link of the Knowledge Library's front page. */
export const knowledgeQuickLinkType: NodeType<QuickLinkRow> = {
  name: 'KnowledgeLibraryQuickLink',
  defaults: ['id', 'title', 'link'],
  id: (l) => l.id,
  fields: {
    id: { kind: 'scalar', get: (l) => l.id },
    title: { kind: 'scalar', get: (l) => l.title },
    link: { kind: 'scalar', get: (l) => l.link },
    order_index: { kind: 'scalar', get: (l) => l.order_index },
    updated_time: { kind: 'scalar', get: (l) => graphTime(l.updated_time) },
  },
  edges: {},
};

/** `/community/knowledge_quick_links`. */
export const communityQuickLinksEdge = orderedList<unknown, QuickLinkRow>('knowledge_quick_link', async (p, parents) => {
  const all = await listQuickLinks(p.ctx.db);
  return parents.map(() => all);
});
