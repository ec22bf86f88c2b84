import { countAdmins, type MemberRow, updateMember } from '../../db/repositories/member.js';
import { AppError } from '../../errors.js';
import { recordChange } from '../events.js';
import type { Write } from './shared.js';

/**
 * Makes an account a system admin or takes the role away (admin panel, and Graph's
 * /community/admins for integrations the route authorized). Deactivated accounts cannot be made
 * admins, and the last active admin keeps the role. False when unchanged.
 */
export async function adminGranter({ ctx, actor, trx }: Write, member: MemberRow, admin: boolean): Promise<boolean> {
  if (actor.kind === 'member' && !actor.isAdmin) throw new AppError('action_not_allowed', 'Only system administrators can grant the admin role.');
  if ((member.is_admin === 1) === admin) return false;
  if (admin && member.state === 'deactivated') throw new AppError('conflict', `Account ${member.id} is deactivated; reactivate it first`);
  if (!admin && member.state !== 'deactivated' && (await countAdmins(trx)) <= 1) throw new AppError('conflict', `Account ${member.id} is the last active system admin; make another admin first`);
  const now = ctx.clock.now();
  await updateMember(trx, member.id, { is_admin: admin ? 1 : 0, updated_time: Math.max(now, member.updated_time + 1) });
  await recordChange(trx, ctx, actor, {
    action: admin ? 'account.admin_granted' : 'account.admin_revoked',
    target: { type: 'member', id: member.id },
    old: { is_admin: !admin },
    new: { is_admin: admin },
  });
  return true;
}
