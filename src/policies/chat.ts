import type { Actor, AppActor, IntegrationActor } from '../domain/actor.js';
import { AppError, unknownObject } from '../errors.js';
import { allowed, authorize } from './graph.js';

// Work Chat rules (reference §3.9). A bot acts in threads it takes part in: it needs Message any
// member to write, and Bot group chat for group threads and for managing their people (removing
// people also needs it to be the thread's admin). Read all messages lets a compliance
// integration read any member's conversations. A thread the actor may not see is "unknown".

/** A thread as the rules see it. */
export interface ThreadView {
  thread: { kind: 'one_to_one' | 'group' };
  participants: readonly { profile_id: string; role: 'admin' | 'member'; left_time: number | null }[];
}

type Integration = IntegrationActor | AppActor;

function integrationOf(actor: Actor): Integration | null {
  return actor.kind === 'integration' || actor.kind === 'app' ? actor : null;
}

function participant(view: ThreadView, profileId: string) {
  return view.participants.find((p) => p.profile_id === profileId && p.left_time === null);
}

/** The profile an actor chats as: its bot page or the member. */
export function chatIdentity(actor: Actor): string | null {
  const app = integrationOf(actor);
  if (app) return app.pageId;
  return actor.kind === 'member' ? actor.memberId : null;
}

/** Reading a thread itself (name, participants…): its participants, or Read all messages. */
export function authorizeThreadRead(actor: Actor, view: ThreadView, id: string, method = 'get'): void {
  if (actor.kind === 'system') return;
  const me = chatIdentity(actor);
  if (me && participant(view, me)) return;
  if (integrationOf(actor) && allowed(actor, 'chat.read_all')) return;
  throw unknownObject(id, method);
}

/** Reading a thread's messages: Read all messages, or a participant (a bot also needs Message any member). */
export function authorizeThreadMessages(actor: Actor, view: ThreadView, id: string): void {
  authorizeThreadRead(actor, view, id);
  const app = integrationOf(actor);
  if (!app || allowed(app, 'chat.read_all')) return;
  authorize(app, 'chat.send');
}

/** Writing in a thread as a bot: Message any member, plus Bot group chat in group threads. */
export function authorizeBotSend(app: Integration, view: ThreadView | undefined, id?: string): void {
  authorize(app, 'chat.send');
  if (!view) return;
  if (!participant(view, app.pageId)) {
    if (allowed(app, 'chat.read_all')) throw new AppError('action_not_allowed', '(#10) The bot is not a participant of this thread');
    throw unknownObject(id ?? 'thread', 'post');
  }
  if (view.thread.kind === 'group') authorize(app, 'chat.group');
}

/** Creating a group thread as a bot (Send API with several recipients). */
export function authorizeBotGroupCreate(app: Integration): void {
  authorize(app, 'chat.send');
  authorize(app, 'chat.group');
}

/** Changing a group thread's people or name as a bot; removing people needs the bot to be its admin. */
export function authorizeBotThreadAdmin(app: Integration, view: ThreadView, id: string, change: 'add' | 'remove' | 'rename'): void {
  authorizeThreadRead(app, view, id, 'post');
  const me = participant(view, app.pageId);
  if (!me) throw new AppError('action_not_allowed', '(#10) The bot is not a participant of this thread');
  authorize(app, 'chat.group');
  if (change === 'remove' && me.role !== 'admin') throw new AppError('action_not_allowed', '(#10) Only the admin of a group chat can remove people from it');
}

/** Listing a member's conversations (compliance). */
export function authorizeConversations(actor: Actor): void {
  authorize(actor, 'chat.read_all');
}

/** A member may chat with a bot only when its integration is enabled and may message members. */
export function botReachable(app: { enabled: number; permissions: string } | undefined): boolean {
  return !!app && app.enabled === 1 && (JSON.parse(app.permissions) as string[]).includes('message');
}
