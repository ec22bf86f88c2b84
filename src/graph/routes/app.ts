import { photoUploader } from '../../domain/commands/media.js';
import { authorize } from '../../policies/graph.js';
import { findAppByTokenHash, findAppById } from '../../db/repositories/app.js';
import { sha256Hex, safeEqual } from '../../domain/secrets.js';
import { readNode } from '../read.js';
import type { GraphRequest, GraphRoute } from '../request.js';

/** POST /me/photos: a photo by URL or upload; `published=false` keeps it for attached_media. */
async function uploadPhoto(req: GraphRequest) {
  authorize(req.actor, 'media.upload');
  const published = req.params.boolean('published') ?? true;
  const file = req.params.file('source') ?? req.params.file('file');
  const url = req.params.string('url');
  const media = await req.write((w) => photoUploader(w, { url, file, caption: req.params.string('caption') ?? req.params.string('message'), published, groupId: null }));
  return { id: media.id };
}

/**
 * GET /debug_token?input_token=…: what a token is, for its own app only (an app token or the
 * integration token itself); any other token reads as invalid.
 */
async function debugToken(req: GraphRequest) {
  const input = req.params.requireString('input_token');
  const bar = input.indexOf('|');
  const app = bar > 0 ? await findAppById(req.ctx.db, input.slice(0, bar)) : await findAppByTokenHash(req.ctx.db, sha256Hex(input));
  const valid =
    !!app &&
    app.id === req.actor.appId &&
    (bar > 0 ? safeEqual(input.slice(bar + 1), req.ctx.secrets.open(app.secret_sealed)) : true) &&
    app.enabled === 1;
  if (!app || app.id !== req.actor.appId) {
    return { data: { is_valid: false, error: { code: 190, message: 'Invalid OAuth access token.' }, scopes: [] } };
  }
  const scopes = JSON.parse(app.permissions) as string[];
  return {
    data: {
      app_id: app.id,
      type: bar > 0 ? 'APP' : 'PAGE',
      application: app.name,
      profile_id: bar > 0 ? undefined : app.page_id,
      expires_at: 0,
      data_access_expires_at: 0,
      is_valid: valid,
      issued_at: Math.floor(app.token_time / 1000),
      scopes,
      granular_scopes: scopes.map((scope) => (app.scope_all ? { scope } : { scope, target_ids: [...req.actor.groupIds] })),
    },
  };
}

export const appRoutes: GraphRoute[] = [
  { node: 'page', edge: null, method: 'GET', handler: readNode },
  { node: 'page', edge: 'photos', method: 'POST', handler: uploadPhoto },
  { node: 'app', edge: null, method: 'GET', handler: readNode },
  { node: 'media', edge: null, method: 'GET', handler: readNode },
  { node: 'debug_token', edge: null, method: 'GET', handler: debugToken },
];

