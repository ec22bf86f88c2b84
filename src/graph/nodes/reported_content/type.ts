import { listReports, type ReportRow } from '../../../db/repositories/reportedContent.js';
import { authorize } from '../../../policies/graph.js';
import type { EdgeQuery, EdgeSpec, NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import { direction, scopeIds } from '../shared.js';

// Workplace documents /community/reported_content and its permission but not its field list;
// these fields follow Graph's conventions (docs/graph-api.md).
export const reportedContentType: NodeType<ReportRow> = {
  name: 'ReportedContent',
  defaults: ['id', 'object_id', 'object_type', 'reason', 'status', 'created_time'],
  id: (r) => r.id,
  fields: {
    id: { kind: 'scalar', get: (r) => r.id },
    object_id: { kind: 'scalar', get: (r) => r.object_id },
    object_type: { kind: 'scalar', get: (r) => r.object_type },
    post_id: { kind: 'scalar', get: (r) => r.post_id },
    group: { kind: 'scalar', get: (r) => ({ id: r.group_id }) },
    author: { kind: 'scalar', get: (r) => ({ id: r.author_id }) },
    reporter: { kind: 'scalar', get: (r) => ({ id: r.reporter_id, type: r.reporter_type === 'member' ? 'user' : 'page' }) },
    message: { kind: 'scalar', get: (r) => r.excerpt },
    reason: { kind: 'scalar', get: (r) => r.reason },
    status: { kind: 'scalar', get: (r) => r.status },
    resolution: { kind: 'scalar', get: (r) => r.resolution ?? undefined },
    resolution_note: { kind: 'scalar', get: (r) => r.resolution_note ?? undefined },
    created_time: { kind: 'scalar', get: (r) => graphTime(r.created_time) },
    resolved_time: { kind: 'scalar', get: (r) => graphTime(r.resolved_time) },
  },
  edges: {},
};

/** `/community/reported_content`: newest first; `filter=open|resolved`; only groups in scope. */
export const communityReportsEdge: EdgeSpec<unknown, ReportRow> = {
  target: 'reported_content',
  authorize: (p) => authorize(p.actor, 'reported_content.read'),
  position: (r) => ({ sort: r.created_time, id: r.id }),
  page: (p, _c, q) => listReports(p.ctx.db, filterOf(p, q), { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before }),
  many: async (p, parents, q) => {
    const { rows } = await listReports(p.ctx.db, filterOf(p, q), { limit: q.limit + 1, order: direction(q, 'desc') });
    return parents.map(() => rows);
  },
};

function filterOf(p: Presentation, q: EdgeQuery) {
  const status = q.filter?.toUpperCase();
  return { status: status === 'OPEN' || status === 'RESOLVED' ? status : undefined, groupIds: scopeIds(p) } as const;
}
