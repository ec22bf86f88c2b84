import { viewerPreviews } from '../domain/linkPreviews.js';
import { previewCards } from '../presenters/linkPreview.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkSession, checkSignInOrigin, sessionCookie, signInGuard } from '../http/sessions.js';
import { webErrorHandler } from '../http/webErrors.js';
import type { Context } from '../context.js';
import { findPagesByIds } from '../db/repositories/app.js';
import { findAppById } from '../db/repositories/app.js';
import {
  type ChatMessageRow,
  findChatFilesByIds,
  findMessagesByIds,
  findMessengerProfiles,
  latestMessages,
  listMessages,
  listThreadsOf,
  participantsOf,
  unreadCounts,
} from '../db/repositories/chat.js';
import type { MemberActor } from '../domain/actor.js';
import {
  type ChatProfile,
  chatFileStorer,
  chatProfiles,
  deliveryRecorder,
  directThreadOpener,
  groupThreadCreator,
  loadThread,
  messageSender,
  messageWireId,
  participantOf,
  postbackTapper,
  readRecorder,
  type ThreadState,
  threadWireId,
} from '../domain/commands/chat.js';
import { transact, type Write } from '../domain/commands/shared.js';
import { memberSignIn, memberSignOut, SESSION_MS, sessionMember } from '../domain/commands/session.js';
import { mediaCacheControl } from '../http/resizedPictures.js';
import { AVATAR_SIDE, loadProfileRefs, pictureUrlOf } from '../presenters/memberApp.js';
import { AppError, invalidParameter } from '../errors.js';
import { botReachable } from '../policies/chat.js';
import { type Attachment, checkAttachment, MAX_TEXT, type MediaType, postbackButtons, type QuickReply } from './message.js';
import { chatFileIds, chatFileUrl, quickRepliesForClients, templateForClients } from './files.js';
import { attachmentDisposition } from '../http/headers.js';
import { publicBase } from '../http/links.js';
import { queryInteger, timeCursor, webQuery } from '../http/query.js';

const COOKIE = 'cp_member';
type Body = Record<string, unknown>;


type Part = { type?: 'file' | 'field'; fieldname?: string; filename?: string; value?: unknown };

/** The request body as plain values; a multipart upload becomes `{file: {filename, data}}`. */
function bodyOf(request: FastifyRequest): Body {
  const body = request.body;
  if (!body || typeof body !== 'object') return {};
  if (!request.isMultipart()) return body as Body;
  const out: Body = {};
  for (const [key, raw] of Object.entries(body as Record<string, Part>)) {
    const part = Array.isArray(raw) ? raw[0] : raw;
    out[key] = part?.type === 'file' ? { filename: part.filename ?? 'upload', data: part.value as Buffer } : part?.value;
  }
  return out;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function watermarkOf(body: Body, now: number): number {
  const w = body.watermark;
  if (w === undefined || w === null) return now;
  const n = Number(w);
  if (!Number.isFinite(n) || n <= 0) throw invalidParameter('watermark must be a time in milliseconds');
  return n;
}

/**
 * The member-facing JSON API of Work Chat under /api (the member web app uses it): session
 * sign-in with a cookie and CSRF token, threads, messages, delivered/read receipts, and tapping
 * bots' buttons. Bots get the matching `page` webhooks.
 */
export async function registerMemberApi(app: FastifyInstance, ctx: Context): Promise<void> {
  const guarded = signInGuard(ctx);

  async function member(request: FastifyRequest): Promise<{ actor: MemberActor; token: string; me: ChatProfile }> {
    const { token, session } = await checkSession(request, COOKIE, (t) => sessionMember(ctx, t));
    return { actor: { kind: 'member', memberId: session.member.id, isAdmin: false }, token, me: { id: session.member.id, type: 'member', name: session.member.name } };
  }
  const write = <T>(actor: MemberActor, fn: (w: Write) => Promise<T>) => transact(ctx, actor, fn);

  async function threadFor(request: FastifyRequest, me: ChatProfile): Promise<ThreadState> {
    const id = /^(?:t_)?(\d{1,20})$/.exec((request.params as { id: string }).id)?.[1];
    const state = id ? await loadThread(ctx.db, id) : undefined;
    if (!state || !participantOf(state, me.id)) throw new AppError('unknown_object', 'No such conversation');
    return state;
  }

  async function checkPeople(ids: readonly string[]): Promise<ChatProfile[]> {
    const profiles = await chatProfiles(ctx.db, ids);
    const pages = await findPagesByIds(ctx.db, ids.filter((id) => profiles.get(id)?.type === 'page'));
    const out: ChatProfile[] = [];
    for (const id of ids) {
      const p = profiles.get(id);
      if (!p) throw invalidParameter(`${id} is not an active member or a bot`);
      if (p.type === 'page') {
        const page = pages.find((x) => x.id === id)!;
        if (!botReachable(await findAppById(ctx.db, page.app_id))) throw invalidParameter(`${p.name} does not take chat messages`);
      }
      out.push(p);
    }
    return out;
  }

  async function presentMessages(rows: ChatMessageRow[], base: string, viewerId: string) {
    const parsed = rows.map((m) => ({
      attachments: m.attachments ? (JSON.parse(m.attachments) as Attachment[]) : [],
      quickReplies: m.quick_replies ? (JSON.parse(m.quick_replies) as QuickReply[]) : [],
    }));
    const ids = parsed.flatMap((p) => chatFileIds(p.attachments, p.quickReplies));
    const files = new Map((await findChatFilesByIds(ctx.db, ids)).map((f) => [f.id, f]));
    const senderIds = [...new Set(rows.map((m) => m.sender_id))];
    const [senders, pictures, previews] = await Promise.all([chatProfiles(ctx.db, senderIds), loadProfileRefs(ctx, senderIds), viewerPreviews(ctx.db, ctx.clock.now(), 'message', rows.map((m) => ({ id: m.id, authorId: m.sender_id })), viewerId)]);
    return rows.map((m, i) => ({
      id: messageWireId(m),
      thread_id: `t_${m.thread_id}`,
      from: { id: m.sender_id, type: m.sender_type, name: senders.get(m.sender_id)?.name ?? null, picture_url: pictures.get(m.sender_id)?.picture_url ?? null },
      source: m.source,
      text: m.text,
      created_time: iso(m.created_time),
      timestamp: m.created_time,
      quick_replies: quickRepliesForClients(ctx, base, files, parsed[i].quickReplies),
      quick_reply_payload: m.quick_reply_payload,
      previews: previewCards(ctx.mediaLinks, previews.rows.get(m.id)),
      attachments: parsed[i].attachments.map((a) => {
        if (a.type === 'template') return templateForClients(ctx, base, files, a);
        if (!a.payload.attachment_id) return a;
        const file = files.get(a.payload.attachment_id);
        return { type: a.type, payload: { url: file ? chatFileUrl(ctx, base, file) : null, name: file?.name ?? null, size: file?.size ?? null } };
      }),
    }));
  }

  async function presentThreads(states: ThreadState[], me: ChatProfile) {
    const ids = states.map((s) => s.thread.id);
    const participantIds = [...new Set(states.flatMap((s) => s.participants.map((p) => p.profile_id)))];
    const [profiles, pictures] = await Promise.all([chatProfiles(ctx.db, participantIds), loadProfileRefs(ctx, participantIds)]);
    const [latest, unread, bots] = await Promise.all([
      latestMessages(ctx.db, ids),
      unreadCounts(ctx.db, me.id, ids),
      findMessengerProfiles(ctx.db, [...new Set(states.flatMap((s) => s.participants.filter((p) => p.profile_type === 'page').map((p) => p.profile_id)))]),
    ]);
    const now = ctx.clock.now();
    return states.map((s) => ({
      id: threadWireId(s.thread),
      kind: s.thread.kind,
      name: s.thread.name,
      updated_time: iso(s.thread.updated_time),
      snippet: latest.get(s.thread.id)?.text ?? null,
      unread_count: unread.get(s.thread.id) ?? 0,
      participants: s.participants
        .filter((p) => p.left_time === null)
        .map((p) => ({
          id: p.profile_id,
          type: p.profile_type,
          name: profiles.get(p.profile_id)?.name ?? null,
          picture_url: pictures.get(p.profile_id)?.picture_url ?? null,
          role: p.role,
          delivered_watermark: p.delivered_watermark,
          read_watermark: p.read_watermark,
          typing: (p.typing_until ?? 0) > now,
        })),
      bots: s.participants
        .filter((p) => p.left_time === null && p.profile_type === 'page')
        .map((p) => {
          const profile = bots.get(p.profile_id);
          const parse = (v: string | null | undefined) => (v ? JSON.parse(v) : null);
          return { id: p.profile_id, name: profiles.get(p.profile_id)?.name ?? null, greeting: parse(profile?.greeting), get_started: parse(profile?.get_started), persistent_menu: parse(profile?.persistent_menu) };
        }),
    }));
  }

  const base = (request: FastifyRequest) => publicBase(ctx.config, request);

  /** The quick reply a member's answer picks, checked against what bots in the thread offered. */
  async function quickReplyOf(db: Context['db'], state: ThreadState, payload: string): Promise<QuickReply> {
    const recent = await listMessages(db, state.thread.id, { participantsOnly: true }, { limit: 50, order: 'desc' });
    for (const m of recent.rows) {
      if (m.sender_type !== 'page' || !m.quick_replies) continue;
      const found = (JSON.parse(m.quick_replies) as QuickReply[]).find((q) => q.payload === payload);
      if (found) return found;
    }
    throw invalidParameter('No bot in this conversation offered that quick reply');
  }

  await app.register(
    async (api) => {
      api.setErrorHandler(webErrorHandler('member chat api'));

      api.post('/session', async (request, reply) => {
        const b = bodyOf(request);
        const email = typeof b.email === 'string' ? b.email : '';
        const password = typeof b.password === 'string' ? b.password : '';
        checkSignInOrigin(ctx.config, request);
        const signedIn = await guarded(request, email, () => memberSignIn(ctx, email, password));
        reply.header('set-cookie', sessionCookie(ctx.config, request, COOKIE, signedIn.token, SESSION_MS / 1000));
        return { csrf_token: signedIn.csrfToken, member: { id: signedIn.member.id, name: signedIn.member.name, email: signedIn.member.email, picture_url: await pictureUrlOf(ctx, signedIn.member, AVATAR_SIDE) } };
      });
      api.get('/session', async (request) => {
        const { session } = await checkSession(request, COOKIE, (t) => sessionMember(ctx, t));
        return { csrf_token: session.csrfToken, member: { id: session.member.id, name: session.member.name, email: session.member.email, picture_url: await pictureUrlOf(ctx, session.member, AVATAR_SIDE) } };
      });
      api.delete('/session', async (request, reply) => {
        const { actor, token } = await member(request);
        await memberSignOut(ctx, token, actor.memberId);
        reply.header('set-cookie', sessionCookie(ctx.config, request, COOKIE, '', 0));
        return { success: true };
      });

      api.get('/threads', async (request) => {
        const { me } = await member(request);
        const q = webQuery(request);
        const limit = queryInteger(q, 'limit', { min: 1, max: 100, fallback: 25 });
        const before = timeCursor(q, 'before');
        const page = await listThreadsOf(ctx.db, me.id, { limit, order: 'desc', after: before ? { sort: before.time, id: before.id } : undefined });
        const participants = await participantsOf(ctx.db, page.rows.map((t) => t.id));
        const states = page.rows.map((thread) => ({ thread, participants: participants.filter((p) => p.thread_id === thread.id) }));
        const last = page.rows.at(-1);
        return { data: await presentThreads(states, me), paging: page.hasNext && last ? { before: `${last.updated_time}_${last.id}` } : {} };
      });

      api.post('/threads', async (request) => {
        const { actor, me } = await member(request);
        const b = bodyOf(request);
        const ids = Array.isArray(b.participants) ? b.participants.map(String) : [];
        if (ids.length === 0) throw invalidParameter('participants must list the people or bots to chat with');
        const people = await checkPeople(ids.filter((id) => id !== me.id));
        const name = typeof b.name === 'string' ? b.name : undefined;
        const state = await write(actor, async (w) => (people.length === 1 && !name ? (await directThreadOpener(w, me, people[0])).state : groupThreadCreator(w, me, people, name)));
        return (await presentThreads([state], me))[0];
      });

      api.get('/threads/:id', async (request) => {
        const { me } = await member(request);
        return (await presentThreads([await threadFor(request, me)], me))[0];
      });

      api.get('/threads/:id/messages', async (request) => {
        const { me } = await member(request);
        const state = await threadFor(request, me);
        const q = webQuery(request);
        const limit = queryInteger(q, 'limit', { min: 1, max: 200, fallback: 50 });
        const before = q.before ? (await findMessagesByIds(ctx.db, [q.before.replace(/^m_/, '')]))[0] : undefined;
        const page = await listMessages(ctx.db, state.thread.id, {}, { limit, order: 'desc', after: before ? { sort: before.created_time, id: before.id } : undefined });
        const rows = [...page.rows].reverse();
        return { data: await presentMessages(rows, base(request), me.id), paging: page.hasNext && rows[0] ? { before: messageWireId(rows[0]) } : {} };
      });

      api.post('/threads/:id/messages', async (request) => {
        const { actor, me } = await member(request);
        const state = await threadFor(request, me);
        const b = bodyOf(request);
        const message = await write(actor, (w) => sendAsMember(w, state, me, b));
        return (await presentMessages([message], base(request), me.id))[0];
      });

      api.post('/messages', async (request) => {
        const { actor, me } = await member(request);
        const b = bodyOf(request);
        const [other] = await checkPeople([String(b.recipient ?? '')]);
        const { message, state } = await write(actor, async (w) => {
          const opened = (await directThreadOpener(w, me, other)).state;
          return { state: opened, message: await sendAsMember(w, opened, me, b) };
        });
        return { thread_id: threadWireId(state.thread), message: (await presentMessages([message], base(request), me.id))[0] };
      });

      async function sendAsMember(w: Write, state: ThreadState, me: ChatProfile, b: Body) {
        const quick = b.quick_reply && typeof b.quick_reply === 'object' ? (b.quick_reply as Body).payload : undefined;
        const reply = quick !== undefined ? await quickReplyOf(w.trx, state, String(quick)) : undefined;
        let text = typeof b.text === 'string' && b.text !== '' ? b.text : reply?.title ?? null;
        if (text && text.length > MAX_TEXT) throw invalidParameter(`A message has at most ${MAX_TEXT} characters`);
        const attachments: Attachment[] = [];
        const file = b.file as { filename: string; data: Buffer } | undefined;
        if (file && Buffer.isBuffer(file.data)) {
          const type = (['image', 'video', 'audio', 'file'].includes(String(b.type)) ? b.type : 'file') as MediaType;
          const stored = await chatFileStorer(w, me, { type, file });
          attachments.push({ type, payload: { attachment_id: stored.id } });
        } else if (b.attachment !== undefined) {
          const a = checkAttachment(b.attachment);
          if (a.type === 'template') throw invalidParameter('Members send text, images and files');
          attachments.push(a);
        }
        if (text === null && attachments.length === 0) throw invalidParameter('A message needs text or an attachment');
        if (text === '') text = null;
        return messageSender(w, state, me, { text, quickReplies: [], attachments, quickReplyPayload: reply?.payload });
      }

      api.post('/threads/:id/delivered', async (request) => {
        const { actor, me } = await member(request);
        const state = await threadFor(request, me);
        const changed = await write(actor, (w) => deliveryRecorder(w, state, me, watermarkOf(bodyOf(request), ctx.clock.now())));
        return { success: true, changed };
      });

      api.post('/threads/:id/read', async (request) => {
        const { actor, me } = await member(request);
        const state = await threadFor(request, me);
        const changed = await write(actor, (w) => readRecorder(w, state, me, watermarkOf(bodyOf(request), ctx.clock.now())));
        return { success: true, changed };
      });

      api.post('/threads/:id/postback', async (request) => {
        const { actor, me } = await member(request);
        const state = await threadFor(request, me);
        const b = bodyOf(request);
        const payload = String(b.payload ?? '');
        if (!payload) throw invalidParameter('payload is required');
        let bot: string | undefined;
        let title: string | undefined;
        let mid: string | undefined;
        if (b.message_id !== undefined) {
          const [message] = await findMessagesByIds(ctx.db, [String(b.message_id).replace(/^m_/, '')]);
          if (!message || message.thread_id !== state.thread.id || message.sender_type !== 'page') throw invalidParameter('message_id is not a bot message of this conversation');
          const button = postbackButtons(message.attachments ? (JSON.parse(message.attachments) as Attachment[]) : []).find((x) => x.payload === payload);
          if (!button) throw invalidParameter('That message has no button with this payload');
          [bot, title, mid] = [message.sender_id, button.title, messageWireId(message)];
        } else {
          const botIds = state.participants.filter((p) => p.left_time === null && p.profile_type === 'page').map((p) => p.profile_id);
          for (const [pageId, profile] of await findMessengerProfiles(ctx.db, botIds)) {
            const started = profile.get_started ? (JSON.parse(profile.get_started) as { payload: string }) : undefined;
            if (started?.payload === payload) [bot, title] = [pageId, 'Get Started'];
            const menu = profile.persistent_menu ? (JSON.parse(profile.persistent_menu) as { call_to_actions: { type: string; title: string; payload?: string }[] }[]) : [];
            const item = menu.flatMap((m) => m.call_to_actions).find((a) => a.type === 'postback' && a.payload === payload);
            if (item) [bot, title] = [pageId, item.title];
            if (bot) break;
          }
          if (!bot) throw invalidParameter('No bot in this conversation has a button with this payload');
        }
        await write(actor, (w) => postbackTapper(w, state, me, bot!, { title: title!, payload, mid }));
        return { success: true };
      });

      api.get('/bots/:id', async (request) => {
        await member(request);
        const id = (request.params as { id: string }).id;
        const [page] = await findPagesByIds(ctx.db, [id]);
        if (!page) throw new AppError('unknown_object', 'No such bot');
        const profile = (await findMessengerProfiles(ctx.db, [id])).get(id);
        const parse = (v: string | null | undefined) => (v ? JSON.parse(v) : null);
        return {
          id: page.id,
          name: page.name,
          can_chat: botReachable(await findAppById(ctx.db, page.app_id)),
          greeting: parse(profile?.greeting),
          get_started: parse(profile?.get_started),
          persistent_menu: parse(profile?.persistent_menu),
        };
      });
    },
    { prefix: '/api' },
  );

  // Stored chat files, behind an expiring signature in the URL (like media).
  app.get('/chat-files/:id/:name', async (request, reply) => {
    const { id } = request.params as { id: string };
    const { ext, hash } = request.query as Record<string, unknown>;
    const notFound = () => reply.code(404).send({ error: { code: 'not_found', message: 'No such file, or the link expired' } });
    if (!(await ctx.mediaLinks.verify(`chat:${id}`, ext, hash))) return notFound();
    const [file] = await findChatFilesByIds(ctx.db, [id]);
    if (!file?.file_name) return notFound();
    const stored = await ctx.media.get(file.file_name);
    if (!stored) return notFound();
    reply.type(file.mime_type ?? 'application/octet-stream').header('x-content-type-options', 'nosniff').header('cache-control', mediaCacheControl(ctx, ext));
    if (!file.mime_type?.startsWith('image/')) reply.header('content-disposition', attachmentDisposition(file.name ?? id));
    if (stored.size) reply.header('content-length', stored.size);
    return reply.send(stored.body);
  });
}
