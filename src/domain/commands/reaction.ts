import { lockKey } from '../../db/database.js';
import { deleteReaction, findReaction, upsertReaction } from '../../db/repositories/reaction.js';
import { invalidParameter } from '../../errors.js';
import { authorOf } from '../actor.js';
import { recordChange } from '../events.js';
import type { Write } from './shared.js';

export const REACTION_TYPES = ['LIKE', 'LOVE', 'WOW', 'HAHA', 'SAD', 'ANGRY', 'CARE'] as const;
export type ReactionType = (typeof REACTION_TYPES)[number];

/** Sets the actor's reaction on a post or comment (one per person); false when unchanged. */
export async function reactionSetter({ ctx, actor, trx }: Write, object: { id: string; type: 'post' | 'comment' }, type: string): Promise<boolean> {
  if (!(REACTION_TYPES as readonly string[]).includes(type)) throw invalidParameter(`Reaction type must be one of ${REACTION_TYPES.join(', ')}`);
  const who = authorOf(actor);
  await lockKey(trx, `reaction:${object.id}:${who.id}`);
  const existing = await findReaction(trx, object.id, who.id);
  if (existing?.type === type) return false;
  await upsertReaction(trx, { object_id: object.id, actor_id: who.id, actor_type: who.type, type, created_time: ctx.clock.now() });
  await recordChange(trx, ctx, actor, {
    action: 'reaction.set',
    target: { type: object.type, id: object.id },
    old: existing ? { type: existing.type } : undefined,
    new: { type },
  });
  return true;
}

/** Removes the actor's reaction; false when there was none. */
export async function reactionRemover({ ctx, actor, trx }: Write, object: { id: string; type: 'post' | 'comment' }): Promise<boolean> {
  const who = authorOf(actor);
  await lockKey(trx, `reaction:${object.id}:${who.id}`);
  const existing = await findReaction(trx, object.id, who.id);
  if (!existing) return false;
  await deleteReaction(trx, object.id, who.id);
  await recordChange(trx, ctx, actor, { action: 'reaction.removed', target: { type: object.type, id: object.id }, old: { type: existing.type } });
  return true;
}
