import { linkPreviewRequester } from '../linkPreviews.js';
import { type Attachment, checkGetStarted, type ImageRef, checkGreeting, checkPersistentMenu, type MessageContent, type ProfileChanges, type ProfileField } from '../../chat/message.js';
import { chatFileIds, chatFileUrl, configuredBase, templateForClients } from '../../chat/files.js';
import { isUniqueViolation } from '../../db/database.js';
import { findPagesByIds } from '../../db/repositories/app.js';
import {
  type ChatFileRow,
  type ChatMessageRow,
  findChatFilesByIds,
  findMessengerProfiles,
  findPairThread,
  findThreadById,
  insertChatFile,
  insertMessage,
  insertParticipants,
  insertThread,
  messagesBetween,
  type ParticipantRow,
  participantsOf,
  type ThreadRow,
  updateParticipant,
  updateThread,
  upsertMessengerProfile,
} from '../../db/repositories/chat.js';
import type { Db } from '../../db/database.js';
import { findCommunity } from '../../db/repositories/community.js';
import { findMembersByIds } from '../../db/repositories/member.js';
import { AppError, invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import { type OutboxEvent, recordChange } from '../events.js';
import { MAX_UPLOAD_BYTES, sniffImage, storeMediaFile } from '../media.js';
import { optionalRemoteFiles, remoteFile, type Write } from './shared.js';

/** Someone in Work Chat: a member or a bot page. */
export interface ChatProfile {
  id: string;
  type: 'member' | 'page';
  name: string;
}

/** A thread with its participants (current and former), loaded together. */
export interface ThreadState {
  thread: ThreadRow;
  participants: ParticipantRow[];
}

/** How long a bot's typing_on shows when no typing_off follows (Messenger: 20 s). */
export const TYPING_MS = 20_000;
const MAX_THREAD_NAME = 250;

export const threadWireId = (thread: Pick<ThreadRow, 'id'>) => `t_${thread.id}`;
export const messageWireId = (message: Pick<ChatMessageRow, 'id'>) => `m_${message.id}`;

export function activeParticipants(state: ThreadState): ParticipantRow[] {
  return state.participants.filter((p) => p.left_time === null);
}

/** Tells the members' live event streams, in whichever process holds them, that a thread changed (on commit). */
async function announceThread({ ctx, trx }: Write, state: ThreadState, updated: number, lastMessageId: string | null): Promise<void> {
  const members = state.participants.filter((p) => p.profile_type === 'member').map((p) => p.profile_id);
  if (members.length) await ctx.bus.publish(trx, { t: 'thread', thread: state.thread.id, updated, last: lastMessageId, members });
}

export function participantOf(state: ThreadState, profileId: string): ParticipantRow | undefined {
  return state.participants.find((p) => p.profile_id === profileId && p.left_time === null);
}

export async function loadThread(db: Db, threadId: string): Promise<ThreadState | undefined> {
  const thread = await findThreadById(db, threadId);
  return thread ? { thread, participants: await participantsOf(db, [thread.id]) } : undefined;
}

/** Members (active) and bot pages by id, as chat profiles. */
export async function chatProfiles(db: Db, ids: readonly string[]): Promise<Map<string, ChatProfile>> {
  const [members, pages] = await Promise.all([findMembersByIds(db, ids), findPagesByIds(db, ids)]);
  const out = new Map<string, ChatProfile>();
  for (const m of members) if (m.state !== 'deactivated') out.set(m.id, { id: m.id, type: 'member', name: m.name });
  for (const p of pages) out.set(p.id, { id: p.id, type: 'page', name: p.name });
  return out;
}

function participantRow(threadId: string, profile: ChatProfile, role: ParticipantRow['role'], now: number): ParticipantRow {
  return { thread_id: threadId, profile_id: profile.id, profile_type: profile.type, role, joined_time: now, left_time: null, delivered_watermark: now, read_watermark: now, typing_until: null };
}

/** Finds the 1:1 thread of two profiles, or creates it. */
export async function directThreadOpener({ ctx, actor, trx }: Write, a: ChatProfile, b: ChatProfile): Promise<{ state: ThreadState; created: boolean }> {
  if (a.id === b.id) throw invalidParameter('A chat needs two different people');
  const pairKey = [a.id, b.id].sort().join(':');
  const existing = await findPairThread(trx, pairKey);
  if (existing) return { state: { thread: existing, participants: await participantsOf(trx, [existing.id]) }, created: false };
  const now = ctx.clock.now();
  const thread: ThreadRow = { id: newId(), kind: 'one_to_one', name: null, pair_key: pairKey, created_by: a.id, created_time: now, updated_time: now };
  try {
    await insertThread(trx, thread);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', '(#100) The conversation was just created by another request; try again');
    throw error;
  }
  const participants = [participantRow(thread.id, a, 'member', now), participantRow(thread.id, b, 'member', now)];
  await insertParticipants(trx, participants);
  await recordChange(trx, ctx, actor, { action: 'chat.thread_created', target: { type: 'chat_thread', id: threadWireId(thread) }, new: { kind: thread.kind, participants: [a.id, b.id] } });
  await announceThread({ ctx, actor, trx }, { thread, participants }, now, null);
  return { state: { thread, participants }, created: true };
}

/** Creates a group thread: the creator is its admin. */
export async function groupThreadCreator({ ctx, actor, trx }: Write, creator: ChatProfile, others: readonly ChatProfile[], name?: string): Promise<ThreadState> {
  const unique = [...new Map(others.filter((o) => o.id !== creator.id).map((o) => [o.id, o])).values()];
  if (unique.length === 0) throw invalidParameter('A group chat needs at least one other participant');
  if (unique.length > 250) throw invalidParameter('A group chat has at most 250 participants');
  const now = ctx.clock.now();
  const thread: ThreadRow = { id: newId(), kind: 'group', name: checkName(name) ?? null, pair_key: null, created_by: creator.id, created_time: now, updated_time: now };
  await insertThread(trx, thread);
  const participants = [participantRow(thread.id, creator, 'admin', now), ...unique.map((o) => participantRow(thread.id, o, 'member', now))];
  await insertParticipants(trx, participants);
  await recordChange(trx, ctx, actor, {
    action: 'chat.thread_created',
    target: { type: 'chat_thread', id: threadWireId(thread) },
    new: { kind: thread.kind, name: thread.name, participants: participants.map((p) => p.profile_id) },
  });
  await announceThread({ ctx, actor, trx }, { thread, participants }, now, null);
  return { thread, participants };
}

function checkName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const trimmed = name.trim();
  if (!trimmed) throw invalidParameter('A thread name cannot be empty');
  if (trimmed.length > MAX_THREAD_NAME) throw invalidParameter(`A thread name has at most ${MAX_THREAD_NAME} characters`);
  return trimmed;
}

type MessagingField = 'messages' | 'message_deliveries' | 'message_reads' | 'messaging_postbacks';

/** A `page` messaging event for one bot page of a thread (sender: the member). */
function messagingEvent(field: MessagingField, pageId: string, memberId: string, communityId: string, timestamp: number, body: Record<string, unknown>, thread: ThreadRow): OutboxEvent {
  return {
    topic: 'page',
    field,
    entryId: pageId,
    orderingKey: threadWireId(thread),
    value: {
      sender: { id: memberId, community: { id: communityId } },
      recipient: { id: pageId },
      timestamp,
      ...body,
      ...(thread.kind === 'group' ? { thread: { id: threadWireId(thread) } } : {}),
    },
  };
}

async function communityId(trx: Db): Promise<string> {
  return (await findCommunity(trx))?.id ?? '';
}

const botsOf = (state: ThreadState, except?: string) => activeParticipants(state).filter((p) => p.profile_type === 'page' && p.profile_id !== except);

/** The media attachments of a message as messaging webhooks carry them. */
async function webhookAttachments(w: Write, attachments: readonly Attachment[]): Promise<{ type: string; payload: { url: string } }[]> {
  const ids = attachments.flatMap((a) => (a.type !== 'template' && a.payload.attachment_id ? [a.payload.attachment_id] : []));
  const files = new Map((await findChatFilesByIds(w.trx, ids)).map((f) => [f.id, f]));
  const base = configuredBase(w.ctx);
  return attachments.flatMap((a) => {
    if (a.type === 'template') return [];
    const file = a.payload.attachment_id ? files.get(a.payload.attachment_id) : undefined;
    const url = file ? chatFileUrl(w.ctx, base, file) : a.payload.url;
    return url ? [{ type: a.type, payload: { url } }] : [];
  });
}

/**
 * The `message_echoes` event of a bot's own message, as Messenger echoed it to the sending page:
 * `is_echo`, the app id, the mid and the content (templates as their payload).
 */
async function echoEvent(w: Write, state: ThreadState, bot: ChatProfile, appId: string, row: ChatMessageRow, attachments: readonly Attachment[]): Promise<OutboxEvent> {
  const others = activeParticipants(state).filter((p) => p.profile_id !== bot.id);
  const recipient = state.thread.kind === 'group' || others.length !== 1 ? threadWireId(state.thread) : others[0].profile_id;
  const media = await webhookAttachments(w, attachments);
  const files = new Map((await findChatFilesByIds(w.trx, chatFileIds(attachments))).map((f) => [f.id, f]));
  const base = configuredBase(w.ctx);
  const templates = attachments.flatMap((a) => (a.type === 'template' ? [templateForClients(w.ctx, base, files, a)] : []));
  const message = {
    is_echo: true,
    app_id: appId,
    mid: messageWireId(row),
    ...(row.text !== null ? { text: row.text } : {}),
    ...(media.length || templates.length ? { attachments: [...media, ...templates] } : {}),
  };
  return {
    topic: 'page',
    field: 'message_echoes',
    entryId: bot.id,
    orderingKey: threadWireId(state.thread),
    value: {
      sender: { id: bot.id },
      recipient: { id: recipient },
      timestamp: row.created_time,
      message,
      ...(state.thread.kind === 'group' ? { thread: { id: threadWireId(state.thread) } } : {}),
    },
  };
}

/**
 * Posts a message in a thread. A member's message becomes a `messages` webhook for each bot page
 * in the thread (with the quick reply it answers, if any); a bot's own message becomes its
 * `message_echoes` webhook.
 */
export async function messageSender(w: Write, state: ThreadState, sender: ChatProfile, content: MessageContent & { quickReplyPayload?: string }): Promise<ChatMessageRow> {
  const { ctx, actor, trx } = w;
  if (!participantOf(state, sender.id)) throw new AppError('action_not_allowed', '(#10) Only participants can write in a thread');
  // Every file given by URL is fetched before anything is stored (each fetch runs the command
  // again): the media the message needs first, then the images it can do without.
  for (const a of content.attachments) if (a.type !== 'template' && !a.payload.attachment_id && a.payload.url) await remoteFile(w, a.payload.url, a.type === 'image' ? 'image' : 'file');
  content = await imageStorer(w, sender, content);
  // Media given by URL are stored like uploads, as Messenger did; the message keeps the stored file.
  for (const [i, a] of content.attachments.entries()) {
    if (a.type === 'template' || a.payload.attachment_id || !a.payload.url) continue;
    const stored = await chatFileStorer(w, sender, { type: a.type, url: a.payload.url });
    content = { ...content, attachments: content.attachments.map((x, j) => (j === i ? { type: a.type, payload: { attachment_id: stored.id } } : x)) };
  }
  const files = content.attachments.flatMap((a) => (a.type !== 'template' && a.payload.attachment_id ? [a.payload.attachment_id] : []));
  const known = await findChatFilesByIds(trx, files);
  for (const id of files) {
    if (!known.some((f) => f.id === id && f.owner_id === sender.id)) throw invalidParameter(`Unknown attachment_id ${id}`);
  }
  const now = ctx.clock.now();
  const row: ChatMessageRow = {
    id: newId(),
    thread_id: state.thread.id,
    sender_id: sender.id,
    sender_type: sender.type,
    source: 'message',
    text: content.text,
    quick_replies: content.quickReplies.length ? JSON.stringify(content.quickReplies) : null,
    attachments: content.attachments.length ? JSON.stringify(content.attachments) : null,
    quick_reply_payload: content.quickReplyPayload ?? null,
    created_time: now,
  };
  await insertMessage(trx, row);
  if (sender.type === 'member') await linkPreviewRequester(w, { objectType: 'message', objectId: row.id, texts: [row.text], groupId: null });
  await updateThread(trx, state.thread.id, { updated_time: now });
  await updateParticipant(trx, state.thread.id, sender.id, { read_watermark: now, delivered_watermark: now, typing_until: null });
  await announceThread(w, state, now, row.id);
  const events: OutboxEvent[] = [];
  if (sender.type === 'member') {
    const community = await communityId(trx);
    const attachments = await webhookAttachments(w, content.attachments);
    const message = {
      mid: messageWireId(row),
      ...(row.text !== null ? { text: row.text } : {}),
      ...(row.quick_reply_payload !== null ? { quick_reply: { payload: row.quick_reply_payload } } : {}),
      ...(attachments.length ? { attachments } : {}),
    };
    for (const bot of botsOf(state)) events.push(messagingEvent('messages', bot.profile_id, sender.id, community, now, { message }, state.thread));
  } else if ((actor.kind === 'integration' || actor.kind === 'app') && actor.pageId === sender.id) {
    events.push(await echoEvent(w, state, sender, actor.appId, row, content.attachments));
  }
  await recordChange(trx, ctx, actor, {
    action: 'chat.message_sent',
    target: { type: 'chat_message', id: messageWireId(row) },
    new: { thread: threadWireId(state.thread), sender: sender.id },
    events,
  });
  return row;
}

/**
 * Template and quick-reply images given by URL are fetched once, together, and kept as chat files
 * of the sender; the message then refers to the stored file (`image_file`) and readers get signed
 * links. An image that cannot be fetched (or beyond the request's limit) is left out: the message
 * still goes, as Messenger showed a card whose image failed without one.
 */
async function imageStorer<T extends MessageContent>(w: Write, sender: ChatProfile, content: T): Promise<T> {
  const urls = [
    ...content.attachments.flatMap((a) => (a.type === 'template' && a.payload.template_type === 'generic' ? a.payload.elements.flatMap((e) => (e.image_url ? [e.image_url] : [])) : [])),
    ...content.quickReplies.flatMap((q) => (q.image_url ? [q.image_url] : [])),
  ];
  if (urls.length === 0) return content;
  const unique = [...new Set(urls)];
  const fetched = await optionalRemoteFiles(w, unique, 'image');
  const stored = new Map<string, string>();
  for (const [i, url] of unique.entries()) {
    const file = fetched[i];
    if (file) stored.set(url, (await chatFileStorer(w, sender, { type: 'image', file: { filename: file.name, data: file.data }, url })).id);
  }
  const swap = <X extends ImageRef>(item: X): X => {
    if (!item.image_url) return item;
    const { image_url: url, ...rest } = item;
    const id = stored.get(url);
    return (id ? { ...rest, image_file: id } : rest) as X;
  };
  return {
    ...content,
    attachments: content.attachments.map((a) => (a.type === 'template' && a.payload.template_type === 'generic' ? { type: 'template', payload: { ...a.payload, elements: a.payload.elements.map(swap) } } : a)),
    quickReplies: content.quickReplies.map(swap),
  };
}

/** Writes a system line in a thread (renames, people added or removed); no webhook. */
async function systemMessage(w: Write, state: ThreadState, by: ChatProfile, text: string): Promise<void> {
  const now = w.ctx.clock.now();
  const id = newId();
  await insertMessage(w.trx, { id, thread_id: state.thread.id, sender_id: by.id, sender_type: by.type, source: 'system', text, quick_replies: null, attachments: null, quick_reply_payload: null, created_time: now });
  await updateThread(w.trx, state.thread.id, { updated_time: now });
  await announceThread(w, state, now, id);
}

/**
 * Moves a member's delivered watermark: the bots whose messages it covers get a
 * `message_deliveries` webhook with their message ids. Returns false when nothing moved.
 */
export async function deliveryRecorder(w: Write, state: ThreadState, member: ChatProfile, upTo: number): Promise<boolean> {
  const { ctx, actor, trx } = w;
  const me = participantOf(state, member.id);
  if (!me) throw new AppError('action_not_allowed', '(#10) Only participants can receive messages of a thread');
  const watermark = Math.min(upTo, ctx.clock.now());
  const before = me.delivered_watermark ?? 0;
  if (watermark <= before) return false;
  await updateParticipant(trx, state.thread.id, member.id, { delivered_watermark: watermark });
  me.delivered_watermark = watermark;
  const community = await communityId(trx);
  const events: OutboxEvent[] = [];
  for (const bot of botsOf(state)) {
    const covered = await messagesBetween(trx, state.thread.id, [bot.profile_id], before, watermark);
    if (covered.length) {
      events.push(messagingEvent('message_deliveries', bot.profile_id, member.id, community, ctx.clock.now(), { delivery: { mids: covered.map(messageWireId), watermark } }, state.thread));
    }
  }
  await recordChange(trx, ctx, actor, { action: 'chat.messages_delivered', target: { type: 'chat_thread', id: threadWireId(state.thread) }, new: { member: member.id, watermark }, events });
  return true;
}

/**
 * Moves a member's read watermark (and the delivered one with it): each bot of the thread gets a
 * `message_reads` webhook. Returns false when nothing moved.
 */
export async function readRecorder(w: Write, state: ThreadState, member: ChatProfile, upTo: number): Promise<boolean> {
  const { ctx, actor, trx } = w;
  const watermark = Math.min(upTo, ctx.clock.now());
  await deliveryRecorder(w, state, member, watermark);
  const me = participantOf(state, member.id)!;
  if (watermark <= (me.read_watermark ?? 0)) return false;
  await updateParticipant(trx, state.thread.id, member.id, { read_watermark: watermark });
  me.read_watermark = watermark;
  const community = await communityId(trx);
  const events = botsOf(state).map((bot) => messagingEvent('message_reads', bot.profile_id, member.id, community, ctx.clock.now(), { read: { watermark } }, state.thread));
  await recordChange(trx, ctx, actor, { action: 'chat.messages_read', target: { type: 'chat_thread', id: threadWireId(state.thread) }, new: { member: member.id, watermark }, events });
  return true;
}

/** A member tapped a postback button (template, persistent menu, get started) of a bot. */
export async function postbackTapper(w: Write, state: ThreadState, member: ChatProfile, bot: string, postback: { title: string; payload: string; mid?: string }): Promise<void> {
  const { ctx, actor, trx } = w;
  if (!participantOf(state, member.id)) throw new AppError('action_not_allowed', '(#10) Only participants can tap buttons in a thread');
  if (!botsOf(state).some((b) => b.profile_id === bot)) throw invalidParameter('The button belongs to a bot that is not in this thread');
  const event = messagingEvent('messaging_postbacks', bot, member.id, await communityId(trx), ctx.clock.now(), { postback: { title: postback.title, payload: postback.payload, ...(postback.mid ? { mid: postback.mid } : {}) } }, state.thread);
  await recordChange(trx, ctx, actor, { action: 'chat.postback', target: { type: 'chat_thread', id: threadWireId(state.thread) }, new: { member: member.id, bot, payload: postback.payload }, events: [event] });
}

function requireGroup(state: ThreadState): void {
  if (state.thread.kind !== 'group') throw invalidParameter('People can only be added to or removed from group chats');
}

/** Adds people to a group thread (people who left join again). Returns who was added. */
export async function participantsAdder(w: Write, state: ThreadState, by: ChatProfile, profiles: readonly ChatProfile[]): Promise<string[]> {
  requireGroup(state);
  const { ctx, actor, trx } = w;
  const now = ctx.clock.now();
  const added: ChatProfile[] = [];
  for (const p of profiles) {
    if (participantOf(state, p.id) || added.some((a) => a.id === p.id)) continue;
    const former = state.participants.find((x) => x.profile_id === p.id);
    if (former) await updateParticipant(trx, state.thread.id, p.id, { left_time: null, joined_time: now, delivered_watermark: now, read_watermark: now });
    else await insertParticipants(trx, [participantRow(state.thread.id, p, 'member', now)]);
    added.push(p);
  }
  if (added.length === 0) return [];
  await systemMessage(w, state, by, `${by.name} added ${added.map((a) => a.name).join(', ')} to the group.`);
  await recordChange(trx, ctx, actor, { action: 'chat.participants_added', target: { type: 'chat_thread', id: threadWireId(state.thread) }, new: { by: by.id, added: added.map((a) => a.id) } });
  return added.map((a) => a.id);
}

/** Removes people from a group thread; they become former participants. Returns who was removed. */
export async function participantRemover(w: Write, state: ThreadState, by: ChatProfile, profiles: readonly ChatProfile[]): Promise<string[]> {
  requireGroup(state);
  const { ctx, actor, trx } = w;
  const now = ctx.clock.now();
  const removed: ChatProfile[] = [];
  for (const p of profiles) {
    if (!participantOf(state, p.id) || removed.some((r) => r.id === p.id)) continue;
    await updateParticipant(trx, state.thread.id, p.id, { left_time: now, typing_until: null });
    removed.push(p);
  }
  if (removed.length === 0) return [];
  await systemMessage(w, state, by, `${by.name} removed ${removed.map((r) => r.name).join(', ')} from the group.`);
  await recordChange(trx, ctx, actor, { action: 'chat.participant_removed', target: { type: 'chat_thread', id: threadWireId(state.thread) }, new: { by: by.id, removed: removed.map((r) => r.id) } });
  return removed.map((r) => r.id);
}

/** Renames a group thread; false when the name is unchanged. */
export async function threadRenamer(w: Write, state: ThreadState, by: ChatProfile, name: string): Promise<boolean> {
  requireGroup(state);
  const next = checkName(name)!;
  if (next === state.thread.name) return false;
  await updateThread(w.trx, state.thread.id, { name: next });
  await systemMessage(w, state, by, `${by.name} named the group ${next}.`);
  await recordChange(w.trx, w.ctx, w.actor, { action: 'chat.thread_renamed', target: { type: 'chat_thread', id: threadWireId(state.thread) }, old: { name: state.thread.name }, new: { name: next } });
  return true;
}

/**
 * A bot's sender action: typing on/off, or mark_seen (its read watermark). These are presence
 * signals, not changes of record: no audit event and no webhook, like Messenger.
 */
export async function senderActionSetter({ ctx, trx }: Write, state: ThreadState, bot: ChatProfile, action: 'mark_seen' | 'typing_on' | 'typing_off'): Promise<void> {
  const now = ctx.clock.now();
  if (action === 'mark_seen') await updateParticipant(trx, state.thread.id, bot.id, { read_watermark: now, delivered_watermark: now });
  else await updateParticipant(trx, state.thread.id, bot.id, { typing_until: action === 'typing_on' ? now + TYPING_MS : null });
}

/** Sets parts of a bot page's Messenger profile; false when nothing changed. */
export async function messengerProfileSetter({ ctx, actor, trx }: Write, pageId: string, changes: ProfileChanges): Promise<boolean> {
  const current = (await findMessengerProfiles(trx, [pageId])).get(pageId);
  const next = {
    page_id: pageId,
    greeting: changes.greeting ? JSON.stringify(changes.greeting) : current?.greeting ?? null,
    get_started: changes.get_started ? JSON.stringify(changes.get_started) : current?.get_started ?? null,
    persistent_menu: changes.persistent_menu ? JSON.stringify(changes.persistent_menu) : current?.persistent_menu ?? null,
    updated_time: ctx.clock.now(),
  };
  const changed = (['greeting', 'get_started', 'persistent_menu'] as const).filter((k) => next[k] !== (current?.[k] ?? null));
  if (changed.length === 0) return false;
  await upsertMessengerProfile(trx, next);
  await recordChange(trx, ctx, actor, { action: 'chat.profile_updated', target: { type: 'page', id: pageId }, new: Object.fromEntries(changed.map((k) => [k, JSON.parse(next[k]!)])) });
  return true;
}

/** Clears parts of a bot page's Messenger profile; false when they were not set. */
export async function messengerProfileClearer({ ctx, actor, trx }: Write, pageId: string, fields: readonly ProfileField[]): Promise<boolean> {
  const current = (await findMessengerProfiles(trx, [pageId])).get(pageId);
  const set = fields.filter((f) => current?.[f] !== null && current?.[f] !== undefined);
  if (!current || set.length === 0) return false;
  await upsertMessengerProfile(trx, { ...current, ...Object.fromEntries(set.map((f) => [f, null])), updated_time: ctx.clock.now() });
  await recordChange(trx, ctx, actor, { action: 'chat.profile_updated', target: { type: 'page', id: pageId }, old: Object.fromEntries(set.map((f) => [f, JSON.parse(current[f]!)])) });
  return true;
}

/** Parses Messenger profile settings from request values (JSON or bracket notation). */
export function profileChanges(values: Record<string, unknown>): ProfileChanges {
  const out: ProfileChanges = {};
  if (values.greeting !== undefined) out.greeting = checkGreeting(values.greeting);
  if (values.get_started !== undefined) out.get_started = checkGetStarted(values.get_started);
  if (values.persistent_menu !== undefined) out.persistent_menu = checkPersistentMenu(values.persistent_menu);
  return out;
}

/**
 * Stores a chat file owned by whoever sends it; returns it. A file given by URL is fetched once
 * through the egress policy and stored like an upload (the URL is kept only in the audit event).
 */
export async function chatFileStorer(
  w: Write,
  owner: ChatProfile,
  /** `file` is an upload, or the bytes already fetched from `url`; `url` alone is fetched here. */
  input: { type: ChatFileRow['type']; file?: { filename: string; data: Buffer }; url?: string },
): Promise<ChatFileRow> {
  const { ctx, actor, trx } = w;
  if (!input.file && (!input.url || !/^https?:\/\/\S+$/i.test(input.url))) throw invalidParameter('An attachment needs an http(s) url or an uploaded file');
  const file = input.file ?? (await remoteFile(w, input.url!, input.type === 'image' ? 'image' : 'file'));
  const filename = 'filename' in file ? file.filename : file.name;
  const id = newId();
  const data = file.data;
  if (data.length > MAX_UPLOAD_BYTES) throw invalidParameter(`A file has at most ${MAX_UPLOAD_BYTES} bytes`);
  const image = sniffImage(data);
  if (input.type === 'image' && !image) throw invalidParameter('The uploaded image is not a JPEG, PNG, GIF or WebP');
  const mime = image?.mime ?? 'application/octet-stream';
  const fileName = await storeMediaFile(ctx.media, `chat-${id}`, image?.ext ?? 'bin', data, mime);
  const row: ChatFileRow = { id, owner_id: owner.id, type: input.type, url: null, file_name: fileName, name: filename.slice(0, 200), mime_type: mime, size: data.length, created_time: ctx.clock.now() };
  await insertChatFile(trx, row);
  await recordChange(trx, ctx, actor, { action: 'chat.file_uploaded', target: { type: 'chat_file', id }, new: { type: row.type, url: input.url ?? null, size: row.size } });
  return row;
}
