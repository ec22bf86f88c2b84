import type { ExportJobRow } from '../db/repositories/exportJob.js';
import { graphTime } from '../graph/time.js';
import type { NodeType, Presentation } from './types.js';

/** How long a download link of a finished export stays valid. */
export const EXPORT_LINK_MS = 60 * 60 * 1000;

/** A temporary, signed download link of a finished export (Workplace: "Temporary URI"). */
export function exportDownloadUrl(p: Pick<Presentation, 'ctx' | 'publicBase'>, job: ExportJobRow): string | undefined {
  if (job.status !== 'COMPLETED' || !job.file_name) return undefined;
  const expires = p.ctx.clock.now() + EXPORT_LINK_MS;
  const sig = p.ctx.secrets.sign(`export:${job.id}:${expires}`);
  return `${p.publicBase}/exports/${job.id}/${expires}/${sig}/employee_data.xlsx`;
}

export const exportJobType: NodeType<ExportJobRow> = {
  name: 'WorkDataExportJob',
  defaults: ['id', 'status', 'type', 'result'],
  id: (j) => j.id,
  fields: {
    id: { kind: 'scalar', get: (j) => j.id },
    status: { kind: 'scalar', get: (j) => j.status },
    type: { kind: 'scalar', get: (j) => j.type },
    result: { kind: 'scalar', get: (j, p) => exportDownloadUrl(p, j) },
    progress: { kind: 'scalar', get: (j) => ({ done: j.progress, total: j.total }) },
    error: { kind: 'scalar', get: (j) => j.error ?? undefined },
    created_time: { kind: 'scalar', get: (j) => graphTime(j.created_time) },
    finished_time: { kind: 'scalar', get: (j) => graphTime(j.finished_time) },
  },
  edges: {},
};
