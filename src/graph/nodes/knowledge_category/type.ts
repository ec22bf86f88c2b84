import { findGroupsByIds } from '../../../db/repositories/group.js';
import { findCategoryById, type KnowledgeCategoryRow, mediaOfCategories } from '../../../db/repositories/knowledge.js';
import type { MediaRow } from '../../../db/repositories/media.js';
import { findMembersByIds } from '../../../db/repositories/member.js';
import { audienceOf, type Audience } from '../../../domain/knowledge.js';
import { readableCategories } from '../../../domain/knowledgeAccess.js';
import { authorize, groupInScope } from '../../../policies/graph.js';
import type { EdgeSpec, NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';

type Named = { id: string; name: string };

/** A category's read audience with the names of its groups and people (`read_audience{…}`). */
export interface AudienceView {
  audience_type: Audience['audience_type'];
  groups: Named[];
  static_users: Named[];
  profile_set_conditions: Audience['profile_set_conditions'];
}

/** `read_audience`: who may read the category (embedded; it has no id of its own). */
export const knowledgeAudienceType: NodeType<AudienceView> = {
  name: 'KnowledgeLibraryAudience',
  defaults: ['audience_type', 'groups', 'static_users', 'profile_set_conditions'],
  id: () => undefined as unknown as string,
  fields: {
    audience_type: { kind: 'scalar', get: (a) => a.audience_type },
    groups: { kind: 'scalar', get: (a) => ({ data: a.groups }) },
    static_users: { kind: 'scalar', get: (a) => ({ data: a.static_users }) },
    profile_set_conditions: { kind: 'scalar', get: (a) => a.profile_set_conditions },
  },
  edges: {},
};

async function audiencesOf(p: Presentation, ids: string[]): Promise<Map<string, AudienceView>> {
  const rows = (await Promise.all(ids.map((id) => findCategoryById(p.ctx.db, id)))).filter((r): r is KnowledgeCategoryRow => !!r);
  const audiences = rows.map((r) => [r.id, audienceOf(r)] as const);
  const groupIds = [...new Set(audiences.flatMap(([, a]) => a.groups))];
  const userIds = [...new Set(audiences.flatMap(([, a]) => a.static_users))];
  const [groups, users] = await Promise.all([findGroupsByIds(p.ctx.db, groupIds), findMembersByIds(p.ctx.db, userIds)]);
  const groupName = new Map(groups.map((g) => [g.id, g.name]));
  const userName = new Map(users.map((m) => [m.id, m.name]));
  return new Map(
    audiences.map(([id, a]) => [
      id,
      {
        audience_type: a.audience_type,
        // A group outside a scoped integration's reach is left out, as everywhere else.
        groups: a.groups.filter((g) => groupName.has(g) && groupInScope(p.actor, g)).map((g) => ({ id: g, name: groupName.get(g)! })),
        static_users: a.static_users.filter((m) => userName.has(m)).map((m) => ({ id: m, name: userName.get(m)! })),
        profile_set_conditions: a.profile_set_conditions,
      },
    ]),
  );
}

/** An edge over a short ordered list loaded whole (cursors are positions in it). */
export function orderedList<Parent, Row extends { id: string; order_index: number }>(target: string, load: (p: Presentation, parents: Parent[]) => Promise<Row[][]>): EdgeSpec<Parent, Row> {
  return {
    target,
    authorize: (p) => authorize(p.actor, 'knowledge.read'),
    position: (r) => ({ sort: r.order_index, id: r.id }),
    page: async (p, parent, q) => {
      const [all] = await load(p, [parent]);
      const list = q.before ? all.slice(0, Math.max(0, all.findIndex((r) => r.id === q.before!.id))) : all;
      const start = q.after ? list.findIndex((r) => r.id === q.after!.id) + 1 : q.before ? Math.max(0, list.length - q.limit) : 0;
      return { rows: list.slice(start, start + q.limit), hasNext: start + q.limit < all.length, hasPrevious: start > 0 };
    },
    many: async (p, parents, q) => (await load(p, parents)).map((list) => list.slice(0, q.limit + 1)),
  };
}

function childrenOf(parentIds: readonly (string | null)[]) {
  return async (p: Presentation) => {
    const readable = await readableCategories(p.ctx.db, p.actor);
    return parentIds.map((id) => readable.filter((r) => r.parent_id === id));
  };
}

/** A Knowledge Library category: a page in the library's tree. */
export const knowledgeCategoryType: NodeType<KnowledgeCategoryRow> = {
  name: 'KnowledgeLibraryCategory',
  defaults: ['id', 'title'],
  id: (c) => c.id,
  fields: {
    id: { kind: 'scalar', get: (c) => c.id },
    title: { kind: 'scalar', get: (c) => c.title },
    content: { kind: 'scalar', get: (c) => c.content },
    json_content: { kind: 'scalar', get: (c) => (c.json_content ? JSON.parse(c.json_content) : undefined) },
    status: { kind: 'scalar', get: (c) => c.status },
    last_editor: {
      kind: 'ref',
      target: 'member',
      key: (c) => (c.last_editor_type === 'member' || c.last_editor_type === 'admin' ? c.last_editor_id : null),
      load: async (p, ids) => new Map((await findMembersByIds(p.ctx.db, ids)).map((m) => [m.id, m])),
    },
    read_audience: { kind: 'ref', target: 'knowledge_audience', key: (c) => c.id, load: audiencesOf },
    color: { kind: 'scalar', get: (c) => c.color ?? undefined },
    icon: { kind: 'scalar', get: (c) => c.icon ?? undefined },
    last_updated: { kind: 'scalar', get: (c) => graphTime(c.last_updated) },
    parent_id: { kind: 'scalar', get: (c) => c.parent_id ?? undefined },
    order_index: { kind: 'scalar', get: (c) => c.order_index },
  },
  edges: {
    subcategories: orderedList<KnowledgeCategoryRow, KnowledgeCategoryRow>('knowledge_category', (p, parents) => childrenOf(parents.map((c) => c.id))(p)),
    photos: orderedList<KnowledgeCategoryRow, MediaRow & { order_index: number }>('photo', async (p, parents) => {
      const media = await mediaOfCategories(p.ctx.db, parents.map((c) => c.id));
      return parents.map((c) => (media.get(c.id) ?? []).map((m, i) => ({ ...m, order_index: i })));
    }),
  },
};

/** `/community/knowledge_library_categories`: the root categories the actor may read. */
export const communityCategoriesEdge = orderedList<unknown, KnowledgeCategoryRow>('knowledge_category', async (p, parents) => {
  const [roots] = await childrenOf([null])(p);
  return parents.map(() => roots);
});
