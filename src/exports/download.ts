import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.js';
import { type ExportJobRow, findExportJob } from '../db/repositories/exportJob.js';
import { safeEqual } from '../domain/secrets.js';
import { XLSX_TYPE } from './runner.js';

/** How long a download link of a finished export stays valid. */
export const EXPORT_LINK_MS = 60 * 60 * 1000;

/** A temporary, signed download link of a finished export (Workplace: "Temporary URI to download a XLSX"). */
export function exportDownloadUrl(ctx: Pick<Context, 'clock' | 'secrets'>, publicBase: string, job: ExportJobRow): string | undefined {
  if (job.status !== 'COMPLETED' || !job.file_name) return undefined;
  const expires = ctx.clock.now() + EXPORT_LINK_MS;
  const sig = ctx.secrets.sign(`export:${job.id}:${expires}`);
  return `${publicBase}/exports/${job.id}/${expires}/${sig}/employee_data.xlsx`;
}

/**
 * GET /exports/{job}/{expires}/{sig}/{file}: a finished export, for as long as its signed link
 * lasts (the job's `result`). Any other link is "not found", whatever was wrong with it.
 */
export function registerExportDownloads(app: FastifyInstance, ctx: Context): void {
  app.get('/exports/:id/:expires/:sig/:file', async (request, reply) => {
    const { id, expires, sig } = request.params as Record<string, string>;
    const notFound = () => reply.code(404).send({ error: { code: 'not_found', message: 'No such export, or the link expired' } });
    if (!/^\d{1,20}$/.test(id) || !/^\d{1,16}$/.test(expires) || Number(expires) < ctx.clock.now()) return notFound();
    if (!safeEqual(sig, ctx.secrets.sign(`export:${id}:${expires}`))) return notFound();
    const job = await findExportJob(ctx.db, id);
    const file = job?.status === 'COMPLETED' && job.file_name ? await ctx.media.get(job.file_name).catch(() => undefined) : undefined;
    if (!file) return notFound();
    reply
      .type(XLSX_TYPE)
      .header('content-length', file.size)
      .header('content-disposition', `attachment; filename="employee_data_${id}.xlsx"`)
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff');
    return reply.send(file.body);
  });
}
