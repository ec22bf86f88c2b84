import { findMemberByEmail, findMemberById, type MemberRow } from '../../../db/repositories/member.js';
import { accountUpdater, withAccountGuard } from '../../../domain/commands/account.js';
import { exportRequester } from '../../../domain/commands/exportJob.js';
import { adminGranter } from '../../../domain/commands/people.js';
import { contentReporter, findReportTarget } from '../../../domain/commands/report.js';
import { invalidParameter, unknownObject } from '../../../errors.js';
import { authorize } from '../../../policies/graph.js';
import type { NodeRoute } from '../../registry.js';
import { type GraphRequest, success } from '../../request.js';
import type { CommunityNode } from './node.js';
import { quickLinkCreator } from '../../../domain/commands/knowledge.js';
import { categoryParams, createRootCategory } from '../knowledge_category/routes.js';
import { quickLinkParams } from '../knowledge_quick_link/node.js';

// The community's writes beyond groups and accounts: system admins and members
// (POST/DELETE /community/admins, /community/members), the employee data export, and reports.

/** The member a collection write names: one of `names`, or the third path segment; an id or an email. */
async function namedMember(req: GraphRequest<CommunityNode>, names: readonly string[]): Promise<MemberRow> {
  const given = req.subId ?? names.map((n) => req.params.string(n)).find((v) => v !== undefined && v !== '');
  if (!given) throw invalidParameter(`The parameter ${names[0]} is required`);
  const member = given.includes('@') ? await findMemberByEmail(req.ctx.db, given) : /^\d{1,20}$/.test(given) ? await findMemberById(req.ctx.db, given) : undefined;
  if (!member) throw unknownObject(given, req.method.toLowerCase());
  return member;
}

/** Grants or takes the system admin role (the last active admin keeps it). */
function setAdmin(admin: boolean) {
  return async (req: GraphRequest<CommunityNode>) => {
    authorize(req.actor, 'community.admins.write');
    const member = await namedMember(req, ['uid', 'member', 'user', 'email']);
    await req.write((w) => adminGranter(w, member, admin));
    return success;
  };
}

/** Brings an account back into the community, or deactivates it. */
function setMember(active: boolean) {
  return async (req: GraphRequest<CommunityNode>) => {
    authorize(req.actor, 'community.members.write');
    const member = await namedMember(req, ['member', 'uid', 'user', 'email']);
    const links = { linkBase: req.linkBase };
    await withAccountGuard(req.ctx, req.actor, () => req.write((w) => accountUpdater(w, member, { active }, links)));
    return success;
  };
}

async function exportEmployeeData(req: GraphRequest<CommunityNode>) {
  authorize(req.actor, 'export.employee_data');
  const job = await req.write((w) => exportRequester(w));
  return { id: job.id };
}

async function reportContent(req: GraphRequest<CommunityNode>) {
  const id = ['id', 'object_id', 'post_id', 'comment_id'].map((n) => req.params.string(n)).find((v) => v);
  if (!id) throw invalidParameter('The parameter id (the post or comment to report) is required');
  const target = await findReportTarget(req.ctx.db, id);
  if (!target || target.post.feed_type !== 'group') throw unknownObject(id, 'post');
  authorize(req.actor, 'content.report', { groupId: target.post.feed_id, id, method: 'post' });
  const { report } = await req.write((w) => contentReporter(w, target, req.params.string('reason')));
  return { id: report.id };
}

const adminParams = [{ name: 'uid', description: 'Member id or email (also member=, user=, or the third path segment)', required: true }] as const;
const memberParams = [{ name: 'member', description: 'Member id or email (also uid=, user=, or the third path segment)', required: true }] as const;

async function createQuickLink(req: GraphRequest<CommunityNode>) {
  authorize(req.actor, 'knowledge.write');
  const row = await req.write((w) => quickLinkCreator(w, { title: req.params.rawString('title'), link: req.params.rawString('link') }));
  return { id: row.id };
}

export const communityFeatureRoutes: readonly NodeRoute<CommunityNode>[] = [
  { edge: 'admins', method: 'POST', handler: setAdmin(true), summary: 'Make a member a system admin', params: adminParams },
  { edge: 'admins', method: 'DELETE', handler: setAdmin(false), subId: true, summary: 'Take the system admin role away (never from the last active admin)', params: adminParams },
  { edge: 'members', method: 'POST', handler: setMember(true), summary: 'Bring a deactivated account back into the community', params: memberParams },
  { edge: 'members', method: 'DELETE', handler: setMember(false), subId: true, summary: 'Remove a member from the community (deactivate the account)', params: memberParams },
  { edge: 'export_employee_data', method: 'POST', handler: exportEmployeeData, summary: 'Schedule an employee data export (WORK_FILE_EXPORT_USER); poll GET /{job-id}' },
  {
    edge: 'reported_content',
    method: 'POST',
    handler: reportContent,
    summary: 'Report a post or comment in a group for admin review',
    params: [
      { name: 'id', description: 'The post ({group}_{post} or its id) or comment to report', required: true },
      { name: 'reason', description: 'Why it is reported' },
    ],
  },
  { edge: 'knowledge_library_categories', method: 'POST', handler: createRootCategory, summary: 'Create a root Knowledge Library category', params: categoryParams },
  { edge: 'knowledge_quick_links', method: 'POST', handler: createQuickLink, summary: 'Add a Knowledge Library quick link', params: quickLinkParams },
];
