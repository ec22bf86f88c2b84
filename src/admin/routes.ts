import { transact, type Write } from '../domain/commands/shared.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkSession, checkSignInOrigin, sessionCookie, signInGuard } from '../http/sessions.js';
import { queryInteger, webQuery } from '../http/query.js';
import { webErrorHandler } from '../http/webErrors.js';
import type { Context } from '../context.js';
import { listAuditEvents } from '../db/repositories/event.js';
import { listGroups } from '../db/repositories/group.js';
import type { MemberActor } from '../domain/actor.js';
import { adminSignIn, adminSignOut, SESSION_MS, sessionAdmin } from '../domain/commands/session.js';
import { permissionCatalogue } from '../domain/permissions.js';
import { registerIntegrationAdminApi } from './integrations.js';
import { registerWebhookAdminApi } from './webhooks.js';
import { registerAutomationAdminApi } from './automation.js';
import { registerCommunityAdminRoutes } from './community.js';
import { registerAdminPanelRoutes } from './panel.js';

const COOKIE = 'cp_session';

type Body = Record<string, unknown>;

/**
 * The admin JSON API under /admin/api: session sign-in for system admins (cookie + CSRF header
 * on every change, back-off after failed attempts), the permission, group and audit lists; the
 * integration, webhook and panel routes are registered from their own files.
 */
export async function registerAdminApi(app: FastifyInstance, ctx: Context): Promise<void> {
  const guarded = signInGuard(ctx);

  async function admin(request: FastifyRequest): Promise<{ actor: MemberActor; token: string; name: string }> {
    const { token, session } = await checkSession(request, COOKIE, (t) => sessionAdmin(ctx, t));
    return { actor: { kind: 'member', memberId: session.member.id, isAdmin: true }, token, name: session.member.name };
  }

  const body = (request: FastifyRequest): Body => (request.body && typeof request.body === 'object' ? (request.body as Body) : {});
  const write = <T>(actor: MemberActor, fn: (w: Write) => Promise<T>) => transact(ctx, actor, fn);

  await app.register(
    async (api) => {
      api.setErrorHandler(webErrorHandler('admin'));

      api.post('/session', async (request, reply) => {
        const b = body(request);
        const email = typeof b.email === 'string' ? b.email : '';
        const password = typeof b.password === 'string' ? b.password : '';
        checkSignInOrigin(ctx.config, request);
        const signedIn = await guarded(request, email, () => adminSignIn(ctx, email, password));
        reply.header('set-cookie', sessionCookie(ctx.config, request, COOKIE, signedIn.token, SESSION_MS / 1000));
        return { csrf_token: signedIn.csrfToken, member: { id: signedIn.member.id, name: signedIn.member.name, email: signedIn.member.email } };
      });
      api.get('/session', async (request) => {
        const { session } = await checkSession(request, COOKIE, (t) => sessionAdmin(ctx, t));
        return { csrf_token: session.csrfToken, member: { id: session.member.id, name: session.member.name, email: session.member.email } };
      });
      api.delete('/session', async (request, reply) => {
        const { actor, token } = await admin(request);
        await adminSignOut(ctx, token, actor.memberId);
        reply.header('set-cookie', sessionCookie(ctx.config, request, COOKIE, '', 0));
        return { success: true };
      });

      await registerWebhookAdminApi(api, ctx, { admin, write });
      await registerIntegrationAdminApi(api, ctx, { admin, write });
      await registerAutomationAdminApi(api, ctx, { admin, write });
      await registerAdminPanelRoutes(api, { ctx, admin });
      await registerCommunityAdminRoutes(api, { ctx, admin });

      api.get('/permissions', async (request) => {
        await admin(request);
        return { data: permissionCatalogue };
      });
      api.get('/groups', async (request) => {
        await admin(request);
        const page = await listGroups(ctx.db, null, { limit: 1000, order: 'desc' });
        return { data: page.rows.map((g) => ({ id: g.id, name: g.name, privacy: g.privacy, archived: g.archived === 1 })) };
      });

      api.get('/audit', async (request) => {
        await admin(request);
        const q = webQuery(request);
        const limit = queryInteger(q, 'limit', { min: 1, max: 1000, fallback: 100 });
        const rows = await listAuditEvents(ctx.db, { actorId: q.actor, targetId: q.target, action: q.action, limit });
        return {
          data: rows.map((r) => ({
            id: r.id,
            time: new Date(r.time).toISOString(),
            actor: { type: r.actor_type, id: r.actor_id },
            action: r.action,
            target: { type: r.target_type, id: r.target_id },
            old_value: r.old_value ? JSON.parse(r.old_value) : null,
            new_value: r.new_value ? JSON.parse(r.new_value) : null,
          })),
        };
      });
    },
    { prefix: '/admin/api' },
  );
}
