import type { Actor } from '../domain/actor.js';
import { missingPermission } from '../errors.js';

/**
 * The Account Management API (SCIM) is for integrations holding `manage_accounts`
 * (reference §6.2); the permission covers every SCIM resource and operation.
 */
export function authorizeScim(actor: Actor): void {
  if (actor.kind === 'system' || (actor.kind === 'member' && actor.isAdmin)) return;
  if ((actor.kind === 'integration' || actor.kind === 'app') && actor.permissions.has('manage_accounts')) return;
  throw missingPermission('manage_accounts');
}
