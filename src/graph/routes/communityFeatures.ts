import { findMemberByEmail, findMemberById, type MemberRow } from '../../db/repositories/member.js';
import { accountUpdater, withAccountGuard } from '../../domain/commands/account.js';
import { badgeAwarder, badgeRevoker } from '../../domain/commands/badge.js';
import { exportRequester } from '../../domain/commands/exportJob.js';
import { adminGranter } from '../../domain/commands/people.js';
import { skillAdder, skillRemover } from '../../domain/commands/skill.js';
import { contentReporter, findReportTarget, reportResolver, RESOLUTIONS } from '../../domain/commands/report.js';
import type { ReportResolution } from '../../db/communitySchema.js';
import { invalidParameter, unknownObject } from '../../errors.js';
import { authorize } from '../../policies/graph.js';
import { readNode, listEdge } from '../read.js';
import { type GraphRequest, type GraphRoute, success } from '../request.js';

// Graph routes of the community features: badges and skills on profiles, community admin and
// member writes, the employee data export, and reported content. They move into the node registry when it lands.

function memberOf(req: GraphRequest): MemberRow {
  if (req.node.type !== 'member') throw new Error('member route on another node');
  return req.node.row;
}

/** `badge=` from the parameters, or the third path segment (`DELETE /{member}/badges/{badge}`). */
function badgeParam(req: GraphRequest): string {
  const badge = req.subId ?? req.params.string('badge');
  if (!badge) throw invalidParameter('The parameter badge is required');
  return badge;
}

async function awardBadge(req: GraphRequest) {
  const member = memberOf(req);
  authorize(req.actor, 'member.badges.write');
  await req.write((w) => badgeAwarder(w, member, badgeParam(req)));
  return success;
}

async function revokeBadge(req: GraphRequest) {
  const member = memberOf(req);
  authorize(req.actor, 'member.badges.write');
  await req.write((w) => badgeRevoker(w, member, badgeParam(req)));
  return success;
}

async function addSkill(req: GraphRequest) {
  const member = memberOf(req);
  authorize(req.actor, 'member.skills.write');
  const { skill } = await req.write((w) => skillAdder(w, member, req.params.string('name')));
  return { id: skill.id };
}

async function removeSkill(req: GraphRequest) {
  const member = memberOf(req);
  authorize(req.actor, 'member.skills.write');
  await req.write((w) => skillRemover(w, member, req.subId ?? req.params.string('name')));
  return success;
}

/** The member a community collection write names: `uid`, `member`, `user` or `email`, or the third segment. */
async function namedMember(req: GraphRequest, names: readonly string[]): Promise<MemberRow> {
  const given = req.subId ?? names.map((n) => req.params.string(n)).find((v) => v !== undefined && v !== '');
  if (!given) throw invalidParameter(`The parameter ${names[0]} is required`);
  const member = given.includes('@') ? await findMemberByEmail(req.ctx.db, given) : /^\d{1,20}$/.test(given) ? await findMemberById(req.ctx.db, given) : undefined;
  if (!member) throw unknownObject(given, req.method.toLowerCase());
  return member;
}

/** POST/DELETE /community/admins `uid=`: grants or takes the system admin role (the last admin keeps it). */
function setAdmin(admin: boolean) {
  return async (req: GraphRequest) => {
    authorize(req.actor, 'community.admins.write');
    const member = await namedMember(req, ['uid', 'member', 'user', 'email']);
    await req.write((w) => adminGranter(w, member, admin));
    return success;
  };
}

/** POST/DELETE /community/members `member=`: brings an account back into the community, or deactivates it. */
function setMember(active: boolean) {
  return async (req: GraphRequest) => {
    authorize(req.actor, 'community.members.write');
    const member = await namedMember(req, ['member', 'uid', 'user', 'email']);
    const links = { publicBase: req.presentation.publicBase };
    await withAccountGuard(req.ctx, req.actor, () => req.write((w) => accountUpdater(w, member, { active }, links)));
    return success;
  };
}

async function exportEmployeeData(req: GraphRequest) {
  authorize(req.actor, 'export.employee_data');
  const job = await req.write((w) => exportRequester(w));
  return { id: job.id };
}

/** POST /community/reported_content `id=` (a post or comment in a group), `reason=`: reports it for admin review. */
async function reportContent(req: GraphRequest) {
  const id = ['id', 'object_id', 'post_id', 'comment_id'].map((n) => req.params.string(n)).find((v) => v);
  if (!id) throw invalidParameter('The parameter id (the post or comment to report) is required');
  const target = await findReportTarget(req.ctx.db, id);
  if (!target || target.post.feed_type !== 'group') throw unknownObject(id, 'post');
  authorize(req.actor, 'content.report', { groupId: target.post.feed_id, id, method: 'post' });
  const { report } = await req.write((w) => contentReporter(w, target, req.params.string('reason')));
  return { id: report.id };
}

/** POST /{report-id} `resolution=keep|remove|warn`, `note=`: resolves a report (remove also needs write_group). */
async function resolveReport(req: GraphRequest) {
  if (req.node.type !== 'reported_content') throw new Error('report route on another node');
  const report = req.node.row;
  authorize(req.actor, 'reported_content.resolve', { groupId: report.group_id, id: req.segment, method: 'post' });
  const resolution = req.params.string('resolution')?.toUpperCase() as ReportResolution | undefined;
  if (!resolution || !RESOLUTIONS.includes(resolution)) throw invalidParameter(`The parameter resolution must be one of ${RESOLUTIONS.join(', ').toLowerCase()}`);
  if (resolution === 'REMOVE') authorize(req.actor, 'group.content.moderate', { groupId: report.group_id, id: req.segment, method: 'post' });
  const current = await findReportTarget(req.ctx.db, report.object_id);
  await req.write((w) => reportResolver(w, report, resolution, req.params.string('note'), current));
  return success;
}

export const communityFeatureRoutes: GraphRoute[] = [
  { node: 'member', edge: 'badges', method: 'POST', handler: awardBadge },
  { node: 'member', edge: 'badges', method: 'DELETE', handler: revokeBadge, subId: true },
  { node: 'member', edge: 'skills', method: 'POST', handler: addSkill },
  { node: 'member', edge: 'skills', method: 'DELETE', handler: removeSkill, subId: true },
  { node: 'skill', edge: null, method: 'GET', handler: readNode },
  { node: 'skill', edge: '*', method: 'GET', handler: (req) => listEdge(req) },
  { node: 'community', edge: 'admins', method: 'POST', handler: setAdmin(true) },
  { node: 'community', edge: 'admins', method: 'DELETE', handler: setAdmin(false), subId: true },
  { node: 'community', edge: 'members', method: 'POST', handler: setMember(true) },
  { node: 'community', edge: 'members', method: 'DELETE', handler: setMember(false), subId: true },
  { node: 'community', edge: 'export_employee_data', method: 'POST', handler: exportEmployeeData },
  { node: 'export_job', edge: null, method: 'GET', handler: readNode },
  { node: 'community', edge: 'reported_content', method: 'POST', handler: reportContent },
  { node: 'reported_content', edge: null, method: 'GET', handler: readNode },
  { node: 'reported_content', edge: null, method: 'POST', handler: resolveReport },
];
