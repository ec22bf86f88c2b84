import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { findGroupById, findMembership } from '../db/repositories/group.js';
import { findMemberById } from '../db/repositories/member.js';
import { warningsOf } from '../db/repositories/reportedContent.js';
import { contentReporter, findReportTarget } from '../domain/commands/report.js';
import { memberMay } from '../policies/member.js';
import { findSkillByName, listSkills, membersWithSkill, skillsOfMember } from '../db/repositories/skill.js';
import type { MemberActor } from '../domain/actor.js';
import { transact, type Write } from '../domain/commands/shared.js';
import { skillAdder, skillRemover } from '../domain/commands/skill.js';
import { AppError, invalidParameter } from '../errors.js';
import { webErrorHandler } from '../http/webErrors.js';
import { badgesOf } from '../domain/badges.js';
import { memberRefs } from '../presenters/memberApp.js';
import type { MemberAuth } from './routes.js';

// The member app's community API under /api: badges and skills on profiles, a member's own
// skills, finding people by skill, reporting content and the warnings a member received. Skill writes use the same commands as the Graph API.

const LIST = { limit: 200, order: 'asc' as const };

export async function registerMemberCommunityApi(app: FastifyInstance, ctx: Context, auth: MemberAuth): Promise<void> {
  const write = <T>(actor: MemberActor, fn: (w: Write) => Promise<T>) => transact(ctx, actor, fn);
  const skillsOf = async (memberId: string) => (await skillsOfMember(ctx.db, memberId, LIST)).rows.map((s) => ({ id: s.id, name: s.name }));

  await app.register(
    async (api) => {
      api.setErrorHandler(webErrorHandler('member api'));

      api.get('/people/:id/community', async (request: FastifyRequest) => {
        await auth.member(request);
        const id = (request.params as { id: string }).id;
        const person = /^\d{1,20}$/.test(id) ? await findMemberById(ctx.db, id) : undefined;
        if (!person) throw new AppError('unknown_object', 'No such person');
        const [badges] = await badgesOf(ctx, [person]);
        return {
          badges: badges.map((b) => ({ id: b.id, name: b.name, description: b.description, icon: b.icon, category: b.category, awarded_time: b.awarded_time ? new Date(b.awarded_time).toISOString() : null })),
          skills: await skillsOf(person.id),
        };
      });
      api.post('/me/skills', async (request) => {
        const { actor, member } = await auth.member(request);
        const name = (request.body as Record<string, unknown> | undefined)?.name;
        if (typeof name !== 'string') throw invalidParameter('name must be a string');
        await write(actor, (w) => skillAdder(w, member, name));
        return { skills: await skillsOf(member.id) };
      });
      api.delete('/me/skills/:name', async (request) => {
        const { actor, member } = await auth.member(request);
        await write(actor, (w) => skillRemover(w, member, (request.params as { name: string }).name));
        return { skills: await skillsOf(member.id) };
      });
      api.post('/reports', async (request) => {
        const { actor, member } = await auth.member(request);
        const b = (request.body as Record<string, unknown> | undefined) ?? {};
        if (typeof b.id !== 'string') throw invalidParameter('id must be the post or comment to report');
        if (b.reason !== undefined && typeof b.reason !== 'string') throw invalidParameter('reason must be a string');
        const target = await findReportTarget(ctx.db, b.id);
        const group = target?.post.feed_type === 'group' ? await findGroupById(ctx.db, target.post.feed_id) : undefined;
        const membership = group ? await findMembership(ctx.db, group.id, member.id) : undefined;
        if (!target || !group || !memberMay({ group, role: membership?.role ?? null }, 'read')) throw new AppError('unknown_object', 'No such post or comment');
        const { report, created } = await write(actor, (w) => contentReporter(w, target, b.reason as string | undefined));
        return { id: report.id, created };
      });
      api.get('/me/warnings', async (request) => {
        const { member } = await auth.member(request);
        const rows = await warningsOf(ctx.db, member.id, 20);
        return { data: rows.map((r) => ({ id: r.id, object_id: r.object_id, object_type: r.object_type, excerpt: r.excerpt, note: r.resolution_note, time: r.resolved_time ? new Date(r.resolved_time).toISOString() : null })) };
      });
      api.get('/skills', async (request) => {
        await auth.member(request);
        const q = (request.query as Record<string, string | undefined>).q?.trim();
        return { data: (await listSkills(ctx.db, { limit: 20, order: 'asc' }, q || undefined)).rows.map((s) => ({ id: s.id, name: s.name })) };
      });
      api.get('/skills/people', async (request) => {
        await auth.member(request);
        const name = (request.query as Record<string, string | undefined>).name?.trim() ?? '';
        const skill = name ? await findSkillByName(ctx.db, name) : undefined;
        if (!skill) return { skill: null, data: [] };
        const members = (await membersWithSkill(ctx.db, skill.id, LIST)).rows;
        return { skill: { id: skill.id, name: skill.name }, data: await memberRefs(ctx, members) };
      });
    },
    { prefix: '/api' },
  );
}
