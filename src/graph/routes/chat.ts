import { checkAttachment, checkSendMessage, type MediaType, PROFILE_FIELDS, type ProfileChanges, type ProfileField } from '../../chat/message.js';
import { findMessengerProfiles, listThreadsOf, participantsOf } from '../../db/repositories/chat.js';
import { findMemberByEmail } from '../../db/repositories/member.js';
import {
  type ChatProfile,
  chatFileStorer,
  chatProfiles,
  directThreadOpener,
  groupThreadCreator,
  loadThread,
  messageSender,
  messageWireId,
  messengerProfileClearer,
  messengerProfileSetter,
  participantRemover,
  participantsAdder,
  profileChanges,
  senderActionSetter,
  threadRenamer,
  type ThreadState,
  threadWireId,
} from '../../domain/commands/chat.js';
import { AppError, invalidParameter, unknownObject } from '../../errors.js';
import { authorizeBotGroupCreate, authorizeBotSend, authorizeBotThreadAdmin, authorizeConversations, authorizeThreadRead } from '../../policies/chat.js';
import { authorize } from '../../policies/graph.js';
import { direction } from '../nodes/shared.js';
import { threadType } from '../nodes/thread/type.js';
import { stringParams } from '../read.js';
import { edgeQuery, pagingBlock, renderRows } from '../render.js';
import { type GraphRequest, type GraphRoute, success } from '../request.js';

const SENDER_ACTIONS = ['mark_seen', 'typing_on', 'typing_off'] as const;
const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'];

function ownPage(req: GraphRequest): ChatProfile {
  if (req.node.type !== 'page' || req.node.id !== req.actor.pageId) throw new AppError('action_not_allowed', '(#10) Only the bot page of this integration can do this');
  return { id: req.actor.pageId, type: 'page', name: req.actor.name };
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParameter(`${what} must be an object`);
  return value as Record<string, unknown>;
}

/** `t_123` or `123` as a thread id. */
function threadIdOf(key: unknown): string {
  const m = /^(?:t_)?(\d{1,20})$/.exec(String(key ?? ''));
  if (!m) throw invalidParameter('recipient.thread_key must be a thread id like t_123');
  return m[1];
}

/** A recipient member by id (or by email, with the permission to address members by email). */
async function recipientMember(req: GraphRequest, id: unknown): Promise<ChatProfile> {
  const key = String(id ?? '').trim();
  let memberId = key;
  if (key.includes('@')) {
    authorize(req.actor, 'member.email');
    memberId = (await findMemberByEmail(req.ctx.db, key))?.id ?? '';
  }
  const profile = /^\d{1,20}$/.test(memberId) ? (await chatProfiles(req.ctx.db, [memberId])).get(memberId) : undefined;
  if (!profile || profile.type !== 'member') throw invalidParameter(`No matching user found for recipient ${key}`);
  return profile;
}

type Target = { kind: 'member'; member: ChatProfile } | { kind: 'thread'; state: ThreadState } | { kind: 'group'; members: ChatProfile[] };

async function targetOf(req: GraphRequest): Promise<Target> {
  const recipient = record(req.params.json('recipient'), 'recipient');
  if (recipient.thread_key !== undefined || (typeof recipient.id === 'string' && recipient.id.startsWith('t_'))) {
    const key = recipient.thread_key ?? recipient.id;
    const state = await loadThread(req.ctx.db, threadIdOf(key));
    if (!state) throw unknownObject(String(key), 'post');
    authorizeBotSend(req.actor, state, String(key));
    return { kind: 'thread', state };
  }
  if (recipient.ids !== undefined) {
    authorizeBotGroupCreate(req.actor);
    const ids = Array.isArray(recipient.ids) ? recipient.ids : typeof recipient.ids === 'object' && recipient.ids ? Object.values(recipient.ids) : String(recipient.ids).split(',');
    if (ids.length === 0) throw invalidParameter('recipient.ids is empty');
    return { kind: 'group', members: await Promise.all(ids.map((id) => recipientMember(req, id))) };
  }
  if (recipient.id === undefined) throw invalidParameter('recipient needs id, ids or thread_key');
  authorizeBotSend(req.actor, undefined);
  return { kind: 'member', member: await recipientMember(req, recipient.id) };
}

/**
 * POST /me/messages: the Send API. Answers `{recipient_id, message_id}` for a member; for a new
 * group thread (`ids`) or an existing one (`thread_key`) also the thread as `thread_key`.
 */
async function send(req: GraphRequest) {
  const bot = ownPage(req);
  const messagingType = req.params.string('messaging_type');
  if (messagingType && !MESSAGING_TYPES.includes(messagingType.toUpperCase())) throw invalidParameter(`messaging_type must be one of ${MESSAGING_TYPES.join(', ')}`);
  const action = req.params.oneOf('sender_action', SENDER_ACTIONS);
  const target = await targetOf(req);
  if (action) {
    if (target.kind === 'group') throw invalidParameter('sender_action needs recipient.id or recipient.thread_key');
    await req.write(async (w) => {
      const state = target.kind === 'thread' ? target.state : (await directThreadOpener(w, bot, target.member)).state;
      await senderActionSetter(w, state, bot, action);
    });
    return target.kind === 'member' ? { recipient_id: target.member.id } : { recipient_id: threadWireId(target.state.thread), thread_key: threadWireId(target.state.thread) };
  }
  const upload = req.params.file('filedata');
  const raw = req.params.json('message');
  if (raw === undefined) throw invalidParameter('message or sender_action is required');
  return req.write(async (w) => {
    let uploadedId: string | undefined;
    if (upload) {
      const type = (record(record(raw, 'message').attachment ?? { type: 'file' }, 'message.attachment').type ?? 'file') as MediaType;
      uploadedId = (await chatFileStorer(w, bot, { type: type === ('template' as string) ? 'file' : type, file: upload })).id;
    }
    const content = checkSendMessage(raw, uploadedId);
    let state: ThreadState;
    if (target.kind === 'member') state = (await directThreadOpener(w, bot, target.member)).state;
    else if (target.kind === 'group') state = await groupThreadCreator(w, bot, target.members);
    else state = target.state;
    const message = await messageSender(w, state, bot, content);
    if (target.kind === 'member') return { recipient_id: target.member.id, message_id: messageWireId(message) };
    return { recipient_id: threadWireId(state.thread), thread_key: threadWireId(state.thread), message_id: messageWireId(message) };
  });
}

/** POST /me/message_attachments: stores a file (upload `filedata` or `payload.url`) → `{attachment_id}`. */
async function uploadAttachment(req: GraphRequest) {
  const bot = ownPage(req);
  authorize(req.actor, 'chat.send');
  const message = record(req.params.json('message') ?? {}, 'message');
  const upload = req.params.file('filedata');
  const attachment = checkAttachment(message.attachment ?? { type: 'file', payload: {} }, upload ? 'upload' : undefined);
  if (attachment.type === 'template') throw invalidParameter('Templates are not uploaded; send them in a message');
  const file = await req.write((w) => chatFileStorer(w, bot, { type: attachment.type as MediaType, file: upload, url: upload ? undefined : attachment.payload.url }));
  return { attachment_id: file.id };
}

function profileFieldsParam(req: GraphRequest): ProfileField[] {
  const listed = req.params.list('fields');
  if (!listed?.length) throw invalidParameter(`Give fields: ${PROFILE_FIELDS.join(', ')}`);
  const unknown = listed.filter((f) => !(PROFILE_FIELDS as readonly string[]).includes(f));
  if (unknown.length) throw invalidParameter(`Unknown profile field ${unknown.join(', ')}`);
  return listed as ProfileField[];
}

async function profileOf(req: GraphRequest): Promise<Record<string, unknown>> {
  const row = (await findMessengerProfiles(req.ctx.db, [req.actor.pageId])).get(req.actor.pageId);
  const out: Record<string, unknown> = {};
  for (const f of PROFILE_FIELDS) if (row?.[f]) out[f] = JSON.parse(row[f]!);
  return out;
}

/** GET /me/messenger_profile?fields=…: `{data:[{greeting, get_started, persistent_menu}]}` (what is set). */
async function getProfile(req: GraphRequest) {
  ownPage(req);
  authorize(req.actor, 'chat.send');
  const fields = req.params.list('fields') ?? [...PROFILE_FIELDS];
  const all = await profileOf(req);
  const picked = Object.fromEntries(Object.entries(all).filter(([k]) => fields.includes(k)));
  return { data: Object.keys(picked).length ? [picked] : [] };
}

async function setProfile(req: GraphRequest) {
  const bot = ownPage(req);
  authorize(req.actor, 'chat.send');
  const changes = profileChanges(req.params.values);
  if (Object.keys(changes).length === 0) throw invalidParameter(`Give at least one of ${PROFILE_FIELDS.join(', ')}`);
  await req.write((w) => messengerProfileSetter(w, bot.id, changes));
  return { result: 'success' };
}

async function deleteProfile(req: GraphRequest) {
  const bot = ownPage(req);
  authorize(req.actor, 'chat.send');
  const fields = profileFieldsParam(req);
  await req.write((w) => messengerProfileClearer(w, bot.id, fields));
  return { result: 'success' };
}

/** Legacy POST /me/thread_settings: greeting, get started (new_thread CTAs), persistent menu (existing_thread CTAs). */
async function setThreadSettings(req: GraphRequest) {
  const bot = ownPage(req);
  authorize(req.actor, 'chat.send');
  const type = req.params.requireString('setting_type');
  let changes: ProfileChanges;
  let result: string;
  if (type === 'greeting') {
    const greeting = record(req.params.json('greeting'), 'greeting');
    changes = profileChanges({ greeting: [{ locale: 'default', text: greeting.text }] });
    result = 'Successfully updated greeting';
  } else if (type === 'call_to_actions') {
    const state = req.params.requireString('thread_state');
    const actions = req.params.json('call_to_actions');
    if (state === 'new_thread') {
      const first = Array.isArray(actions) ? actions[0] : actions && typeof actions === 'object' ? Object.values(actions)[0] : undefined;
      changes = profileChanges({ get_started: first ?? {} });
      result = "Successfully added new_thread's CTAs";
    } else if (state === 'existing_thread') {
      changes = profileChanges({ persistent_menu: [{ locale: 'default', composer_input_disabled: false, call_to_actions: actions }] });
      result = 'Successfully added structured menu CTAs';
    } else throw invalidParameter('thread_state must be new_thread or existing_thread');
  } else throw invalidParameter('setting_type must be greeting or call_to_actions');
  await req.write((w) => messengerProfileSetter(w, bot.id, changes));
  return { result };
}

async function deleteThreadSettings(req: GraphRequest) {
  const bot = ownPage(req);
  authorize(req.actor, 'chat.send');
  const type = req.params.requireString('setting_type');
  const state = req.params.string('thread_state');
  const field: ProfileField = type === 'greeting' ? 'greeting' : state === 'new_thread' ? 'get_started' : 'persistent_menu';
  if (type !== 'greeting' && type !== 'call_to_actions') throw invalidParameter('setting_type must be greeting or call_to_actions');
  await req.write((w) => messengerProfileClearer(w, bot.id, [field]));
  const result = { greeting: 'Successfully deleted greeting text', get_started: "Successfully deleted all new_thread's CTAs", persistent_menu: 'Successfully deleted structured menu CTAs' }[field];
  return { result };
}

function threadOf(req: GraphRequest): ThreadState {
  if (req.node.type !== 'thread') throw new Error('thread route on another node');
  return req.node.row;
}

async function profilesParam(req: GraphRequest): Promise<ChatProfile[]> {
  const ids = req.params.list('to') ?? req.params.list('ids');
  if (!ids?.length) throw invalidParameter('Give the people in to=[ids]');
  return Promise.all(ids.map((id) => recipientMember(req, id)));
}

async function addParticipants(req: GraphRequest) {
  const state = threadOf(req);
  authorizeBotThreadAdmin(req.actor, state, req.segment, 'add');
  const people = await profilesParam(req);
  await req.write((w) => participantsAdder(w, state, { id: req.actor.pageId, type: 'page', name: req.actor.name }, people));
  return success;
}

async function removeParticipants(req: GraphRequest) {
  const state = threadOf(req);
  authorizeBotThreadAdmin(req.actor, state, req.segment, 'remove');
  const people = await profilesParam(req);
  await req.write((w) => participantRemover(w, state, { id: req.actor.pageId, type: 'page', name: req.actor.name }, people));
  return success;
}

async function rename(req: GraphRequest) {
  const state = threadOf(req);
  authorizeBotThreadAdmin(req.actor, state, req.segment, 'rename');
  const name = req.params.requireString('name');
  await req.write((w) => threadRenamer(w, state, { id: req.actor.pageId, type: 'page', name: req.actor.name }, name));
  return success;
}

/** GET /{member}/conversations: a member's threads, most recently active first (Read all messages). */
async function conversations(req: GraphRequest) {
  if (req.node.type !== 'member') throw new Error('conversations on another node');
  authorizeConversations(req.actor);
  const p = req.presentation;
  const raw = Object.fromEntries(['limit', 'after', 'before', 'since', 'until', 'order'].map((k) => [k, req.params.string(k)]));
  const q = edgeQuery(p, raw);
  const page = await listThreadsOf(req.ctx.db, req.node.id, { limit: q.limit, order: direction(q, 'desc'), after: q.after, before: q.before });
  const participants = await participantsOf(req.ctx.db, page.rows.map((t) => t.id));
  const states = page.rows.map((thread) => ({ thread, participants: participants.filter((x) => x.thread_id === thread.id) }));
  for (const s of states) authorizeThreadRead(req.actor, s, threadWireId(s.thread));
  const data = await renderRows(p, threadType, states, req.fields);
  const out: Record<string, unknown> = { data };
  const paging = pagingBlock(p, req.path, stringParams(req), page, { position: (t: { updated_time: number; id: string }) => ({ sort: t.updated_time, id: t.id }) } as never, q.limit);
  if (paging) out.paging = paging;
  return out;
}

export const chatRoutes: GraphRoute[] = [
  {
    node: 'page',
    edge: 'messages',
    method: 'POST',
    handler: send,
    summary: 'Send API: a message or sender action to a member, a thread or several members → {recipient_id, message_id}',
    params: [
      { name: 'recipient', description: '{"id"} a member (or email), {"thread_key"} a thread, {"ids": […]} a new group thread', type: 'object', required: true },
      { name: 'message', description: '{"text"} or {"attachment"}, with quick_replies', type: 'object' },
      { name: 'sender_action', description: 'mark_seen, typing_on or typing_off' },
      { name: 'messaging_type', description: 'RESPONSE, UPDATE or MESSAGE_TAG' },
    ],
  },
  { node: 'page', edge: 'message_attachments', method: 'POST', handler: uploadAttachment, summary: 'Save an attachment for reuse → {attachment_id}', params: [{ name: 'message', description: '{"attachment": {"type", "payload": {"url", "is_reusable"}}} or an uploaded filedata', type: 'object' }] },
  { node: 'page', edge: 'messenger_profile', method: 'GET', handler: getProfile, summary: "The bot's Messenger profile (greeting, get_started, persistent_menu…)", params: [{ name: 'fields', description: 'Profile fields to read' }] },
  { node: 'page', edge: 'messenger_profile', method: 'POST', handler: setProfile, summary: 'Set Messenger profile fields (greeting, get_started, persistent_menu…)' },
  { node: 'page', edge: 'messenger_profile', method: 'DELETE', handler: deleteProfile, summary: 'Clear Messenger profile fields', params: [{ name: 'fields', description: 'The fields to clear', type: 'array', required: true }] },
  { node: 'page', edge: 'thread_settings', method: 'GET', handler: getProfile, summary: 'The legacy thread settings (as messenger_profile)' },
  { node: 'page', edge: 'thread_settings', method: 'POST', handler: setThreadSettings, summary: 'Legacy thread settings: greeting, call_to_actions', params: [{ name: 'setting_type', description: 'greeting or call_to_actions', required: true }, { name: 'thread_state', description: 'new_thread or existing_thread' }] },
  { node: 'page', edge: 'thread_settings', method: 'DELETE', handler: deleteThreadSettings, summary: 'Clear a legacy thread setting', params: [{ name: 'setting_type', description: 'greeting or call_to_actions', required: true }] },
  { node: 'thread', edge: 'participants', method: 'POST', handler: addParticipants, summary: 'Add people to a group thread', params: [{ name: 'to', description: 'Member ids (also ids)', type: 'array', required: true }] },
  { node: 'thread', edge: 'participants', method: 'DELETE', handler: removeParticipants, summary: 'Remove people from a group thread (the bot must be its admin)', params: [{ name: 'to', description: 'Member ids (also ids)', type: 'array', required: true }] },
  { node: 'thread', edge: 'threadname', method: 'POST', handler: rename, summary: 'Rename a group thread', params: [{ name: 'name', description: 'The new name', required: true }] },
  { node: 'member', edge: 'conversations', method: 'GET', handler: conversations, summary: "A member's threads, most recently active first (Read all messages)" },
];
