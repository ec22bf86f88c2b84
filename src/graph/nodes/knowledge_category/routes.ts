import { categoryCreator, categoryDeleter, categoryPhotoAdder, categoryUpdater, type CategoryInput } from '../../../domain/commands/knowledge.js';
import type { KnowledgeCategoryRow } from '../../../db/repositories/knowledge.js';
import { authorize } from '../../../policies/graph.js';
import type { Params } from '../../params.js';
import type { NodeRoute, ParamDoc } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import type { CommunityNode } from '../community/node.js';
import type { KnowledgeCategoryNode } from './node.js';

/** `parent_id` as sent: absent, a category id, or root (null, "" or "null"). */
function parentParam(params: Params): string | null | undefined {
  if (!Object.hasOwn(params.values, 'parent_id')) return undefined;
  const raw = params.rawString('parent_id');
  return raw === undefined || raw === '' || raw.toLowerCase() === 'null' ? null : raw;
}

/** The category fields a write names (strings as sent; JSON values parsed). */
export function categoryInput(params: Params): CategoryInput {
  return {
    parent_id: parentParam(params),
    order_index: params.integer('order_index', { max: 100_000 }),
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

const moveParams: readonly ParamDoc[] = [
  { name: 'parent_id', description: 'Move under this category (never itself or one below it); null or "" makes it a root category' },
  { name: 'order_index', description: 'Position among its siblings from 0 (past the end: last); the others shift', type: 'integer' },
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
    summary: 'Update a category (the fields given), move it (parent_id) or reorder it (order_index)',
    params: [...categoryParams, ...moveParams],
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
  {
    edge: 'photos',
    method: 'POST',
    summary: 'Add a photo to the category by URL or upload → {id}',
    params: [
      { name: 'url', description: 'Photo URL' },
      { name: 'source', description: 'Uploaded file (multipart; also file)' },
      { name: 'caption', description: 'Caption (also message)' },
    ],
    handler: async (req) => {
      authorize(req.actor, 'knowledge.write');
      const file = req.params.file('source') ?? req.params.file('file');
      const url = req.params.string('url');
      const caption = req.params.string('caption') ?? req.params.string('message');
      const media = await req.write((w) => categoryPhotoAdder(w, req.node.row, { url, file, caption }));
      return { id: media.id };
    },
  },
  { edge: 'subcategories', method: 'POST', summary: 'Create a subcategory at the end of this category\'s children', params: categoryParams, handler: (req) => create(req, req.node.row) },
];
