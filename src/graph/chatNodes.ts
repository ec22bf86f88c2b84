import type { Context } from '../context.js';
import { findMessagesByIds } from '../db/repositories/chat.js';
import { loadThread } from '../domain/commands/chat.js';
import type { ResolvedNode } from './resolve.js';

/**
 * Resolves Work Chat ids: `t_{id}` (a thread, with its participants) and `m_{id}` (a message, with
 * its thread). Returns undefined for other segments; throws `missing()` for unknown ones.
 */
export async function resolveChatSegment(ctx: Context, key: string, missing: () => Error): Promise<ResolvedNode | undefined> {
  const match = /^([tm])_(\d{1,20})$/.exec(key);
  if (!match) return undefined;
  if (match[1] === 't') {
    const state = await loadThread(ctx.db, match[2]);
    if (!state) throw missing();
    return { type: 'thread', id: state.thread.id, row: state };
  }
  const [message] = await findMessagesByIds(ctx.db, [match[2]]);
  const thread = message ? await loadThread(ctx.db, message.thread_id) : undefined;
  if (!message || !thread) throw missing();
  return { type: 'message', id: message.id, row: message, thread };
}
