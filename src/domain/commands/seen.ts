import type { PostRow } from '../../db/repositories/post.js';
import { insertSeen } from '../../db/repositories/seen.js';
import { recordChange } from '../events.js';
import { postWireId } from './post.js';
import type { Write } from './shared.js';

/** Records that a member saw a post; only the first sighting is recorded and audited. */
export async function seenRecorder({ ctx, actor, trx }: Write, post: PostRow, memberId: string): Promise<boolean> {
  const time = ctx.clock.now();
  const inserted = await insertSeen(trx, { post_id: post.id, member_id: memberId, seen_time: time });
  if (inserted) await recordChange(trx, ctx, actor, { action: 'post.seen', target: { type: 'post', id: postWireId(post) }, new: { member_id: memberId } });
  return inserted;
}
