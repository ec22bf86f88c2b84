import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Context } from '../context.js';
import { SESSION_MS, sessionMember } from '../domain/commands/session.js';
import { safeEqual } from '../domain/secrets.js';
import { AppError } from '../errors.js';
import { readCookie, sessionCookie } from '../http/sessions.js';
import type { MemberAuth } from './routes.js';

/** The member session cookie set by POST /api/session (src/chat/memberApi.ts). */
export const MEMBER_COOKIE = 'cp_member';

export function memberCookieOf(request: FastifyRequest): string | undefined {
  return readCookie(request, MEMBER_COOKIE);
}

/** Sets the member session cookie exactly as POST /api/session does (HttpOnly, SameSite=Strict, Secure behind HTTPS). */
export function setMemberCookie(config: Config, request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.header('set-cookie', sessionCookie(config, request, MEMBER_COOKIE, token, SESSION_MS / 1000));
}

/** Member sessions: the cookie names a live session of an active account; changes carry the CSRF token. */
export function memberSessionAuth(ctx: Context): MemberAuth {
  return {
    async member(request) {
      const token = memberCookieOf(request);
      const session = token ? await sessionMember(ctx, token) : undefined;
      if (!session) throw new AppError('not_authenticated');
      if (request.method !== 'GET' && request.method !== 'HEAD' && !safeEqual(String(request.headers['x-csrf-token'] ?? ''), session.csrfToken)) throw new AppError('csrf_failed');
      return { actor: { kind: 'member', memberId: session.member.id, isAdmin: false }, member: session.member };
    },
  };
}
