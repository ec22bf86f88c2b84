import type { HookDeliveryRow, IncomingHookRow } from '../db/repositories/incomingHook.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A hook as the admin API, the CLI and the Graph API list it: never its key or secret. */
export function presentHook(hook: IncomingHookRow) {
  return {
    id: hook.id,
    name: hook.name,
    source: hook.source,
    target: { type: hook.target_type, id: hook.target_type === 'thread' ? `t_${hook.target_id}` : hook.target_id },
    app_id: hook.app_id,
    page_id: hook.page_id,
    key_hint: `…${hook.key_hint}`,
    signed: hook.signing_secret_sealed !== null,
    allow_overrides: hook.allow_overrides === 1,
    allow_broadcast: hook.allow_broadcast === 1,
    rate_per_minute: hook.rate_per_minute,
    status: hook.revoked_time ? 'revoked' : 'active',
    post_count: hook.post_count,
    error_count: hook.error_count,
    last_used_time: iso(hook.last_used_time),
    created_time: iso(hook.created_time),
    revoked_time: iso(hook.revoked_time),
  };
}

/** One logged request: what came, what was answered, the Markdown it became. */
export function presentHookDelivery(d: HookDeliveryRow) {
  return { id: d.id, time: iso(d.time), status: d.status, answer: d.answer, event: d.event, request: d.request_excerpt, rendered: d.rendered, object_id: d.object_id };
}
