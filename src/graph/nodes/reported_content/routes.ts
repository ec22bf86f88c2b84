import type { ReportResolution } from '../../../db/communitySchema.js';
import { findReportTarget, reportResolver, RESOLUTIONS } from '../../../domain/commands/report.js';
import { invalidParameter } from '../../../errors.js';
import { authorize } from '../../../policies/graph.js';
import type { NodeRoute } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import type { ReportedContentNode } from './node.js';

/** POST /{report-id} `resolution=keep|remove|warn`, `note=`: resolves a report (remove also needs write_group). */
async function resolveReport(req: GraphRequest<ReportedContentNode>) {
  const report = req.node.row;
  const target = { groupId: report.group_id, id: req.segment, method: 'post' };
  authorize(req.actor, 'reported_content.resolve', target);
  const resolution = req.params.string('resolution')?.toUpperCase() as ReportResolution | undefined;
  if (!resolution || !RESOLUTIONS.includes(resolution)) throw invalidParameter(`The parameter resolution must be one of ${RESOLUTIONS.join(', ').toLowerCase()}`);
  if (resolution === 'REMOVE') authorize(req.actor, 'group.content.moderate', target);
  const current = await findReportTarget(req.ctx.db, report.object_id);
  await req.write((w) => reportResolver(w, report, resolution, req.params.string('note'), current));
  return success;
}

export const reportedContentRoutes: readonly NodeRoute<ReportedContentNode>[] = [
  {
    edge: null,
    method: 'POST',
    handler: resolveReport,
    summary: 'Resolve a report: keep the content, remove it, or keep it and warn its author',
    params: [
      { name: 'resolution', description: 'keep, remove or warn', required: true },
      { name: 'note', description: 'What the author is told (warn), or a note for the record' },
    ],
  },
];
