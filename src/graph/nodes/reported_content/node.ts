import { findReportsByIds, type ReportRow } from '../../../db/repositories/reportedContent.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { reportedContentRoutes } from './routes.js';
import { reportedContentType } from './type.js';

export type ReportedContentNode = AddressedNode<'reported_content', ReportRow>;

/** `/{report-id}`: a report made with `POST /community/reported_content`; resolved with `POST /{report-id}`. */
export const reportedContentNode: NodeDefinition<ReportedContentNode, ReportRow> = {
  key: 'reported_content',
  type: reportedContentType,
  load: async (ctx, _actor, ids) => new Map((await findReportsByIds(ctx.db, ids)).map((row) => [row.id, { type: 'reported_content' as const, id: row.id, row }])),
  read: { rule: 'reported_content', target: (node, segment) => ({ id: segment, groupId: node.row.group_id }) },
  routes: reportedContentRoutes,
};
