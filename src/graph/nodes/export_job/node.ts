import { type ExportJobRow, findExportJobsByIds } from '../../../db/repositories/exportJob.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import { exportJobType } from './type.js';

export type ExportJobNode = AddressedNode<'export_job', ExportJobRow>;

/** `/{export-job-id}`: a job scheduled by `POST /community/export_employee_data`. */
export const exportJobNode: NodeDefinition<ExportJobNode, ExportJobRow> = {
  key: 'export_job',
  type: exportJobType,
  load: async (ctx, _actor, ids) => new Map((await findExportJobsByIds(ctx.db, ids)).map((row) => [row.id, { type: 'export_job' as const, id: row.id, row }])),
  read: { rule: 'export_job', target: (node) => ({ id: node.id }) },
  routes: [],
};
