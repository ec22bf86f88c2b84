import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.js';
import { findMemberById, type MemberRow } from '../db/repositories/member.js';
import { type PictureSource, profilePictureRemover, profilePictureSetter } from '../domain/commands/profilePicture.js';
import { transact } from '../domain/commands/shared.js';
import type { Actor } from '../domain/actor.js';
import { PICTURE_BODY_LIMIT, requiredPicture } from '../http/pictureBody.js';
import { webErrorHandler } from '../http/webErrors.js';
import { AVATAR_SIDE, pictureUrlOf, PROFILE_PICTURE_SIDE } from '../presenters/memberApp.js';
import type { MemberAuth } from './routes.js';

/** The picture links a profile shows after a change: the avatar size and the profile header size. */
export async function pictureLinks(ctx: Context, member: MemberRow) {
  return { picture_url: await pictureUrlOf(ctx, member, AVATAR_SIDE), picture_large_url: await pictureUrlOf(ctx, member, PROFILE_PICTURE_SIDE) };
}

/** Sets (or with `source: null` removes) a person's picture in one transaction, and answers its new links. */
export async function changePicture(ctx: Context, actor: Actor, member: MemberRow, source: PictureSource | null) {
  await transact<unknown>(ctx, actor, (w) => (source ? profilePictureSetter(w, member, source) : profilePictureRemover(w, member)));
  return pictureLinks(ctx, (await findMemberById(ctx.db, member.id))!);
}

/** The member app's own-picture API: `PUT /api/me/picture` (upload) and `DELETE /api/me/picture`, through the Graph's command. */
export async function registerMemberPictureApi(app: FastifyInstance, ctx: Context, auth: MemberAuth): Promise<void> {
  await app.register(
    async (api) => {
      api.setErrorHandler(webErrorHandler('member picture api'));
      api.put('/me/picture', { bodyLimit: PICTURE_BODY_LIMIT }, async (request) => {
        const { actor, member } = await auth.member(request);
        return changePicture(ctx, actor, member, requiredPicture((request.body ?? {}) as Record<string, unknown>));
      });
      api.delete('/me/picture', async (request) => {
        const { actor, member } = await auth.member(request);
        return changePicture(ctx, actor, member, null);
      });
    },
    { prefix: '/api' },
  );
}
