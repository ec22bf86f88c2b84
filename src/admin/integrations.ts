import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { findAppById } from '../db/repositories/app.js';
import { findMemberById } from '../db/repositories/member.js';
import {
  integrationCreator,
  integrationDeleter,
  integrationEnabler,
  integrationSecretRevealer,
  integrationTokenRotator,
  integrationUpdater,
  linkDomainsSetter,
} from '../domain/commands/integration.js';
import { listLinkDomains, recentPreviewsOfApp } from '../db/repositories/linkPreview.js';
import { presentPreviewLog } from '../presenters/linkPreview.js';
import { verifyPassword } from '../domain/secrets.js';
import { signInGuard } from '../http/sessions.js';
import { AppError, invalidParameter } from '../errors.js';
import { listIntegrationViews, presentIntegrations } from '../presenters/integration.js';
import { PICTURE_BODY_LIMIT, pictureParam } from '../http/pictureBody.js';
import type { AdminHelpers } from './webhooks.js';

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

/** /admin/api/integrations: create, list, read, update, rotate, disable, enable, delete, reveal the secret, link preview domains. */
export async function registerIntegrationAdminApi(api: FastifyInstance, ctx: Context, { admin, write }: AdminHelpers): Promise<void> {
  const passwordGuard = signInGuard(ctx);
  const body = (request: FastifyRequest): Body => (request.body && typeof request.body === 'object' ? (request.body as Body) : {});
  const view = async (appId: string) => {
    const row = await findAppById(ctx.db, appId);
    if (!row) throw new AppError('unknown_object', `No integration with id ${appId}`);
    return (await presentIntegrations(ctx.db, [row], ctx.clock.now()))[0];
  };

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
  // Authenticated link previews: the domains the integration unfurls and its latest answers.
  api.get('/integrations/:id/link_previews', async (request) => {
    await admin(request);
    const id = (request.params as { id: string }).id;
    await view(id);
    return { domains: await listLinkDomains(ctx.db, id), recent: (await recentPreviewsOfApp(ctx.db, id, 20)).map(presentPreviewLog) };
  });
  api.put('/integrations/:id/link_domains', async (request) => {
    const { actor } = await admin(request);
    const id = (request.params as { id: string }).id;
    const domains = strings(body(request), 'domains');
    if (!domains) throw invalidParameter('domains is required (a list of domain names)');
    await write(actor, (w) => linkDomainsSetter(w, id, domains));
    return { domains: await listLinkDomains(ctx.db, id) };
  });
  api.post('/integrations/:id/secret', async (request) => {
    const { actor } = await admin(request);
    const b = body(request);
    const me = await findMemberById(ctx.db, actor.memberId);
    // The same back-off as sign-in (per account and address, stored in the database).
    await passwordGuard(request, me?.email ?? actor.memberId, async () => {
      if (!(await verifyPassword(text(b, 'password') ?? '', me?.password_hash ?? null))) throw new AppError('not_authenticated', 'Re-enter your password to reveal the app secret.');
    });
    const id = (request.params as { id: string }).id;
    return { app_id: id, app_secret: await write(actor, (w) => integrationSecretRevealer(w, id)) };
  });
}
