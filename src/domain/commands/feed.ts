import { insertPage } from '../../db/repositories/app.js';
import { deleteFeed, type FeedRow, findFeedById, findFeedByUrl, insertFeed, updateFeed } from '../../db/repositories/feed.js';
import { findGroupById } from '../../db/repositories/group.js';
import { AppError, invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import { AllowList, checkCallback, EgressRefused } from '../../webhooks/egress.js';
import { recordChange } from '../events.js';
import type { Write } from './shared.js';

export const DEFAULT_FEED_INTERVAL_MINUTES = 15;

export interface FeedInput {
  groupId: string;
  url: string;
  /** The name posts appear under; the feed's host until the first poll gives its title. */
  name?: string;
  intervalMinutes?: number;
}

function checkInterval(minutes: number | undefined): number {
  const m = minutes ?? DEFAULT_FEED_INTERVAL_MINUTES;
  if (!Number.isFinite(m) || m < 1 || m > 1440) throw invalidParameter('interval_minutes must be from 1 to 1440');
  return Math.round(m * 60_000);
}

/** Checks a feed URL against the egress policy (private addresses only when allow-listed). */
async function checkFeedUrl(allowed: readonly string[], url: string): Promise<string> {
  try {
    return (await checkCallback(url, new AllowList(allowed))).toString();
  } catch (error) {
    if (error instanceof EgressRefused) throw invalidParameter(`Feed URL refused: ${error.reason}`);
    throw error;
  }
}

/** Subscribes a group to an RSS or Atom feed; the first poll is due at once. */
export async function feedSubscriber({ ctx, actor, trx }: Write, input: FeedInput): Promise<FeedRow> {
  const group = /^\d{1,20}$/.test(input.groupId) ? await findGroupById(trx, input.groupId) : undefined;
  if (!group) throw invalidParameter(`Unknown group ${input.groupId}`);
  if (group.archived) throw invalidParameter(`Group ${group.id} is archived`);
  const url = await checkFeedUrl(ctx.config.webhookAllowedHosts, input.url);
  if (await findFeedByUrl(trx, group.id, url)) throw new AppError('conflict', `(#100) Group ${group.id} already follows ${url}`);
  const name = (input.name ?? '').trim().slice(0, 100) || new URL(url).hostname;
  const now = ctx.clock.now();
  const id = newId();
  const pageId = newId();
  await insertPage(trx, { id: pageId, app_id: id, name, picture_media_id: null, created_time: now });
  const row: FeedRow = {
    id,
    group_id: group.id,
    url,
    title: input.name?.trim() ? name : null,
    page_id: pageId,
    interval_ms: checkInterval(input.intervalMinutes),
    etag: null,
    last_modified: null,
    next_poll_time: now,
    consecutive_failures: 0,
    paused_reason: null,
    last_error: null,
    last_poll_time: null,
    last_success_time: null,
    last_item_title: null,
    last_item_time: null,
    item_count: 0,
    lease_owner: null,
    lease_until: null,
    created_by: actor.kind === 'member' ? actor.memberId : null,
    created_time: now,
    updated_time: now,
  };
  await insertFeed(trx, row);
  await recordChange(trx, ctx, actor, { action: 'feed.subscribed', target: { type: 'feed', id }, new: { group_id: group.id, url, interval_ms: row.interval_ms } });
  return row;
}

/** Pauses (with the admin's reason), resumes (polls at once) or changes a feed's interval. */
export async function feedUpdater({ ctx, actor, trx }: Write, feed: FeedRow, input: { paused?: boolean; intervalMinutes?: number }): Promise<boolean> {
  const now = ctx.clock.now();
  if (input.paused === true && feed.paused_reason === null) {
    await updateFeed(trx, feed.id, { paused_reason: 'paused by an admin', updated_time: now });
    await recordChange(trx, ctx, actor, { action: 'feed.paused', target: { type: 'feed', id: feed.id } });
    return true;
  }
  if (input.paused === false && feed.paused_reason !== null) {
    await updateFeed(trx, feed.id, { paused_reason: null, consecutive_failures: 0, next_poll_time: now, updated_time: now });
    await recordChange(trx, ctx, actor, { action: 'feed.resumed', target: { type: 'feed', id: feed.id }, old: { paused_reason: feed.paused_reason } });
    return true;
  }
  if (input.intervalMinutes !== undefined && checkInterval(input.intervalMinutes) !== feed.interval_ms) {
    const interval = checkInterval(input.intervalMinutes);
    await updateFeed(trx, feed.id, { interval_ms: interval, next_poll_time: Math.min(feed.next_poll_time, now + interval), updated_time: now });
    await recordChange(trx, ctx, actor, { action: 'feed.updated', target: { type: 'feed', id: feed.id }, old: { interval_ms: feed.interval_ms }, new: { interval_ms: interval } });
    return true;
  }
  return false;
}

/** Stops following a feed; posts already made stay. */
export async function feedUnsubscriber({ ctx, actor, trx }: Write, feed: FeedRow): Promise<void> {
  await deleteFeed(trx, feed.id);
  await recordChange(trx, ctx, actor, { action: 'feed.unsubscribed', target: { type: 'feed', id: feed.id }, old: { group_id: feed.group_id, url: feed.url } });
}

export async function requireFeed(trx: Write['trx'], id: string): Promise<FeedRow> {
  const feed = /^\d{1,20}$/.test(id) ? await findFeedById(trx, id) : undefined;
  if (!feed) throw new AppError('unknown_object', `No feed subscription with id ${id}`);
  return feed;
}
