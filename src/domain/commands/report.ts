import { type CommentRow, findCommentById } from '../../db/repositories/comment.js';
import { objectTypeOf } from '../../db/repositories/object.js';
import { findPostById, type PostRow } from '../../db/repositories/post.js';
import type { Db } from '../../db/database.js';
import { findOpenReport, findReport, insertReport, openReportsOf, type ReportRow, updateReport } from '../../db/repositories/reportedContent.js';
import type { ReportResolution } from '../../db/communitySchema.js';
import { lockKey } from '../../db/database.js';
import { AppError, invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import { auditActor, authorOf } from '../actor.js';
import { recordChange, type OutboxEvent } from '../events.js';
import { commentDeleter } from './comment.js';
import { postDeleter, postWireId } from './post.js';
import type { Write } from './shared.js';

export const RESOLUTIONS: readonly ReportResolution[] = ['KEEP', 'REMOVE', 'WARN'];

/** What is reported: a group post, or a comment with the post it is on. */
export type ReportTarget = { post: PostRow; comment?: CommentRow };

/** The post or comment an id names (`{group}_{post}`, a post id or a comment id), if it exists. */
export async function findReportTarget(db: Db, id: string): Promise<ReportTarget | undefined> {
  const composite = /^(\d{1,20})_(\d{1,20})$/.exec(id);
  if (composite) {
    const post = await findPostById(db, composite[2]);
    return post && post.feed_id === composite[1] ? { post } : undefined;
  }
  if (!/^\d{1,20}$/.test(id)) return undefined;
  const type = await objectTypeOf(db, id);
  if (type === 'post') {
    const post = await findPostById(db, id);
    return post && { post };
  }
  if (type === 'comment') {
    const comment = await findCommentById(db, id);
    const post = comment && (await findPostById(db, comment.post_id));
    return comment && post ? { post, comment } : undefined;
  }
  return undefined;
}

/** The object id reports use: a post's wire id (`{group}_{post}`) or a comment id. */
export function reportedObjectId(target: ReportTarget): string {
  return target.comment ? target.comment.id : postWireId(target.post);
}

/** The `group` webhook event of a report (field `reported_content`), for subscribers of the group. */
function reportEvent(report: ReportRow, verb: 'add' | 'resolve'): OutboxEvent {
  return {
    topic: 'group',
    field: 'reported_content',
    entryId: report.group_id,
    orderingKey: `group:${report.group_id}`,
    value: {
      verb,
      report_id: report.id,
      object_id: report.object_id,
      object_type: report.object_type,
      post_id: report.post_id,
      group_id: report.group_id,
      reason: report.reason,
      status: report.status,
      resolution: report.resolution ?? undefined,
      created_time: Math.floor(report.created_time / 1000),
    },
  };
}

/** Reports a group post or comment for admin review. A second report by the same reporter is the same report. */
export async function contentReporter(w: Write, target: ReportTarget, reason: string | undefined): Promise<{ report: ReportRow; created: boolean }> {
  const { post, comment } = target;
  if (post.feed_type !== 'group') throw invalidParameter('Only posts and comments in groups can be reported');
  const text = (reason ?? '').trim();
  if (text.length > 1000) throw invalidParameter('A reason takes at most 1000 characters');
  const reporter = authorOf(w.actor);
  const objectId = reportedObjectId(target);
  await lockKey(w.trx, `report:${objectId}:${reporter.id}`);
  const open = await findOpenReport(w.trx, objectId, reporter.id);
  if (open) return { report: open, created: false };
  const report: ReportRow = {
    id: newId(),
    object_id: objectId,
    object_type: comment ? 'comment' : 'post',
    post_id: postWireId(post),
    group_id: post.feed_id,
    author_id: (comment ?? post).author_id,
    excerpt: ((comment ?? post).message ?? '').slice(0, 500),
    reporter_type: reporter.type === 'page' ? 'integration' : 'member',
    reporter_id: reporter.id,
    reason: text,
    status: 'OPEN',
    resolution: null,
    resolution_note: null,
    resolved_by_type: null,
    resolved_by_id: null,
    resolved_time: null,
    created_time: w.ctx.clock.now(),
  };
  await insertReport(w.trx, report);
  await recordChange(w.trx, w.ctx, w.actor, { action: 'report.created', target: { type: 'reported_content', id: report.id }, new: { object_id: objectId, reason: text }, events: [reportEvent(report, 'add')] });
  return { report, created: true };
}

/**
 * Resolves a report: KEEP leaves the content, REMOVE deletes it (with its own audit event), WARN
 * keeps it and shows the author the note. Every open report of the same object is resolved with it.
 * `current` is the reported content when it still exists.
 */
export async function reportResolver(w: Write, loaded: ReportRow, resolution: ReportResolution, note: string | undefined, current: ReportTarget | undefined): Promise<ReportRow> {
  await lockKey(w.trx, `report:${loaded.object_id}`);
  const report = (await findReport(w.trx, loaded.id)) ?? loaded;
  if (report.status !== 'OPEN') throw new AppError('conflict', `(#100) Report ${report.id} was already resolved (${report.resolution})`);
  if (!RESOLUTIONS.includes(resolution)) throw invalidParameter(`resolution must be one of ${RESOLUTIONS.join(', ')}`);
  const text = (note ?? '').trim();
  if (text.length > 1000) throw invalidParameter('A note takes at most 1000 characters');
  if (resolution === 'REMOVE' && current) {
    if (current.comment) await commentDeleter(w, current.post, current.comment);
    else await postDeleter(w, current.post);
  }
  const who = auditActor(w.actor);
  const now = w.ctx.clock.now();
  const changes = { status: 'RESOLVED' as const, resolution, resolution_note: text || null, resolved_by_type: who.actor_type, resolved_by_id: who.actor_id, resolved_time: now };
  const reports = await openReportsOf(w.trx, report.object_id);
  for (const r of reports) await updateReport(w.trx, r.id, changes);
  const resolved = { ...report, ...changes };
  await recordChange(w.trx, w.ctx, w.actor, {
    action: 'report.resolved',
    target: { type: 'reported_content', id: report.id },
    old: { status: 'OPEN' },
    new: { resolution, note: text || undefined, reports: reports.map((r) => r.id) },
    events: reports.map((r) => reportEvent({ ...r, ...changes }, 'resolve')),
  });
  return resolved;
}
