import { findMemberByEmail, findMemberById, type MemberRow } from '../../db/repositories/member.js';
import { deleteSession, findSession, insertSession } from '../../db/repositories/session.js';
import { AppError } from '../../errors.js';
import type { Context } from '../../context.js';
import { recordChange } from '../events.js';
import { newOpaqueToken, sha256Hex, verifyPassword } from '../secrets.js';

/** Sessions last 12 hours. */
export const SESSION_MS = 12 * 3_600_000;

export interface SignedIn {
  token: string;
  csrfToken: string;
  member: MemberRow;
}

/**
 * Signs a system admin in by email and password. Wrong email, wrong password, a non-admin
 * and a deactivated account all get the same answer, after the same scrypt work.
 */
export async function adminSignIn(ctx: Context, email: string, password: string): Promise<SignedIn> {
  return signIn(ctx, email, password, 'admin');
}

/** Signs a member in (the member app and its JSON API); same rules as admins, minus the admin role. */
export async function memberSignIn(ctx: Context, email: string, password: string): Promise<SignedIn> {
  return signIn(ctx, email, password, 'member');
}

async function signIn(ctx: Context, email: string, password: string, kind: 'admin' | 'member'): Promise<SignedIn> {
  const member = await findMemberByEmail(ctx.db, email);
  const ok = await verifyPassword(password, member?.password_hash ?? null);
  const failed = !member || !ok || (kind === 'admin' && member.is_admin !== 1) || member.state === 'deactivated';
  const signedIn = await ctx.db.transaction().execute(async (trx) => {
    if (failed) {
      const actor = member ? { kind: 'member' as const, memberId: member.id, isAdmin: false } : { kind: 'system' as const };
      await recordChange(trx, ctx, actor, { action: `${kind}.sign_in_failed`, target: { type: 'member', id: member?.id ?? null }, new: { email } });
      return undefined;
    }
    const token = newOpaqueToken();
    const csrfToken = newOpaqueToken(24);
    const now = ctx.clock.now();
    await insertSession(trx, { token_hash: sha256Hex(token), member_id: member.id, csrf_token: csrfToken, created_time: now, expires_time: now + SESSION_MS });
    await recordChange(trx, ctx, { kind: 'member', memberId: member.id, isAdmin: kind === 'admin' }, { action: `${kind}.signed_in`, target: { type: 'member', id: member.id } });
    return { token, csrfToken, member };
  });
  if (!signedIn) {
    throw new AppError('not_authenticated', kind === 'admin' ? 'The email or password is wrong, or the account is not a system admin.' : 'The email or password is wrong.');
  }
  return signedIn;
}

/** The admin behind a session token, if the session is live and they are still an active admin. */
export async function sessionAdmin(ctx: Context, token: string): Promise<{ member: MemberRow; csrfToken: string } | undefined> {
  const session = await findSession(ctx.db, sha256Hex(token), ctx.clock.now());
  if (!session) return undefined;
  const member = await findMemberById(ctx.db, session.member_id);
  if (!member || member.is_admin !== 1 || member.state === 'deactivated') return undefined;
  return { member, csrfToken: session.csrf_token };
}

export async function adminSignOut(ctx: Context, token: string, memberId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await deleteSession(trx, sha256Hex(token));
    await recordChange(trx, ctx, { kind: 'member', memberId, isAdmin: true }, { action: 'admin.signed_out', target: { type: 'member', id: memberId } });
  });
}

/** The member behind a session token, if the session is live and the account active. */
export async function sessionMember(ctx: Context, token: string): Promise<{ member: MemberRow; csrfToken: string } | undefined> {
  const session = await findSession(ctx.db, sha256Hex(token), ctx.clock.now());
  if (!session) return undefined;
  const member = await findMemberById(ctx.db, session.member_id);
  if (!member || member.state === 'deactivated') return undefined;
  return { member, csrfToken: session.csrf_token };
}

export async function memberSignOut(ctx: Context, token: string, memberId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await deleteSession(trx, sha256Hex(token));
    await recordChange(trx, ctx, { kind: 'member', memberId, isAdmin: false }, { action: 'member.signed_out', target: { type: 'member', id: memberId } });
  });
}
