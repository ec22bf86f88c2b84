import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badgeHolderCounts, findCustomBadge } from '../db/repositories/badge.js';
import { findExportJob, listExportJobs } from '../db/repositories/exportJob.js';
import { findMemberById, findMembersByIds } from '../db/repositories/member.js';
import { listKnowledgeEditors } from '../db/repositories/knowledge.js';
import { knowledgeEditorSetter } from '../domain/commands/knowledge.js';
import { BADGE_CATEGORIES, BADGE_ICONS, badgeCatalogue, badgesOf } from '../domain/badges.js';
import { exportDownloadUrl } from '../exports/download.js';
import { badgeAwarder, badgeRevoker, type CustomBadgeInput, customBadgeCreator, customBadgeDeleter, customBadgeUpdater } from '../domain/commands/badge.js';
import { exportRequester } from '../domain/commands/exportJob.js';
import { findReportTarget, reportResolver, RESOLUTIONS } from '../domain/commands/report.js';
import { findReport, listReports } from '../db/repositories/reportedContent.js';
import { namesOf } from '../db/repositories/directory.js';
import type { ReportResolution } from '../db/communitySchema.js';
import { transact, type Write } from '../domain/commands/shared.js';
import type { MemberActor } from '../domain/actor.js';
import { AppError, invalidParameter } from '../errors.js';
import type { AdminKit } from './panel.js';

// The admin panel's Community screen: the badge catalogue (custom badges, awards), Knowledge
// Library editors, reported content (keep, remove, warn) and employee data exports with their progress. Routes under /admin/api, behind the admin session.

type Body = Record<string, unknown>;
const bodyOf = (request: FastifyRequest): Body => (request.body && typeof request.body === 'object' ? (request.body as Body) : {});
const param = (request: FastifyRequest, name: string) => (request.params as Record<string, string>)[name];
const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : null);

function badgeInput(b: Body): CustomBadgeInput {
  const out: CustomBadgeInput = {};
  for (const name of ['name', 'description', 'icon', 'category'] as const) {
    const v = b[name];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw invalidParameter(`${name} must be a string`);
    out[name] = v;
  }
  return out;
}

export async function registerCommunityAdminRoutes(api: FastifyInstance, { ctx, admin }: AdminKit): Promise<void> {
  const write = <T>(actor: MemberActor, fn: (w: Write) => Promise<T>) => transact(ctx, actor, fn);
  const publicBase = (request: FastifyRequest) => ctx.config.publicUrl ?? `${request.protocol}://${request.host}`;
  const loadCustom = async (id: string) => {
    const row = /^\d{1,20}$/.test(id) ? await findCustomBadge(ctx.db, id) : undefined;
    if (!row) throw new AppError('unknown_object', `No custom badge with id ${id}`);
    return row;
  };
  const loadMember = async (id: string) => {
    const member = /^\d{1,20}$/.test(id) ? await findMemberById(ctx.db, id) : undefined;
    if (!member) throw new AppError('unknown_object', `No person with id ${id}`);
    return member;
  };

  api.get('/badges', async (request) => {
    await admin(request);
    const [catalogue, holders] = await Promise.all([badgeCatalogue(ctx), badgeHolderCounts(ctx.db)]);
    return { data: catalogue.map((b) => ({ ...b, holders: holders.get(b.id) ?? 0 })), icons: BADGE_ICONS, categories: BADGE_CATEGORIES };
  });
  api.post('/badges', async (request) => {
    const { actor } = await admin(request);
    const row = await write(actor, (w) => customBadgeCreator(w, badgeInput(bodyOf(request))));
    return { id: `workplace_custom#${row.id}` };
  });
  api.patch('/badges/:id', async (request) => {
    const { actor } = await admin(request);
    const row = await loadCustom(param(request, 'id'));
    await write(actor, (w) => customBadgeUpdater(w, row, badgeInput(bodyOf(request))));
    return { success: true };
  });
  api.delete('/badges/:id', async (request) => {
    const { actor } = await admin(request);
    const row = await loadCustom(param(request, 'id'));
    await write(actor, (w) => customBadgeDeleter(w, row));
    return { success: true };
  });
  api.get('/people/:id/badges', async (request) => {
    await admin(request);
    const [badges] = await badgesOf(ctx, [await loadMember(param(request, 'id'))]);
    return { data: badges.map((b) => ({ ...b, awarded_time: iso(b.awarded_time ?? null) })) };
  });
  api.post('/people/:id/badges', async (request) => {
    const { actor } = await admin(request);
    const member = await loadMember(param(request, 'id'));
    const badge = bodyOf(request).badge;
    if (typeof badge !== 'string') throw invalidParameter('badge must be a badge id');
    return { awarded: await write(actor, (w) => badgeAwarder(w, member, badge)) };
  });
  api.delete('/people/:id/badges/:badge', async (request) => {
    const { actor } = await admin(request);
    const member = await loadMember(param(request, 'id'));
    return { revoked: await write(actor, (w) => badgeRevoker(w, member, param(request, 'badge'))) };
  });

  // Knowledge Library editors: members who edit the library without being system admins.
  api.get('/knowledge/editors', async (request) => {
    await admin(request);
    const ids = await listKnowledgeEditors(ctx.db);
    const members = new Map((await findMembersByIds(ctx.db, ids)).map((m) => [m.id, m]));
    return { data: ids.flatMap((id) => (members.has(id) ? [{ id, name: members.get(id)!.name, email: members.get(id)!.email, title: members.get(id)!.title, active: members.get(id)!.state !== 'deactivated' }] : [])) };
  });
  api.put('/knowledge/editors/:id', async (request) => {
    const { actor } = await admin(request);
    const member = await loadMember(param(request, 'id'));
    return { changed: await write(actor, (w) => knowledgeEditorSetter(w, member, true)) };
  });
  api.delete('/knowledge/editors/:id', async (request) => {
    const { actor } = await admin(request);
    const member = await loadMember(param(request, 'id'));
    return { changed: await write(actor, (w) => knowledgeEditorSetter(w, member, false)) };
  });

  api.get('/reports', async (request) => {
    await admin(request);
    const q = request.query as Record<string, string | undefined>;
    const status = q.status === 'resolved' ? 'RESOLVED' : q.status === 'all' ? undefined : 'OPEN';
    const { rows } = await listReports(ctx.db, { status, groupIds: null }, { limit: 100, order: 'desc' });
    const names = await namesOf(ctx.db, rows.flatMap((r) => [r.author_id, r.reporter_id, r.group_id, r.resolved_by_id ?? '']));
    return {
      data: rows.map((r) => ({
        id: r.id,
        object_id: r.object_id,
        object_type: r.object_type,
        post_id: r.post_id,
        group: { id: r.group_id, name: names.get(r.group_id) ?? null },
        author: { id: r.author_id, name: names.get(r.author_id) ?? null },
        reporter: { id: r.reporter_id, type: r.reporter_type, name: names.get(r.reporter_id) ?? null },
        excerpt: r.excerpt,
        reason: r.reason,
        status: r.status,
        resolution: r.resolution,
        resolution_note: r.resolution_note,
        created_time: iso(r.created_time),
        resolved_time: iso(r.resolved_time),
      })),
    };
  });
  api.post('/reports/:id/resolve', async (request) => {
    const { actor } = await admin(request);
    const report = await findReport(ctx.db, param(request, 'id'));
    if (!report) throw new AppError('unknown_object', `No report with id ${param(request, 'id')}`);
    const b = bodyOf(request);
    const resolution = typeof b.resolution === 'string' ? (b.resolution.toUpperCase() as ReportResolution) : undefined;
    if (!resolution || !RESOLUTIONS.includes(resolution)) throw invalidParameter(`resolution must be one of ${RESOLUTIONS.join(', ')}`);
    if (b.note !== undefined && typeof b.note !== 'string') throw invalidParameter('note must be a string');
    const current = await findReportTarget(ctx.db, report.object_id);
    await write(actor, (w) => reportResolver(w, report, resolution, b.note as string | undefined, current));
    return { success: true };
  });

  const jobView = (request: FastifyRequest, job: Awaited<ReturnType<typeof listExportJobs>>[number]) => ({
    id: job.id,
    type: job.type,
    status: job.status,
    progress: { done: job.progress, total: job.total },
    error: job.error,
    download_url: exportDownloadUrl(ctx, publicBase(request), job) ?? null,
    requested_by: { type: job.requested_by_type, id: job.requested_by_id },
    created_time: iso(job.created_time),
    finished_time: iso(job.finished_time),
  });
  api.get('/exports', async (request) => {
    await admin(request);
    return { data: (await listExportJobs(ctx.db, 20)).map((j) => jobView(request, j)) };
  });
  api.get('/exports/:id', async (request) => {
    await admin(request);
    const job = await findExportJob(ctx.db, param(request, 'id'));
    if (!job) throw new AppError('unknown_object', `No export with id ${param(request, 'id')}`);
    return jobView(request, job);
  });
  api.post('/exports', async (request) => {
    const { actor } = await admin(request);
    const job = await write(actor, (w) => exportRequester(w));
    return jobView(request, job);
  });
}
