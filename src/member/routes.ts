import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { groupSummary } from '../presenters/group.js';
import { findInviteByHash } from '../db/repositories/account.js';
import { findCommentById } from '../db/repositories/comment.js';
import { listGroupRoster, listMemberHomeFeed, listReports, listVisibleGroups, searchMembers, searchPages } from '../db/repositories/directory.js';
import { findGroupById, findMembership, type GroupRow } from '../db/repositories/group.js';
import { findMemberById, findMembersByIds, type MemberRow } from '../db/repositories/member.js';
import { findPollsOfPosts } from '../db/repositories/poll.js';
import { findPostById, listFeed, type PostRow } from '../db/repositories/post.js';
import type { MemberActor } from '../domain/actor.js';
import { commentCreator, commentDeleter } from '../domain/commands/comment.js';
import { groupMemberAdder, groupMemberRemover } from '../domain/commands/groupMembership.js';
import { photoUploader } from '../domain/commands/media.js';
import { FORMATTINGS, postCreator, postDeleter, postUpdater } from '../domain/commands/post.js';
import { type PollInput, pollVoteSetter } from '../domain/commands/poll.js';
import { REACTION_TYPES, reactionRemover, reactionSetter } from '../domain/commands/reaction.js';
import { transact, type Write } from '../domain/commands/shared.js';
import { sha256Hex } from '../domain/secrets.js';
import { accountClaimer } from '../domain/commands/account.js';
import { memberSignIn } from '../domain/commands/session.js';
import { setMemberCookie } from './auth.js';
import { AppError, invalidParameter } from '../errors.js';
import { webErrorHandler } from '../http/webErrors.js';
import { authorizeContentEdit, authorizeContentRemoval, authorizeMember, type GroupAccess, memberMay } from '../policies/member.js';
import { loadProfileRefs, memberRefs, photoUrl, pictureUrlOf, presentPosts, PROFILE_PICTURE_SIDE } from '../presenters/memberApp.js';
import { checkSignInOrigin } from '../http/sessions.js';
import { queryInteger, timeCursor, webQuery } from '../http/query.js';

/** How the member API learns who is signed in (the member session of /api/session). */
export interface MemberAuth {
  /** The signed-in member; throws not_authenticated, or csrf_failed on a change without the token. */
  member(request: FastifyRequest): Promise<{ actor: MemberActor; member: MemberRow }>;
}

type Body = Record<string, unknown>;
const bodyOf = (request: FastifyRequest): Body => (request.body && typeof request.body === 'object' ? (request.body as Body) : {});
const param = (request: FastifyRequest, name = 'id') => (request.params as Record<string, string>)[name];
const numeric = (id: string | undefined) => !!id && /^\d{1,20}$/.test(id);
const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);

function optionalString(b: Body, name: string): string | undefined {
  const v = b[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidParameter(`${name} must be a string`);
  return v;
}

function groupView(g: GroupRow & { member_count?: number }, role: GroupAccess['role']) {
  const access = { group: g, role };
  return {
    ...groupSummary(g),
    role,
    can_read: memberMay(access, 'read'),
    can_join: memberMay(access, 'join'),
    can_request: memberMay(access, 'request'),
    can_post: memberMay(access, 'post'),
    can_interact: memberMay(access, 'interact'),
    can_moderate: memberMay(access, 'moderate'),
  };
}

/** Photos travel as base64 JSON; bodies may be this large. */
const PHOTO_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * The member app's JSON API under /api (groups, feeds, posts, comments, reactions, photos,
 * people and profiles, invitation lookup). Every write goes through the same commands as the
 * Graph API, acting as the signed-in member; every rule is in policies/member.ts.
 */
export async function registerMemberAppApi(app: FastifyInstance, ctx: Context, auth: MemberAuth): Promise<void> {
  const write = <T>(actor: MemberActor, fn: (w: Write) => Promise<T>) => transact(ctx, actor, fn);

  const access = async (memberId: string, groupId: string | undefined): Promise<GroupAccess & { group: GroupRow }> => {
    const group = numeric(groupId) ? await findGroupById(ctx.db, groupId!) : undefined;
    if (!group) throw new AppError('unknown_object', 'No such group');
    const membership = await findMembership(ctx.db, group.id, memberId);
    return { group, role: membership?.role ?? null };
  };
  /** A post by its wire id (`{feed}_{post}`) or bare id, with the viewer's access to its group. */
  const loadPost = async (memberId: string, wireId: string): Promise<{ post: PostRow; access: (GroupAccess & { group: GroupRow }) | null }> => {
    const id = wireId.includes('_') ? wireId.split('_')[1] : wireId;
    const post = numeric(id) ? await findPostById(ctx.db, id) : undefined;
    if (!post || (wireId.includes('_') && wireId.split('_')[0] !== post.feed_id)) throw new AppError('unknown_object', 'No such post');
    if (post.feed_type !== 'group') return { post, access: null };
    const a = await access(memberId, post.feed_id);
    if (!memberMay(a, 'read')) throw new AppError('unknown_object', 'No such post');
    return { post, access: a };
  };
  const interact = (a: (GroupAccess & { group: GroupRow }) | null) => {
    if (a) authorizeMember(a, 'interact');
  };

  await app.register(
    async (api) => {
      api.setErrorHandler(webErrorHandler('member api'));

      // Groups
      api.get('/groups', async (request) => {
        const { member } = await auth.member(request);
        const q = webQuery(request);
        const rows = await listVisibleGroups(ctx.db, member.id, { q: q.q, joinedOnly: q.filter === 'joined', includeArchived: q.archived === 'true', limit: 500 });
        return { data: rows.map((g) => groupView(g, g.role)) };
      });
      api.get('/groups/:id', async (request) => {
        const { member } = await auth.member(request);
        const a = await access(member.id, param(request));
        authorizeMember(a, 'see');
        const roster = await listGroupRoster(ctx.db, a.group.id, 1000);
        const refs = await memberRefs(ctx, roster);
        return {
          ...groupView({ ...a.group, member_count: roster.length }, a.role),
          members: memberMay(a, 'read') ? roster.map((m, i) => ({ ...refs[i], role: m.role })) : [],
        };
      });
      api.post('/groups/:id/join', async (request) => {
        const { actor, member } = await auth.member(request);
        const a = await access(member.id, param(request));
        authorizeMember(a, 'join');
        await write(actor, (w) => groupMemberAdder(w, a.group, member.id, 'member'));
        return groupView(a.group, 'member');
      });
      api.post('/groups/:id/leave', async (request) => {
        const { actor, member } = await auth.member(request);
        const a = await access(member.id, param(request));
        authorizeMember(a, 'leave');
        const result = await write(actor, (w) => groupMemberRemover(w, a.group, member.id));
        return { success: true, group_deleted: result.groupDeleted };
      });
      api.get('/groups/:id/feed', async (request) => {
        const { member } = await auth.member(request);
        const a = await access(member.id, param(request));
        authorizeMember(a, 'read');
        const q = webQuery(request);
        const limit = queryInteger(q, 'limit', { min: 1, max: 50, fallback: 20 });
        const before = timeCursor(q, 'before');
        const page = await listFeed(ctx.db, a.group.id, {}, { limit, order: 'desc', after: before ? { sort: before.time, id: before.id } : undefined });
        const last = page.rows[page.rows.length - 1];
        return { data: await presentPosts(ctx, member.id, page.rows), next: page.hasNext && last ? `${last.created_time}_${last.id}` : null };
      });
      api.post('/groups/:id/posts', async (request) => {
        const { actor, member } = await auth.member(request);
        const a = await access(member.id, param(request));
        authorizeMember(a, 'post');
        const b = bodyOf(request);
        const photoIds = b.photo_ids;
        if (photoIds !== undefined && (!Array.isArray(photoIds) || photoIds.some((x) => typeof x !== 'string'))) throw invalidParameter('photo_ids must be a list of photo ids');
        const formatting = optionalString(b, 'formatting') ?? 'MARKDOWN';
        if (!(FORMATTINGS as readonly string[]).includes(formatting)) throw invalidParameter(`formatting must be one of ${FORMATTINGS.join(', ')}`);
        const poll = b.poll;
        if (poll !== undefined && poll !== null && (typeof poll !== 'object' || Array.isArray(poll))) throw invalidParameter('poll must be an object {question, options, multiple_choice}');
        const post = await write(actor, (w) =>
          postCreator(w, {
            feedId: a.group.id,
            feedType: 'group',
            message: optionalString(b, 'message'),
            formatting: formatting as PostRow['formatting'],
            mediaIds: (photoIds as string[] | undefined) ?? [],
            poll: poll ? (poll as PollInput) : undefined,
          }),
        );
        return (await presentPosts(ctx, member.id, [post]))[0];
      });

      api.get('/feed', async (request) => {
        const { member } = await auth.member(request);
        const q = webQuery(request);
        const limit = queryInteger(q, 'limit', { min: 1, max: 50, fallback: 20 });
        const page = await listMemberHomeFeed(ctx.db, member.id, timeCursor(q, 'before'), limit);
        const last = page.rows[page.rows.length - 1];
        const groups = new Map((await listVisibleGroups(ctx.db, member.id, { joinedOnly: true, includeArchived: true, limit: 1000 })).map((g) => [g.id, g.name]));
        const posts = await presentPosts(ctx, member.id, page.rows);
        return { data: posts.map((p) => ({ ...p, group_name: p.group_id ? groups.get(p.group_id) ?? null : null })), next: page.hasNext && last ? `${last.created_time}_${last.id}` : null };
      });

      // Posts, comments, reactions
      api.get('/posts/:id', async (request) => {
        const { member } = await auth.member(request);
        const { post } = await loadPost(member.id, param(request));
        return (await presentPosts(ctx, member.id, [post]))[0];
      });
      api.patch('/posts/:id', async (request) => {
        const { actor, member } = await auth.member(request);
        const { post, access: a } = await loadPost(member.id, param(request));
        interact(a);
        authorizeContentEdit(member.id, post.author_id);
        await write(actor, (w) => postUpdater(w, post, { message: optionalString(bodyOf(request), 'message') }));
        return (await presentPosts(ctx, member.id, [(await findPostById(ctx.db, post.id))!]))[0];
      });
      api.delete('/posts/:id', async (request) => {
        const { actor, member } = await auth.member(request);
        const { post, access: a } = await loadPost(member.id, param(request));
        authorizeContentRemoval(a, member.id, post.author_id);
        await write(actor, (w) => postDeleter(w, post));
        return { success: true };
      });
      api.post('/posts/:id/comments', async (request) => {
        const { actor, member } = await auth.member(request);
        const { post, access: a } = await loadPost(member.id, param(request));
        interact(a);
        const b = bodyOf(request);
        const parentId = optionalString(b, 'parent_id');
        const parent = parentId ? await findCommentById(ctx.db, parentId) : undefined;
        if (parentId && (!parent || parent.post_id !== post.id)) throw invalidParameter('parent_id is not a comment on this post');
        await write(actor, (w) => commentCreator(w, { post, parent, message: optionalString(b, 'message'), mediaId: optionalString(b, 'photo_id') }));
        return (await presentPosts(ctx, member.id, [post]))[0];
      });
      api.delete('/comments/:id', async (request) => {
        const { actor, member } = await auth.member(request);
        const comment = numeric(param(request)) ? await findCommentById(ctx.db, param(request)) : undefined;
        if (!comment) throw new AppError('unknown_object', 'No such comment');
        const { post, access: a } = await loadPost(member.id, comment.post_id);
        authorizeContentRemoval(a, member.id, comment.author_id);
        await write(actor, (w) => commentDeleter(w, post, comment));
        return (await presentPosts(ctx, member.id, [post]))[0];
      });
      const reactionTarget = async (memberId: string, kind: string, id: string) => {
        if (kind === 'posts') {
          const { post, access: a } = await loadPost(memberId, id);
          return { post, access: a, object: { id: post.id, type: 'post' as const } };
        }
        const comment = numeric(id) ? await findCommentById(ctx.db, id) : undefined;
        if (!comment) throw new AppError('unknown_object', 'No such comment');
        const { post, access: a } = await loadPost(memberId, comment.post_id);
        return { post, access: a, object: { id: comment.id, type: 'comment' as const } };
      };
      for (const kind of ['posts', 'comments'] as const) {
        api.put(`/${kind}/:id/reaction`, async (request) => {
          const { actor, member } = await auth.member(request);
          const t = await reactionTarget(member.id, kind, param(request));
          interact(t.access);
          const type = optionalString(bodyOf(request), 'type') ?? 'LIKE';
          if (!(REACTION_TYPES as readonly string[]).includes(type)) throw invalidParameter(`type must be one of ${REACTION_TYPES.join(', ')}`);
          await write(actor, (w) => reactionSetter(w, t.object, type));
          return (await presentPosts(ctx, member.id, [t.post]))[0];
        });
        api.delete(`/${kind}/:id/reaction`, async (request) => {
          const { actor, member } = await auth.member(request);
          const t = await reactionTarget(member.id, kind, param(request));
          interact(t.access);
          await write(actor, (w) => reactionRemover(w, t.object));
          return (await presentPosts(ctx, member.id, [t.post]))[0];
        });
      }
      // Answering a poll: the caller's options, exactly (an empty list takes the answer back).
      const answer = async (request: FastifyRequest, optionIds: unknown) => {
        const { actor, member } = await auth.member(request);
        const { post, access: a } = await loadPost(member.id, param(request));
        interact(a);
        const [poll] = await findPollsOfPosts(ctx.db, [post.id]);
        if (!poll) throw new AppError('unknown_object', 'This post has no poll');
        if (!Array.isArray(optionIds) || optionIds.some((x) => typeof x !== 'string')) throw invalidParameter('option_ids must be a list of option ids');
        await write(actor, (w) => pollVoteSetter(w, post, poll, optionIds as string[]));
        return (await presentPosts(ctx, member.id, [post]))[0];
      };
      api.put('/posts/:id/poll/votes', async (request) => answer(request, bodyOf(request).option_ids));
      api.delete('/posts/:id/poll/votes', async (request) => answer(request, []));
      api.post('/photos', { bodyLimit: PHOTO_BODY_LIMIT }, async (request) => {
        const { actor, member } = await auth.member(request);
        const b = bodyOf(request);
        const groupId = optionalString(b, 'group_id');
        if (groupId) authorizeMember(await access(member.id, groupId), 'post');
        const data = optionalString(b, 'data');
        if (!data) throw invalidParameter('data (the photo as a data: URL or base64) is required');
        const base64 = data.startsWith('data:') ? data.slice(data.indexOf(',') + 1) : data;
        const media = await write(actor, (w) => photoUploader(w, { file: { data: Buffer.from(base64, 'base64') }, caption: optionalString(b, 'caption'), published: false, groupId: groupId ?? null }));
        return { id: media.id, url: photoUrl(ctx, media) };
      });

      // People and profiles
      api.get('/people', async (request) => {
        await auth.member(request);
        const q = webQuery(request);
        const limit = queryInteger(q, 'limit', { min: 1, max: 100, fallback: 20 });
        const members = await searchMembers(ctx.db, { q: q.q, states: ['provisioned', 'invited', 'claimed'], limit });
        const people = await memberRefs(ctx, members);
        const bots = q.bots === 'false' ? [] : [...(await loadProfileRefs(ctx, (await searchPages(ctx.db, q.q ?? '', limit)).map((p) => p.id))).values()];
        return { data: [...people, ...bots].slice(0, limit) };
      });
      api.get('/people/:id', async (request) => {
        await auth.member(request);
        const id = param(request);
        const person = numeric(id) ? await findMemberById(ctx.db, id) : undefined;
        if (!person) {
          const page = numeric(id) ? (await loadProfileRefs(ctx, [id])).get(id) : undefined;
          if (!page) throw new AppError('unknown_object', 'No such person');
          return { ...page, kind: 'bot' };
        }
        const chain: MemberRow[] = [];
        let next = person.manager_id;
        while (next && chain.length < 20 && !chain.some((m) => m.id === next)) {
          const [manager] = await findMembersByIds(ctx.db, [next]);
          if (!manager) break;
          chain.push(manager);
          next = manager.manager_id;
        }
        const reports = await listReports(ctx.db, person.id);
        const [self] = await memberRefs(ctx, [person]);
        return {
          ...self,
          kind: 'person',
          picture_large_url: await pictureUrlOf(ctx, person, PROFILE_PICTURE_SIDE),
          email: person.email,
          department: person.department,
          division: person.division,
          organization: person.organization,
          primary_phone: person.primary_phone,
          primary_address: person.primary_address,
          locale: person.locale,
          is_frontline: person.is_frontline === 1,
          active: person.state !== 'deactivated',
          joined_time: iso(person.claimed_time),
          managers: await memberRefs(ctx, chain),
          reports: await memberRefs(ctx, reports),
        };
      });

      // Claiming an invitation: the claim link (or access code) sets the password and signs in.
      api.post('/claim', async (request, reply) => {
        const b = bodyOf(request);
        const secret = optionalString(b, 'secret') ?? '';
        const password = optionalString(b, 'password');
        if (!secret.trim()) throw invalidParameter('secret (the claim link token or the access code) is required');
        checkSignInOrigin(ctx.config, request);
        const claimed = await ctx.db.transaction().execute((trx) => accountClaimer({ ctx, actor: { kind: 'system' }, trx }, { secret, password }));
        if (!claimed.email || !password) return { claimed: true, member: { id: claimed.id, name: claimed.name, email: claimed.email } };
        const signedIn = await memberSignIn(ctx, claimed.email, password);
        setMemberCookie(ctx.config, request, reply, signedIn.token);
        return { claimed: true, csrf_token: signedIn.csrfToken, member: { id: claimed.id, name: claimed.name, email: claimed.email } };
      });

      // Invitation lookup: the claim page greets the person before they choose a password.
      api.get('/invitations/:token', async (request) => {
        const invite = await findInviteByHash(ctx.db, sha256Hex(param(request, 'token')));
        const member = invite && invite.expires_time > ctx.clock.now() ? await findMemberById(ctx.db, invite.member_id) : undefined;
        if (!member || member.state !== 'invited') throw new AppError('unknown_object', 'This invitation is not valid: it was used, replaced or has expired.');
        return { name: member.name, email: member.email, needs_password: member.auth_method !== 'sso', expires_time: iso(invite!.expires_time) };
      });
    },
    { prefix: '/api' },
  );
}
