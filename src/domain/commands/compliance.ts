import { deleteMessage, type ChatMessageRow } from '../../db/repositories/chat.js';
import { invalidParameter } from '../../errors.js';
import { recordChange } from '../events.js';
import { messageWireId, type ThreadState, threadWireId } from './chat.js';
import type { Write } from './shared.js';

/**
 * Deletes a Work Chat message for compliance (`DELETE /{message-id}?user=`, as Workplace's
 * compliance scripts send it). `userId` must be a participant of the thread, current or former;
 * the audit event keeps who asked, for whom, and what was removed.
 */
export async function complianceMessageDeleter(w: Write, thread: ThreadState, message: ChatMessageRow, userId: string | undefined): Promise<void> {
  if (!userId) throw invalidParameter('The parameter user (a participant of the thread) is required');
  if (!thread.participants.some((p) => p.profile_id === userId)) throw invalidParameter(`User ${userId} is not a participant of ${threadWireId(thread.thread)}`);
  await deleteMessage(w.trx, message.id);
  await recordChange(w.trx, w.ctx, w.actor, {
    action: 'chat.message_deleted',
    target: { type: 'chat_message', id: messageWireId(message) },
    old: { thread_id: threadWireId(thread.thread), sender_id: message.sender_id, text: message.text, created_time: message.created_time, user: userId },
  });
}
