import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { mediaPath } from '../presenters/media.js';
import { groupSummary } from '../presenters/group.js';
import { findInvitesOf } from '../db/repositories/account.js';
import { findAppById, usageSince } from '../db/repositories/app.js';
import { countSearchMembers, listGroupRoster, listGroupsWithCounts, listReports, namesOf, searchAuditEvents, searchMembers } from '../db/repositories/directory.js';
import { findGroupById, findMembership, type GroupRow } from '../db/repositories/group.js';
import { findMediaByIds } from '../db/repositories/media.js';
import { findMemberById, findMembersByIds, type MemberRow } from '../db/repositories/member.js';
import type { AccountState } from '../db/schema.js';
import type { MemberActor } from '../domain/actor.js';
import { type AccountFields, accountUpdater, claimLink, openInvite, userProvisioner, withAccountGuard } from '../domain/commands/account.js';
import { groupCreator, type GroupFields, groupUpdater, JOIN_SETTINGS, POST_PERMISSIONS, PRIVACIES } from '../domain/commands/group.js';
import { groupMemberAdder, groupMemberRemover, groupRoleRevoker } from '../domain/commands/groupMembership.js';
import { adminGranter } from '../domain/commands/people.js';
import { transact, type Write } from '../domain/commands/shared.js';
import { AppError, invalidParameter } from '../errors.js';
import { linkBase } from '../http/links.js';
import { changePicture } from '../member/profilePicture.js';
import { PICTURE_BODY_LIMIT, requiredPicture } from '../http/pictureBody.js';
import { queryInteger, timeCursor, type WebQuery, webQuery } from '../http/query.js';

// The admin panel's People, Groups and Security log screens, and the integration picture and
// activity: routes under /admin/api registered by registerAdminApi, behind the same session.

export interface AdminKit {
  ctx: Context;
  /** The signed-in admin; throws not_authenticated, or csrf_failed on a change without the token. */
  admin(request: FastifyRequest): Promise<{ actor: MemberActor }>;
}

type Body = Record<string, unknown>;
const bodyOf = (request: FastifyRequest): Body => (request.body && typeof request.body === 'object' ? (request.body as Body) : {});
const idParam = (request: FastifyRequest, name = 'id') => (request.params as Record<string, string>)[name];
const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);

function optionalText(b: Body, name: string): string | null | undefined {
  const v = b[name];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'string') throw invalidParameter(`${name} must be a string`);
  return v;
}

function oneOf<T extends string>(b: Body, name: string, allowed: readonly T[]): T | undefined {
  const v = b[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw invalidParameter(`${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** A signed link to a stored picture (or its remote URL); null when there is none. */
export function pictureUrl(ctx: Context, media: { id: string; source_url: string | null; file_name: string | null } | undefined): string | null {
  return media ? mediaPath(ctx.mediaLinks, media) : null;
}

/** A person as the admin panel lists them. */
function personView(ctx: Context, m: MemberRow, pictures: Map<string, { id: string; source_url: string | null; file_name: string | null }>) {
  return {
    id: m.id,
    name: m.name,
    email: m.email,
    title: m.title,
    department: m.department,
    division: m.division,
    organization: m.organization,
    employee_number: m.employee_number,
    cost_center: m.cost_center,
    primary_phone: m.primary_phone,
    primary_address: m.primary_address,
    locale: m.locale,
    manager_id: m.manager_id,
    is_frontline: m.is_frontline === 1,
    is_admin: m.is_admin === 1,
    state: m.state,
    invited_time: iso(m.invited_time),
    claimed_time: iso(m.claimed_time),
    deactivated_time: iso(m.deactivated_time),
    created_time: iso(m.created_time),
    picture_url: m.picture_media_id ? pictureUrl(ctx, pictures.get(m.picture_media_id)) : null,
  };
}

async function peopleViews(ctx: Context, members: MemberRow[]) {
  const media = await findMediaByIds(ctx.db, members.map((m) => m.picture_media_id).filter((id): id is string => !!id));
  const pictures = new Map(media.map((m) => [m.id, m]));
  return members.map((m) => personView(ctx, m, pictures));
}

const STATE_FILTERS: Record<string, { states: AccountState[]; adminsOnly?: boolean }> = {
  all: { states: ['provisioned', 'invited', 'claimed', 'deactivated'] },
  active: { states: ['provisioned', 'invited', 'claimed'] },
  invited: { states: ['invited'] },
  provisioned: { states: ['provisioned'] },
  claimed: { states: ['claimed'] },
  deactivated: { states: ['deactivated'] },
  admins: { states: ['provisioned', 'invited', 'claimed'], adminsOnly: true },
};

/** Admin panel profile fields, in SCIM's vocabulary for the account commands. */
function accountFields(b: Body): AccountFields {
  const f: AccountFields = {};
  const name = optionalText(b, 'name');
  if (name !== undefined) {
    if (!name?.trim()) throw invalidParameter('A person needs a name');
    f.name = { formatted: name.trim() };
  }
  const email = optionalText(b, 'email');
  if (email !== undefined) f.userName = email?.trim() || null;
  const map: [string, keyof AccountFields][] = [
    ['title', 'title'],
    ['department', 'department'],
    ['division', 'division'],
    ['organization', 'organization'],
    ['employee_number', 'employeeNumber'],
    ['cost_center', 'costCenter'],
    ['locale', 'locale'],
    ['primary_phone', 'primaryPhone'],
    ['primary_address', 'primaryAddress'],
    ['manager_id', 'managerId'],
  ];
  for (const [wire, field] of map) {
    const v = optionalText(b, wire);
    if (v !== undefined) (f as Record<string, unknown>)[field] = v === null || v.trim() === '' ? null : v.trim();
  }
  if (typeof b.is_frontline === 'boolean') f.isFrontline = b.is_frontline;
  return f;
}

function groupFields(b: Body): GroupFields {
  return {
    name: optionalText(b, 'name') ?? undefined,
    description: optionalText(b, 'description'),
    privacy: oneOf(b, 'privacy', PRIVACIES),
    join_setting: oneOf(b, 'join_setting', JOIN_SETTINGS),
    post_permissions: oneOf(b, 'post_permissions', POST_PERMISSIONS),
    archived: typeof b.archived === 'boolean' ? b.archived : undefined,
  };
}

function groupView(g: GroupRow & { member_count?: number }) {
  return { ...groupSummary(g), created_time: iso(g.created_time), updated_time: iso(g.updated_time) };
}

/** Epoch ms from an ISO time or a number; undefined when absent. */
function timeParam(value: string | undefined, name: string): number | undefined {
  if (!value) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw invalidParameter(`${name} must be a time (ISO 8601 or epoch milliseconds)`);
  return ms;
}

/** A CSV cell, quoted; cells a spreadsheet would run as a formula start with a quote mark. */
function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export async function registerAdminPanelRoutes(api: FastifyInstance, { ctx, admin }: AdminKit): Promise<void> {
  const write = <T>(actor: MemberActor, fn: (w: Write) => Promise<T>) => transact(ctx, actor, fn);
  const loadMember = async (id: string) => {
    const member = /^\d{1,20}$/.test(id) ? await findMemberById(ctx.db, id) : undefined;
    if (!member) throw new AppError('unknown_object', `No person with id ${id}`);
    return member;
  };
  const loadGroup = async (id: string) => {
    const group = /^\d{1,20}$/.test(id) ? await findGroupById(ctx.db, id) : undefined;
    if (!group) throw new AppError('unknown_object', `No group with id ${id}`);
    return group;
  };
  const personDetail = async (request: FastifyRequest, member: MemberRow) => {
    const [view] = await peopleViews(ctx, [member]);
    const [manager] = member.manager_id ? await findMembersByIds(ctx.db, [member.manager_id]) : [];
    const reports = await listReports(ctx.db, member.id);
    const [invite] = member.state === 'invited' ? await findInvitesOf(ctx.db, [member.id]) : [];
    const opened = invite ? openInvite(ctx, invite) : undefined;
    const base = linkBase(ctx.config, request);
    return {
      ...view,
      manager: manager ? { id: manager.id, name: manager.name } : null,
      reports: reports.map((r) => ({ id: r.id, name: r.name, title: r.title })),
      invite: invite && opened ? { claim_link: base ? claimLink(base, opened.token) : null, access_code: opened.accessCode, expires_time: iso(invite.expires_time) } : null,
    };
  };
  const links = (request: FastifyRequest) => ({ linkBase: linkBase(ctx.config, request) });

  // People
  api.get('/people', async (request) => {
    await admin(request);
    const q = webQuery(request);
    const state = q.state ?? 'all';
    const filter = Object.hasOwn(STATE_FILTERS, state) ? STATE_FILTERS[state] : undefined;
    if (!filter) throw invalidParameter(`state must be one of ${Object.keys(STATE_FILTERS).join(', ')}`);
    const limit = queryInteger(q, 'limit', { min: 1, max: 500, fallback: 50 });
    const offset = queryInteger(q, 'offset', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 });
    const search = { q: q.q, ...filter, limit, offset };
    const [rows, total] = await Promise.all([searchMembers(ctx.db, search), countSearchMembers(ctx.db, search)]);
    return { data: await peopleViews(ctx, rows), total, offset, limit };
  });
  api.get('/people/:id', async (request) => {
    await admin(request);
    return personDetail(request, await loadMember(idParam(request)));
  });
  api.post('/people', async (request) => {
    const { actor } = await admin(request);
    const b = bodyOf(request);
    const email = optionalText(b, 'email')?.trim();
    if (!email) throw invalidParameter('An email address is required to invite someone');
    const fields = { ...accountFields(b), userName: email, invited: b.invite !== false };
    if (!fields.name) throw invalidParameter('A person needs a name');
    const member = await write(actor, (w) => userProvisioner(w, fields, links(request)));
    return personDetail(request, (await findMemberById(ctx.db, member.id))!);
  });
  api.patch('/people/:id', async (request) => {
    const { actor } = await admin(request);
    const member = await loadMember(idParam(request));
    await write(actor, (w) => accountUpdater(w, member, accountFields(bodyOf(request)), links(request)));
    return personDetail(request, (await findMemberById(ctx.db, member.id))!);
  });
  api.post('/people/:id/invite', async (request) => {
    const { actor } = await admin(request);
    const member = await loadMember(idParam(request));
    if (member.state !== 'provisioned') throw new AppError('conflict', `Only provisioned accounts can be invited; this one is ${member.state}`);
    await write(actor, (w) => accountUpdater(w, member, { invited: true }, links(request)));
    return personDetail(request, (await findMemberById(ctx.db, member.id))!);
  });
  for (const [path, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    api.post(`/people/:id/${path}`, async (request) => {
      const { actor } = await admin(request);
      const member = await loadMember(idParam(request));
      await withAccountGuard(ctx, actor, () => write(actor, (w) => accountUpdater(w, member, { active }, links(request))));
      return personDetail(request, (await findMemberById(ctx.db, member.id))!);
    });
  }
  api.post('/people/:id/admin', async (request) => {
    const { actor } = await admin(request);
    const member = await loadMember(idParam(request));
    const b = bodyOf(request);
    if (typeof b.admin !== 'boolean') throw invalidParameter('admin must be true or false');
    await write(actor, (w) => adminGranter(w, member, b.admin as boolean));
    return personDetail(request, (await findMemberById(ctx.db, member.id))!);
  });

  api.put('/people/:id/picture', { bodyLimit: PICTURE_BODY_LIMIT }, async (request) => {
    const { actor } = await admin(request);
    const member = await loadMember(idParam(request));
    await changePicture(ctx, actor, member, requiredPicture(bodyOf(request)));
    return personDetail(request, (await findMemberById(ctx.db, member.id))!);
  });
  api.delete('/people/:id/picture', async (request) => {
    const { actor } = await admin(request);
    const member = await loadMember(idParam(request));
    await changePicture(ctx, actor, member, null);
    return personDetail(request, (await findMemberById(ctx.db, member.id))!);
  });

  // Groups
  api.get('/groups/:id', async (request) => {
    await admin(request);
    const group = await loadGroup(idParam(request));
    const roster = await listGroupRoster(ctx.db, group.id, 1000);
    const views = await peopleViews(ctx, roster);
    return {
      ...groupView({ ...group, member_count: roster.length }),
      members: roster.map((m, i) => ({ ...views[i], role: m.role, joined_time: iso(m.joined_time) })),
    };
  });
  api.post('/groups', async (request) => {
    const { actor } = await admin(request);
    const b = bodyOf(request);
    const adminId = optionalText(b, 'admin_id') ?? undefined;
    const group = await write(actor, (w) => groupCreator(w, { ...groupFields(b), name: optionalText(b, 'name') ?? '', adminId }));
    return groupView(group);
  });
  api.patch('/groups/:id', async (request) => {
    const { actor } = await admin(request);
    const group = await loadGroup(idParam(request));
    await write(actor, (w) => groupUpdater(w, group, groupFields(bodyOf(request))));
    return groupView((await findGroupById(ctx.db, group.id))!);
  });
  api.put('/groups/:id/members/:memberId', async (request) => {
    const { actor } = await admin(request);
    const group = await loadGroup(idParam(request));
    const member = await loadMember(idParam(request, 'memberId'));
    const role = oneOf(bodyOf(request), 'role', ['member', 'moderator', 'admin'] as const) ?? 'member';
    await write(actor, async (w) => {
      const current = await findMembership(w.trx, group.id, member.id);
      if (current && current.role !== 'member' && role !== current.role) await groupRoleRevoker(w, group, member.id, current.role);
      if (!current || role !== 'member') await groupMemberAdder(w, group, member.id, role);
    });
    return { success: true };
  });
  api.delete('/groups/:id/members/:memberId', async (request) => {
    const { actor } = await admin(request);
    const group = await loadGroup(idParam(request));
    const result = await write(actor, (w) => groupMemberRemover(w, group, idParam(request, 'memberId')));
    return { success: true, group_deleted: result.groupDeleted };
  });
  api.get('/group-list', async (request) => {
    await admin(request);
    const q = webQuery(request);
    const rows = await listGroupsWithCounts(ctx.db, { q: q.q, limit: 1000 });
    return { data: rows.map(groupView) };
  });

  // Security log
  const auditSearch = async (q: WebQuery, limit: number) => {
    let actorIds: string[] | undefined;
    if (q.actor?.trim()) {
      const actor = q.actor.trim();
      const byEmail = actor.includes('@') ? await searchMembers(ctx.db, { q: actor, states: ['provisioned', 'invited', 'claimed', 'deactivated'], limit: 20 }) : [];
      actorIds = actor.includes('@') ? byEmail.filter((m) => m.email?.toLowerCase() === actor.toLowerCase()).map((m) => m.id) : [actor];
    }
    const rows = await searchAuditEvents(ctx.db, {
      actorIds,
      targetId: q.target || undefined,
      type: q.type?.trim() || undefined,
      since: timeParam(q.since, 'since'),
      until: timeParam(q.until, 'until'),
      before: timeCursor(q, 'before'),
      limit,
    });
    const names = await namesOf(ctx.db, rows.flatMap((r) => [r.actor_id ?? '', r.target_id ?? '']));
    return rows.map((r) => ({
      id: r.id,
      time: new Date(r.time).toISOString(),
      actor: { type: r.actor_type, id: r.actor_id, name: r.actor_id ? names.get(r.actor_id) ?? null : null },
      action: r.action,
      target: { type: r.target_type, id: r.target_id, name: r.target_id ? names.get(r.target_id) ?? null : null },
      old_value: r.old_value ? JSON.parse(r.old_value) : null,
      new_value: r.new_value ? JSON.parse(r.new_value) : null,
      cursor: `${r.time}_${r.id}`,
    }));
  };
  api.get('/security-log', async (request) => {
    await admin(request);
    const q = webQuery(request);
    const limit = queryInteger(q, 'limit', { min: 1, max: 1000, fallback: 100 });
    const data = await auditSearch(q, limit);
    return { data, next: data.length === limit ? data[data.length - 1].cursor : null };
  });
  api.get('/security-log.csv', async (request, reply) => {
    await admin(request);
    const rows = await auditSearch(webQuery(request), 10_000);
    const header = ['time', 'actor_type', 'actor_id', 'actor_name', 'action', 'target_type', 'target_id', 'target_name', 'old_value', 'new_value'];
    const lines = rows.map((r) => [r.time, r.actor.type, r.actor.id, r.actor.name, r.action, r.target.type, r.target.id, r.target.name, r.old_value, r.new_value].map(csvCell).join(','));
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="security-log-${new Date(ctx.clock.now()).toISOString().slice(0, 10)}.csv"`)
      .header('cache-control', 'no-store');
    return [header.join(','), ...lines].join('\r\n') + '\r\n';
  });

  // Integration picture and activity
  api.get('/integrations/:id/picture', async (request, reply) => {
    await admin(request);
    const app = await findAppById(ctx.db, idParam(request));
    const [media] = app?.picture_media_id ? await findMediaByIds(ctx.db, [app.picture_media_id]) : [];
    reply.header('cache-control', 'private, no-cache');
    return reply.redirect(pictureUrl(ctx, media) ?? '/media/silhouette.svg', 302);
  });
  api.get('/integrations/:id/activity', async (request) => {
    await admin(request);
    const app = await findAppById(ctx.db, idParam(request));
    if (!app) throw new AppError('unknown_object', `No integration with id ${idParam(request)}`);
    const now = ctx.clock.now();
    const days = Array.from({ length: 30 }, (_, i) => new Date(now - (29 - i) * 86_400_000).toISOString().slice(0, 10));
    const usage = await usageSince(ctx.db, [app.id], days[0]);
    const writes = await auditSearch({ actor: app.id }, 50);
    return {
      last_request_time: iso(app.last_request_time),
      requests_30d: days.map((day) => ({ day, requests: Number(usage.find((u) => u.day === day)?.requests ?? 0) })),
      recent_writes: writes,
    };
  });
}
