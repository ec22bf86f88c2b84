import { deleteLinkDataOfApp, listLinkDomains, replaceLinkDomains } from '../../db/repositories/linkPreview.js';
import { MAX_LINK_DOMAINS, normalizeDomain } from '../linkPreviews.js';
import { insertMedia } from '../../db/repositories/media.js';
import { MAX_UPLOAD_BYTES, sniffImage, storeMediaFile } from '../media.js';
import { normalizePicture } from '../picture.js';
import type { Db } from '../../db/database.js';
import { findGroupsByIds } from '../../db/repositories/group.js';
import {
  type AppRow,
  deleteApp,
  deletePage,
  findAppById,
  findAppGroupIds,
  insertApp,
  insertPage,
  replaceAppGroups,
  updateApp,
  updatePage,
} from '../../db/repositories/app.js';
import { deleteContentOfAuthor } from '../../db/repositories/post.js';
import { AppError, invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import type { Actor } from '../actor.js';
import { recordChange } from '../events.js';
import { isPermission, type Permission } from '../permissions.js';
import { newAppSecret, newIntegrationToken, sha256Hex, tokenHint } from '../secrets.js';

export interface IntegrationInput {
  name: string;
  description?: string;
  /** The profile picture of the app and its bot page (JPEG, PNG, GIF or WebP bytes). */
  picture?: Buffer;
  permissions: readonly string[];
  /** null = all groups; a list = only those groups. */
  groupIds: readonly string[] | null;
  requireProof?: boolean;
  autoInvite?: boolean;
}

/** What creating or rotating hands out once: the token and secret are never shown again. */
export interface IssuedCredentials {
  app_id: string;
  page_id: string;
  access_token: string;
  app_secret: string;
}

import type { Write } from './shared.js';

function requireAdmin(actor: Actor): void {
  if (actor.kind === 'system' || (actor.kind === 'member' && actor.isAdmin)) return;
  throw new AppError('action_not_allowed', '(#10) Only system administrators can manage integrations.');
}

function checkName(name: string | undefined): string {
  const trimmed = (name ?? '').trim();
  if (!trimmed) throw invalidParameter('An integration needs a name');
  if (trimmed.length > 100) throw invalidParameter('An integration name has at most 100 characters');
  return trimmed;
}

function checkPermissions(codes: readonly string[]): Permission[] {
  const unknown = codes.filter((c) => !isPermission(c));
  if (unknown.length) throw invalidParameter(`Unknown permission ${unknown.join(', ')}; see docs/permissions.md`);
  return [...new Set(codes)].sort() as Permission[];
}

async function checkGroups(trx: Db, groupIds: readonly string[] | null): Promise<string[] | null> {
  if (groupIds === null) return null;
  const unique = [...new Set(groupIds)];
  const found = await findGroupsByIds(trx, unique);
  const missing = unique.filter((id) => !found.some((g) => g.id === id));
  if (missing.length) throw invalidParameter(`Unknown group ${missing.join(', ')} in the group scope`);
  return unique;
}

/** Creates an app, its bot page and its first token (shown once). */
export async function integrationCreator({ ctx, actor, trx }: Write, input: IntegrationInput): Promise<IssuedCredentials> {
  requireAdmin(actor);
  const name = checkName(input.name);
  const permissions = checkPermissions(input.permissions);
  const groupIds = await checkGroups(trx, input.groupIds);
  const now = ctx.clock.now();
  const appId = newId();
  const pageId = newId();
  const token = newIntegrationToken();
  const secret = newAppSecret();
  const pictureId = input.picture ? await storePicture(ctx, trx, pageId, input.picture) : null;
  await insertPage(trx, { id: pageId, app_id: appId, name, picture_media_id: pictureId, created_time: now });
  const row: AppRow = {
    id: appId,
    page_id: pageId,
    name,
    description: (input.description ?? '').trim(),
    picture_media_id: pictureId,
    permissions: JSON.stringify(permissions),
    scope_all: groupIds === null ? 1 : 0,
    token_hash: sha256Hex(token),
    token_hint: tokenHint(token),
    token_time: now,
    secret_sealed: ctx.secrets.seal(secret),
    enabled: 1,
    require_proof: input.requireProof ? 1 : 0,
    auto_invite: input.autoInvite ? 1 : 0,
    created_by: actor.kind === 'member' ? actor.memberId : null,
    created_time: now,
    updated_time: now,
    last_request_time: null,
  };
  await insertApp(trx, row);
  if (groupIds) await replaceAppGroups(trx, appId, groupIds);
  await recordChange(trx, ctx, actor, {
    action: 'integration.created',
    target: { type: 'integration', id: appId },
    new: { name, description: row.description, permissions, groups: groupIds ?? 'all', page_id: pageId, require_appsecret_proof: !!input.requireProof },
  });
  return { app_id: appId, page_id: pageId, access_token: token, app_secret: secret };
}

/** Stores a profile picture owned by the bot page; refuses anything but an image. */
async function storePicture(ctx: Write['ctx'], trx: Db, pageId: string, upload: Buffer): Promise<string> {
  if (upload.length > MAX_UPLOAD_BYTES) throw invalidParameter(`A picture has at most ${MAX_UPLOAD_BYTES} bytes`);
  const data = await normalizePicture(upload);
  const kind = sniffImage(data);
  if (!kind) throw invalidParameter('The picture is not a JPEG, PNG, GIF or WebP image');
  const id = newId();
  const fileName = await storeMediaFile(ctx.media, id, kind.ext, data, kind.mime);
  await insertMedia(trx, {
    id,
    owner_id: pageId,
    owner_type: 'page',
    kind: 'photo',
    source_url: null,
    file_name: fileName,
    mime_type: kind.mime,
    size: data.length,
    caption: null,
    published: 0,
    group_id: null,
    created_time: ctx.clock.now(),
  });
  return id;
}

async function loadApp(trx: Db, appId: string): Promise<AppRow> {
  const app = await findAppById(trx, appId);
  if (!app) throw new AppError('unknown_object', `No integration with id ${appId}`);
  return app;
}

/** Replaces the token: the old one fails from the next request on. */
export async function integrationTokenRotator({ ctx, actor, trx }: Write, appId: string): Promise<IssuedCredentials> {
  requireAdmin(actor);
  const app = await loadApp(trx, appId);
  const token = newIntegrationToken();
  const now = ctx.clock.now();
  await updateApp(trx, appId, { token_hash: sha256Hex(token), token_hint: tokenHint(token), token_time: now, updated_time: now });
  await ctx.bus.publish(trx, { t: 'app', id: appId });
  await recordChange(trx, ctx, actor, {
    action: 'integration.token_rotated',
    target: { type: 'integration', id: appId },
    old: { token: app.token_hint },
    new: { token: tokenHint(token) },
  });
  return { app_id: appId, page_id: app.page_id, access_token: token, app_secret: ctx.secrets.open(app.secret_sealed) };
}

/** Enables or disables an integration; a disabled one fails every request with error 190. */
export async function integrationEnabler({ ctx, actor, trx }: Write, appId: string, enabled: boolean): Promise<boolean> {
  requireAdmin(actor);
  const app = await loadApp(trx, appId);
  if (!!app.enabled === enabled) return false;
  await updateApp(trx, appId, { enabled: enabled ? 1 : 0, updated_time: ctx.clock.now() });
  await ctx.bus.publish(trx, { t: 'app', id: appId });
  await recordChange(trx, ctx, actor, {
    action: enabled ? 'integration.enabled' : 'integration.disabled',
    target: { type: 'integration', id: appId },
    old: { enabled: !enabled },
    new: { enabled },
  });
  return true;
}

export interface IntegrationUpdate {
  name?: string;
  description?: string;
  picture?: Buffer;
  permissions?: readonly string[];
  groupIds?: readonly string[] | null;
  requireProof?: boolean;
  autoInvite?: boolean;
}

/** Changes an integration's settings; the bot page follows its name and picture. */
export async function integrationUpdater({ ctx, actor, trx }: Write, appId: string, input: IntegrationUpdate): Promise<boolean> {
  requireAdmin(actor);
  const app = await loadApp(trx, appId);
  const before = {
    name: app.name,
    description: app.description,
    picture_media_id: app.picture_media_id,
    permissions: JSON.parse(app.permissions) as string[],
    groups: app.scope_all ? ('all' as const) : await findAppGroupIds(trx, appId),
    require_appsecret_proof: !!app.require_proof,
    auto_invite: !!app.auto_invite,
  };
  const after = { ...before };
  if (input.name !== undefined) after.name = checkName(input.name);
  if (input.description !== undefined) after.description = input.description.trim();
  if (input.picture !== undefined) after.picture_media_id = await storePicture(ctx, trx, app.page_id, input.picture);
  if (input.permissions !== undefined) after.permissions = checkPermissions(input.permissions);
  if (input.groupIds !== undefined) after.groups = (await checkGroups(trx, input.groupIds)) ?? 'all';
  if (input.requireProof !== undefined) after.require_appsecret_proof = input.requireProof;
  if (input.autoInvite !== undefined) after.auto_invite = input.autoInvite;
  const changed = (Object.keys(after) as (keyof typeof after)[]).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]));
  if (changed.length === 0) return false;
  const now = ctx.clock.now();
  await updateApp(trx, appId, {
    name: after.name,
    description: after.description,
    picture_media_id: after.picture_media_id,
    permissions: JSON.stringify(after.permissions),
    scope_all: after.groups === 'all' ? 1 : 0,
    require_proof: after.require_appsecret_proof ? 1 : 0,
    auto_invite: after.auto_invite ? 1 : 0,
    updated_time: now,
  });
  if (changed.includes('groups')) await replaceAppGroups(trx, appId, after.groups === 'all' ? [] : after.groups);
  await ctx.bus.publish(trx, { t: 'app', id: appId });
  if (changed.includes('name') || changed.includes('picture_media_id')) {
    await updatePage(trx, app.page_id, { name: after.name, picture_media_id: after.picture_media_id });
  }
  const pick = (o: typeof before) => Object.fromEntries(changed.map((k) => [k, o[k]]));
  await recordChange(trx, ctx, actor, { action: 'integration.updated', target: { type: 'integration', id: appId }, old: pick(before), new: pick(after) });
  return true;
}

/**
 * Deletes an integration, its bot page and the content the page authored (posts, comments,
 * reactions), as Workplace did; its token fails at once.
 */
export async function integrationDeleter({ ctx, actor, trx }: Write, appId: string): Promise<void> {
  requireAdmin(actor);
  const app = await loadApp(trx, appId);
  await deleteApp(trx, appId);
  await deletePage(trx, app.page_id);
  await deleteContentOfAuthor(trx, app.page_id);
  await deleteLinkDataOfApp(trx, appId);
  await ctx.bus.publish(trx, { t: 'app', id: appId });
  await recordChange(trx, ctx, actor, {
    action: 'integration.deleted',
    target: { type: 'integration', id: appId },
    old: { name: app.name, page_id: app.page_id, permissions: JSON.parse(app.permissions) },
  });
}

/** Hands the app secret to an admin who re-entered their password; the reveal is audited. */
export async function integrationSecretRevealer({ ctx, actor, trx }: Write, appId: string): Promise<string> {
  requireAdmin(actor);
  const app = await loadApp(trx, appId);
  await recordChange(trx, ctx, actor, { action: 'integration.secret_revealed', target: { type: 'integration', id: appId } });
  return ctx.secrets.open(app.secret_sealed);
}

/**
 * Sets the domains an integration unfurls (authenticated link previews); each covers its
 * subdomains. Returns the stored list, or null when nothing changed (no audit event then).
 */
export async function linkDomainsSetter({ ctx, actor, trx }: Write, appId: string, raw: readonly string[]): Promise<string[] | null> {
  requireAdmin(actor);
  await loadApp(trx, appId);
  const domains = [...new Set(raw.map(normalizeDomain))].sort();
  if (domains.length > MAX_LINK_DOMAINS) throw invalidParameter(`An integration unfurls at most ${MAX_LINK_DOMAINS} domains`);
  const before = await listLinkDomains(trx, appId);
  if (before.length === domains.length && before.every((d, i) => d === domains[i])) return null;
  await replaceLinkDomains(trx, appId, domains, ctx.clock.now());
  await recordChange(trx, ctx, actor, { action: 'integration.link_domains_updated', target: { type: 'integration', id: appId }, old: { domains: before }, new: { domains } });
  return domains;
}
