import { categoryCreator, categoryDeleter, categoryUpdater, type CategoryInput } from '../../../domain/commands/knowledge.js';
import type { KnowledgeCategoryRow } from '../../../db/repositories/knowledge.js';
import { authorize } from '../../../policies/graph.js';
import type { Params } from '../../params.js';
import type { NodeRoute, ParamDoc } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import type { CommunityNode } from '../community/node.js';
import type { KnowledgeCategoryNode } from './node.js';

/** The category fields a write names (strings as sent; JSON values parsed). */
export function categoryInput(params: Params): CategoryInput {
  return {
    title: params.rawString('title'),
    content: params.rawString('content'),
    json_content: params.json('json_content'),
    status: params.rawString('status'),
    color: params.rawString('color'),
    icon: params.rawString('icon'),
    read_audience: params.json('read_audience'),
  };
}

export const categoryParams: readonly ParamDoc[] = [
  { name: 'title', description: 'The title of the category (required when creating)' },
  { name: 'content', description: 'The page as text (Markdown)' },
  { name: 'json_content', description: 'The page as a block tree [{type, children} | {type: "text", text}]', type: 'array' },
  { name: 'status', description: 'PUBLISHED (default) or DRAFT, any case' },
  { name: 'color', description: 'One of Workplace\'s 28 colours (LIGHT_GRAY … DARK_PURPLE), any case; empty clears it' },
  { name: 'icon', description: 'One of Workplace\'s 30 icons (AIRPLANE … MORTAR_BOARD), any case; empty clears it' },
  { name: 'read_audience', description: '{audience_type: EVERYONE|INHERIT|GROUPS|STATIC_USERS|PROFILE_FIELDS, groups, static_users, profile_set_conditions: [{field, operator, values}]}', type: 'object' },
];

async function create(req: { actor: GraphRequest['actor']; params: Params; write: GraphRequest['write'] }, parent: KnowledgeCategoryRow | null) {
  authorize(req.actor, 'knowledge.write');
  const row = await req.write((w) => categoryCreator(w, parent, categoryInput(req.params)));
  return { id: row.id };
}

/** POST /community/knowledge_library_categories: a root category. */
export const createRootCategory = (req: GraphRequest<CommunityNode>) => create(req, null);

export const knowledgeCategoryRoutes: readonly NodeRoute<KnowledgeCategoryNode>[] = [
  {
    edge: null,
    method: 'POST',
    summary: 'Update a category (the fields given)',
    params: categoryParams,
    handler: async (req) => {
      authorize(req.actor, 'knowledge.write');
      await req.write((w) => categoryUpdater(w, req.node.row, categoryInput(req.params)));
      return success;
    },
  },
  {
    edge: null,
    method: 'DELETE',
    summary: 'Delete a category and every subcategory under it',
    handler: async (req) => {
      authorize(req.actor, 'knowledge.write');
      await req.write((w) => categoryDeleter(w, req.node.row));
      return success;
    },
  },
  { edge: 'subcategories', method: 'POST', summary: 'Create a subcategory at the end of this category\'s children', params: categoryParams, handler: (req) => create(req, req.node.row) },
];
