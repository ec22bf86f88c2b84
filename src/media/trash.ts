import type { Context } from '../context.js';
import { deleteGroupFiles, unattachedGroupFileIds } from '../db/repositories/groupFile.js';
import { forgetTrashedKeys, trashedKeys } from '../db/repositories/mediaTrash.js';
import { abandonedVideoIds, deleteVideos } from '../db/repositories/video.js';

/** Uploaded group files that no post took within this time are deleted. */
export const UNATTACHED_FILE_TTL_MS = 24 * 60 * 60_000;

/**
 * Deletes the stored files whose rows are gone. The trash row is written in the transaction
 * that deleted the row, so a rolled-back delete keeps its file and a crash between the commit
 * and this call only delays the deletion to the next run (after the next write, or housekeeping).
 */
export async function emptyMediaTrash(ctx: Pick<Context, 'db' | 'media'>): Promise<number> {
  let total = 0;
  for (;;) {
    const keys = await trashedKeys(ctx.db, 200);
    if (keys.length === 0) return total;
    for (const key of keys) await ctx.media.delete(key);
    await forgetTrashedKeys(ctx.db, keys);
    total += keys.length;
    if (keys.length < 200) return total;
  }
}

/** Resumable video uploads with no chunk for this long are given up (the client restarts them). */
export const ABANDONED_UPLOAD_TTL_MS = 24 * 60 * 60_000;

/** Deletes group files uploaded but never attached to a post and abandoned video uploads, then empties the trash. */
export async function expireUnattachedFiles(ctx: Pick<Context, 'db' | 'media' | 'clock'>): Promise<void> {
  const now = ctx.clock.now();
  for (;;) {
    const ids = await unattachedGroupFileIds(ctx.db, now - UNATTACHED_FILE_TTL_MS, 200);
    if (ids.length === 0) break;
    await ctx.db.transaction().execute((trx) => deleteGroupFiles(trx, ids, now));
    if (ids.length < 200) break;
  }
  for (;;) {
    const ids = await abandonedVideoIds(ctx.db, now - ABANDONED_UPLOAD_TTL_MS, 200);
    if (ids.length === 0) break;
    await ctx.db.transaction().execute((trx) => deleteVideos(trx, ids, now));
    if (ids.length < 200) break;
  }
  await emptyMediaTrash(ctx);
}
