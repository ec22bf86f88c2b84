import { randomBytes } from 'node:crypto';
import { deleteMediaKeysRetiredBefore, insertMediaKey, listMediaKeys, retireMediaKeys } from '../../db/repositories/mediaKey.js';
import { recordChange } from '../events.js';
import type { Write } from './shared.js';

/**
 * Rotates the key that signs media links: a new key signs from now on; the previous ones keep
 * verifying for the grace period (the longest life of a link), and keys past it are dropped.
 * Every process reloads its keys when this commits.
 */
export async function mediaKeyRotator({ ctx, actor, trx }: Write): Promise<{ key_id: string; previous_valid_until: string | null; dropped: number }> {
  const now = ctx.clock.now();
  const keys = await listMediaKeys(trx);
  const previous = keys.find((k) => k.retired_time === null);
  const id = String(Math.max(0, ...keys.map((k) => Number(k.id))) + 1);
  await insertMediaKey(trx, { id, key_sealed: ctx.secrets.seal(randomBytes(32).toString('base64url')), created_time: now, retired_time: null });
  await retireMediaKeys(trx, id, now);
  const dropped = await deleteMediaKeysRetiredBefore(trx, now - ctx.mediaLinks.graceMs);
  await ctx.bus.publish(trx, { t: 'media_keys' });
  const previousValidUntil = previous ? new Date(now + ctx.mediaLinks.graceMs).toISOString() : null;
  await recordChange(trx, ctx, actor, {
    action: 'media.key_rotated',
    target: { type: 'media_key', id },
    old: previous ? { key_id: previous.id } : undefined,
    new: { key_id: id, previous_valid_until: previousValidUntil, dropped },
  });
  return { key_id: id, previous_valid_until: previousValidUntil, dropped };
}
