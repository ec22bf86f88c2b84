import type { ExportJobRow } from '../../../db/repositories/exportJob.js';
import { exportDownloadUrl } from '../../../exports/download.js';
import type { NodeType } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';

/** A data export job (Workplace: `id, status, type, result` by default; `progress` and `error` are ours). */
export const exportJobType: NodeType<ExportJobRow> = {
  name: 'WorkDataExportJob',
  defaults: ['id', 'status', 'type', 'result'],
  id: (j) => j.id,
  fields: {
    id: { kind: 'scalar', get: (j) => j.id },
    status: { kind: 'scalar', get: (j) => j.status },
    type: { kind: 'scalar', get: (j) => j.type },
    result: { kind: 'scalar', get: (j, p) => exportDownloadUrl(p.ctx, p.publicBase, j) },
    progress: { kind: 'scalar', get: (j) => ({ done: j.progress, total: j.total }) },
    error: { kind: 'scalar', get: (j) => j.error ?? undefined },
    created_time: { kind: 'scalar', get: (j) => graphTime(j.created_time) },
    finished_time: { kind: 'scalar', get: (j) => graphTime(j.finished_time) },
  },
  edges: {},
};
