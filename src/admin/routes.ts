import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkSignInOrigin, readCookie, sessionCookie, signInGuard } from '../http/sessions.js';
import type { Context } from '../context.js';
import { findAppById } from '../db/repositories/app.js';
import { listAuditEvents } from '../db/repositories/event.js';
import { listGroups } from '../db/repositories/group.js';
import type { MemberActor } from '../domain/actor.js';
import {
  integrationCreator,
  integrationDeleter,
  integrationEnabler,
  integrationSecretRevealer,
  integrationTokenRotator,
  integrationUpdater,
} from '../domain/commands/integration.js';
import { adminSignIn, adminSignOut, SESSION_MS, sessionAdmin } from '../domain/commands/session.js';
import { permissionCatalogue } from '../domain/permissions.js';
import { safeEqual, verifyPassword } from '../domain/secrets.js';
import { AppError, formatAdminError, invalidParameter, newTraceId, toAppError } from '../errors.js';
import { listIntegrationViews, presentIntegrations } from '../presenters/integration.js';
import { findMemberById } from '../db/repositories/member.js';
import { registerWebhookAdminApi } from './webhooks.js';
import { PICTURE_BODY_LIMIT, pictureParam, registerAdminPanelRoutes } from './panel.js';
import { queryInteger, webQuery } from '../http/query.js';

const COOKIE = 'cp_session';

const cookieOf = (request: FastifyRequest) => readCookie(request, COOKIE);

type Body = Record<string, unknown>;

function text(body: Body, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidParameter(`${name} must be a string`);
  return v;
}

function strings(body: Body, name: string): string[] | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidParameter(`${name} must be a list of strings`);
  return v as string[];
}

/** `groups`: "all" or a list of group ids. */
function scope(body: Body): string[] | null | undefined {
  const v = body.groups;
  if (v === undefined) return undefined;
  if (v === 'all' || v === null) return null;
  return strings(body, 'groups');
}

/**
 * The admin JSON API under /admin/api: session sign-in for system admins (cookie + CSRF header
 * on every change, back-off after failed attempts) and integration management.
 */
export async function registerAdminApi(app: FastifyInstance, ctx: Context): Promise<void> {
  const guarded = signInGuard(ctx);

  async function admin(request: FastifyRequest): Promise<{ actor: MemberActor; token: string; name: string }> {
    const token = cookieOf(request);
    const session = token ? await sessionAdmin(ctx, token) : undefined;
    if (!token || !session) throw new AppError('not_authenticated');
    if (request.method !== 'GET' && !safeEqual(String(request.headers['x-csrf-token'] ?? ''), session.csrfToken)) throw new AppError('csrf_failed');
    return { actor: { kind: 'member', memberId: session.member.id, isAdmin: true }, token, name: session.member.name };
  }

  const body = (request: FastifyRequest): Body => (request.body && typeof request.body === 'object' ? (request.body as Body) : {});
  const write = <T>(actor: MemberActor, fn: (w: { ctx: Context; actor: MemberActor; trx: Context['db'] }) => Promise<T>) =>
    ctx.db.transaction().execute((trx) => fn({ ctx, actor, trx }));
  const view = async (appId: string) => {
    const row = await findAppById(ctx.db, appId);
    if (!row) throw new AppError('unknown_object', `No integration with id ${appId}`);
    return (await presentIntegrations(ctx.db, [row], ctx.clock.now()))[0];
  };

  await app.register(
    async (api) => {
      api.setErrorHandler((error, request, reply: FastifyReply) => {
        const appError = toAppError(error);
        const traceId = newTraceId();
        if (appError.kind === 'internal') request.log.error({ err: error, traceId }, 'admin request failed');
        const status = appError.kind === 'unknown_object' ? 404 : appError.status;
        if (appError.details?.retryAfter) reply.header('retry-after', String(appError.details.retryAfter));
        reply.code(status).send(formatAdminError(appError, traceId));
      });

      api.post('/session', async (request, reply) => {
        const b = body(request);
        const email = text(b, 'email') ?? '';
        const password = text(b, 'password') ?? '';
        checkSignInOrigin(ctx.config, request);
        const signedIn = await guarded(request, email, () => adminSignIn(ctx, email, password));
        reply.header('set-cookie', sessionCookie(ctx.config, request, COOKIE, signedIn.token, SESSION_MS / 1000));
        return { csrf_token: signedIn.csrfToken, member: { id: signedIn.member.id, name: signedIn.member.name, email: signedIn.member.email } };
      });
      api.get('/session', async (request) => {
        const token = cookieOf(request);
        const session = token ? await sessionAdmin(ctx, token) : undefined;
        if (!session) throw new AppError('not_authenticated');
        return { csrf_token: session.csrfToken, member: { id: session.member.id, name: session.member.name, email: session.member.email } };
      });
      api.delete('/session', async (request, reply) => {
        const { actor, token } = await admin(request);
        await adminSignOut(ctx, token, actor.memberId);
        reply.header('set-cookie', sessionCookie(ctx.config, request, COOKIE, '', 0));
        return { success: true };
      });

      await registerWebhookAdminApi(api, ctx, { admin, write });
      await registerAdminPanelRoutes(api, { ctx, admin });

      api.get('/permissions', async (request) => {
        await admin(request);
        return { data: permissionCatalogue };
      });
      api.get('/groups', async (request) => {
        await admin(request);
        const page = await listGroups(ctx.db, null, { limit: 1000, order: 'desc' });
        return { data: page.rows.map((g) => ({ id: g.id, name: g.name, privacy: g.privacy, archived: g.archived === 1 })) };
      });

      api.get('/integrations', async (request) => {
        await admin(request);
        return { data: await listIntegrationViews(ctx.db, ctx.clock.now()) };
      });
      api.post('/integrations', { bodyLimit: PICTURE_BODY_LIMIT }, async (request) => {
        const { actor } = await admin(request);
        const b = body(request);
        const credentials = await write(actor, (w) =>
          integrationCreator(w, {
            name: text(b, 'name') ?? '',
            description: text(b, 'description'),
            picture: pictureParam(b),
            permissions: strings(b, 'permissions') ?? [],
            groupIds: scope(b) ?? null,
            requireProof: b.require_appsecret_proof === true,
            autoInvite: b.auto_invite === true,
          }),
        );
        return { ...credentials, integration: await view(credentials.app_id) };
      });
      api.get('/integrations/:id', async (request) => {
        await admin(request);
        return view((request.params as { id: string }).id);
      });
      api.patch('/integrations/:id', { bodyLimit: PICTURE_BODY_LIMIT }, async (request) => {
        const { actor } = await admin(request);
        const id = (request.params as { id: string }).id;
        const b = body(request);
        await write(actor, (w) =>
          integrationUpdater(w, id, {
            name: text(b, 'name'),
            description: text(b, 'description'),
            picture: pictureParam(b),
            permissions: strings(b, 'permissions'),
            groupIds: scope(b),
            requireProof: typeof b.require_appsecret_proof === 'boolean' ? b.require_appsecret_proof : undefined,
            autoInvite: typeof b.auto_invite === 'boolean' ? b.auto_invite : undefined,
          }),
        );
        return view(id);
      });
      api.post('/integrations/:id/rotate', async (request) => {
        const { actor } = await admin(request);
        const id = (request.params as { id: string }).id;
        const { app_secret: _secret, ...credentials } = await write(actor, (w) => integrationTokenRotator(w, id));
        return credentials;
      });
      api.post('/integrations/:id/disable', async (request) => {
        const { actor } = await admin(request);
        const id = (request.params as { id: string }).id;
        await write(actor, (w) => integrationEnabler(w, id, false));
        return view(id);
      });
      api.post('/integrations/:id/enable', async (request) => {
        const { actor } = await admin(request);
        const id = (request.params as { id: string }).id;
        await write(actor, (w) => integrationEnabler(w, id, true));
        return view(id);
      });
      api.delete('/integrations/:id', async (request) => {
        const { actor } = await admin(request);
        await write(actor, (w) => integrationDeleter(w, (request.params as { id: string }).id));
        return { success: true };
      });
      api.post('/integrations/:id/secret', async (request) => {
        const { actor } = await admin(request);
        const b = body(request);
        const me = await findMemberById(ctx.db, actor.memberId);
        await guarded(request, me?.email ?? actor.memberId, async () => {
          if (!(await verifyPassword(text(b, 'password') ?? '', me?.password_hash ?? null))) throw new AppError('not_authenticated', 'Re-enter your password to reveal the app secret.');
        });
        const id = (request.params as { id: string }).id;
        return { app_id: id, app_secret: await write(actor, (w) => integrationSecretRevealer(w, id)) };
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
