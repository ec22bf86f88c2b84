import type { Bus } from '../db/bus.js';
import type { Db } from '../db/database.js';
import { findCommunity } from '../db/repositories/community.js';
import { findMemberById } from '../db/repositories/member.js';
import { type Actor, auditActor } from './actor.js';
import type { Change, OutboxEvent } from './events.js';

type SecurityField = 'admin_activity' | 'login_activity';

// Which audit actions are security events, as `workplace_security` webhook fields with a
// Workplace-style `event` name. Workplace's sample confirms admin_activity with
// ADMIN_DEACTIVATE_ACCOUNT; the other names follow its pattern (docs/webhooks.md).
const SECURITY: Record<string, { field: SecurityField; event: string }> = {
  'admin.signed_in': { field: 'login_activity', event: 'LOGIN' },
  'admin.sign_in_failed': { field: 'login_activity', event: 'LOGIN_FAILED' },
  'admin.signed_out': { field: 'login_activity', event: 'LOGOUT' },
  'member.signed_in': { field: 'login_activity', event: 'LOGIN' },
  'member.sign_in_failed': { field: 'login_activity', event: 'LOGIN_FAILED' },
  'member.signed_out': { field: 'login_activity', event: 'LOGOUT' },
  'admin.created': { field: 'admin_activity', event: 'ADMIN_CREATE_ADMIN' },
  'member.created': { field: 'admin_activity', event: 'ADMIN_CREATE_ACCOUNT' },
  'account.provisioned': { field: 'admin_activity', event: 'ADMIN_CREATE_ACCOUNT' },
  'account.invited': { field: 'admin_activity', event: 'ADMIN_INVITE_ACCOUNT' },
  'account.updated': { field: 'admin_activity', event: 'ADMIN_UPDATE_ACCOUNT' },
  'account.deactivated': { field: 'admin_activity', event: 'ADMIN_DEACTIVATE_ACCOUNT' },
  'account.reactivated': { field: 'admin_activity', event: 'ADMIN_REACTIVATE_ACCOUNT' },
  'account.deleted': { field: 'admin_activity', event: 'ADMIN_DELETE_ACCOUNT' },
  'account.logged_out': { field: 'admin_activity', event: 'ADMIN_LOGOUT_ACCOUNT' },
  'account.deactivation_refused': { field: 'admin_activity', event: 'ADMIN_DEACTIVATION_REFUSED' },
  'account.admin_granted': { field: 'admin_activity', event: 'ADMIN_GRANT_ADMIN_ROLE' },
  'account.admin_revoked': { field: 'admin_activity', event: 'ADMIN_REVOKE_ADMIN_ROLE' },
  'integration.created': { field: 'admin_activity', event: 'ADMIN_CREATE_INTEGRATION' },
  'integration.updated': { field: 'admin_activity', event: 'ADMIN_UPDATE_INTEGRATION' },
  'integration.token_rotated': { field: 'admin_activity', event: 'ADMIN_ROTATE_INTEGRATION_TOKEN' },
  'integration.secret_rotated': { field: 'admin_activity', event: 'ADMIN_ROTATE_APP_SECRET' },
  'integration.secret_revealed': { field: 'admin_activity', event: 'ADMIN_REVEAL_APP_SECRET' },
  'integration.disabled': { field: 'admin_activity', event: 'ADMIN_DISABLE_INTEGRATION' },
  'integration.enabled': { field: 'admin_activity', event: 'ADMIN_ENABLE_INTEGRATION' },
  'integration.deleted': { field: 'admin_activity', event: 'ADMIN_DELETE_INTEGRATION' },
  'export.requested': { field: 'admin_activity', event: 'ADMIN_EXPORT_EMPLOYEE_DATA' },
};

const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** The security event name of a `member.updated` change, when it changed the account's state. */
function memberUpdateEvent(change: Change): string | undefined {
  const before = record(change.old);
  const after = record(change.new);
  if (after.state === 'deactivated' || after.active === false) return 'ADMIN_DEACTIVATE_ACCOUNT';
  if (before.state === 'deactivated' || after.active === true) return 'ADMIN_REACTIVATE_ACCOUNT';
  if (typeof after.email === 'string') return 'ADMIN_CHANGE_EMAIL';
  return undefined;
}

/** The community's id never changes once the row exists: read once per database (keyed by its bus). */
const communityIds = new WeakMap<Bus, string>();

async function communityId(trx: Db, bus: Bus): Promise<string | undefined> {
  const known = communityIds.get(bus);
  if (known) return known;
  const community = await findCommunity(trx);
  if (community) communityIds.set(bus, community.id);
  return community?.id;
}

/**
 * The `workplace_security` events of an audit change (none for content changes). Entry id is the
 * community; all security events share one ordering key, so they arrive in the order recorded.
 */
export async function securityEventsOf(trx: Db, bus: Bus, actor: Actor, change: Change, time: number): Promise<OutboxEvent[]> {
  const updateEvent = change.action === 'member.updated' ? memberUpdateEvent(change) : undefined;
  const mapped = updateEvent ? { field: 'admin_activity' as const, event: updateEvent } : SECURITY[change.action];
  if (!mapped) return [];
  const community = await communityId(trx, bus);
  if (!community) return [];
  const who = auditActor(actor);
  let targetEmail = record(change.new).email ?? record(change.old).email;
  if (targetEmail === undefined && change.targetEmail !== undefined) targetEmail = change.targetEmail;
  else if (targetEmail === undefined && change.target.id && (change.target.type === 'member' || change.target.type === 'account')) {
    targetEmail = (await findMemberById(trx, change.target.id))?.email ?? undefined;
  }
  const value: Record<string, unknown> = {
    event: mapped.event,
    actor_id: who.actor_id ?? undefined,
    actor_type: who.actor_type,
    target_id: change.target.id ?? undefined,
    target_type: change.target.type,
    target_email: typeof targetEmail === 'string' ? targetEmail : undefined,
    time: Math.floor(time / 1000),
    community: { id: community },
  };
  return [{ topic: 'workplace_security', field: mapped.field, entryId: community, orderingKey: `security:${community}`, value }];
}
