import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Context } from '../context.js';
import { SESSION_MS, sessionMember } from '../domain/commands/session.js';
import { checkSession, sessionCookie } from '../http/sessions.js';
import type { MemberAuth } from './routes.js';

/** The member session cookie set by POST /api/session (src/chat/memberApi.ts). */
export const MEMBER_COOKIE = 'cp_member';

/** Sets the member session cookie exactly as POST /api/session does (HttpOnly, SameSite=Strict, Secure behind HTTPS). */
export function setMemberCookie(config: Config, request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.header('set-cookie', sessionCookie(config, request, MEMBER_COOKIE, token, SESSION_MS / 1000));
}

/** Member sessions: the cookie names a live session of an active account; changes carry the CSRF token. */
export function memberSessionAuth(ctx: Context): MemberAuth {
  return {
    async member(request) {
      const { session } = await checkSession(request, MEMBER_COOKIE, (t) => sessionMember(ctx, t));
      return { actor: { kind: 'member', memberId: session.member.id, isAdmin: false }, member: session.member };
    },
  };
}
