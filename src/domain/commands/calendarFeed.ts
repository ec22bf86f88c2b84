import { lockKey } from '../../db/database.js';
import { type CalendarFeedRow, deleteCalendarFeed, findCalendarFeedOf, insertCalendarFeed } from '../../db/repositories/calendarFeed.js';
import { newId } from '../../ids.js';
import { recordChange } from '../events.js';
import { newOpaqueToken, sha256Hex } from '../secrets.js';
import type { Write } from './shared.js';

/**
 * Makes a member's calendar feed link (their events, or one group's). A member has one link per
 * feed: making it again rotates it, and the old link stops working. The secret is returned once
 * and only its hash is kept.
 */
export async function calendarFeedCreator({ ctx, actor, trx }: Write, memberId: string, groupId: string | null): Promise<{ feed: CalendarFeedRow; secret: string }> {
  await lockKey(trx, `calendar_feed:${memberId}:${groupId ?? ''}`);
  const previous = await findCalendarFeedOf(trx, memberId, groupId);
  if (previous) await deleteCalendarFeed(trx, previous.id);
  const secret = newOpaqueToken(32);
  const feed: CalendarFeedRow = { id: newId(), member_id: memberId, group_id: groupId, token_hash: sha256Hex(secret), created_time: ctx.clock.now(), last_used_time: null };
  await insertCalendarFeed(trx, feed);
  await recordChange(trx, ctx, actor, {
    action: 'calendar_feed.created',
    target: { type: 'calendar_feed', id: feed.id },
    new: { member_id: memberId, group_id: groupId, replaces: previous?.id ?? null },
  });
  return { feed, secret };
}

/** Revokes a calendar feed link. */
export async function calendarFeedRevoker({ ctx, actor, trx }: Write, feed: CalendarFeedRow): Promise<void> {
  await deleteCalendarFeed(trx, feed.id);
  await recordChange(trx, ctx, actor, { action: 'calendar_feed.revoked', target: { type: 'calendar_feed', id: feed.id }, old: { member_id: feed.member_id, group_id: feed.group_id } });
}
