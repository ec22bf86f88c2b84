import { findAppByTokenHash, findAppById } from '../../../db/repositories/app.js';
import { sha256Hex, safeEqual } from '../../../domain/secrets.js';
import type { AddressedNode, NodeDefinition } from '../../registry.js';
import type { GraphRequest } from '../../request.js';

export type DebugTokenNode = AddressedNode<'debug_token', null>;

/**
 * GET /debug_token?input_token=…: what a token is, for its own app only (an app token or the
 * integration token itself); any other token reads as invalid.
 */
async function debugToken(req: GraphRequest<DebugTokenNode>) {
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

/** `/debug_token`: an address with one read and no fields of its own. */
export const debugTokenNode: NodeDefinition<DebugTokenNode> = {
  key: 'debug_token',
  recognize: async (_ctx, _actor, segment) => (segment.toLowerCase() === 'debug_token' ? { type: 'debug_token', id: 'debug_token', row: null } : undefined),
  read: { rule: 'open', target: (node) => ({ id: node.id }) },
  routes: [
    {
      edge: null,
      method: 'GET',
      handler: debugToken,
      summary: 'What a token is (own token or app token only): app_id, type, is_valid, scopes, granular_scopes',
      params: [{ name: 'input_token', description: 'The token to inspect', required: true }],
    },
  ],
};
