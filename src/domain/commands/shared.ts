import type { Context } from '../../context.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../errors.js';
import type { FetchedFile } from '../../media/remote.js';
import type { Actor } from '../actor.js';

/** What every command receives: the context, who acts, and the caller's transaction. */
export interface Write {
  ctx: Context;
  actor: Actor;
  trx: Db;
  /** Files given by URL, fetched before the transaction by `transact` (see `remoteFile`). */
  fetched?: Map<string, FetchedFile | AppError>;
}

/** Thrown by `remoteFile` inside `transact`: the transaction rolls back, the file is fetched, the command runs again. */
class RemoteFileNeeded extends Error {
  constructor(
    readonly url: string,
    readonly kind: 'image' | 'file',
  ) {
    super(`remote file needed: ${url}`);
  }
}

/** A command may need this many files given by URL; beyond it the write is refused. */
const MAX_REMOTE_FILES = 10;

/**
 * The file a command was given by URL. Network fetches never run inside a transaction (on SQLite
 * one transaction holds the only connection): under `transact` the first call rolls the
 * transaction back, the file is fetched outside it, and the command runs again with it.
 * Elsewhere (scripts, workers) the file is fetched in place.
 */
export async function remoteFile(w: Write, url: string, kind: 'image' | 'file'): Promise<FetchedFile> {
  const fetched = w.fetched?.get(`${kind} ${url}`);
  if (fetched instanceof AppError) throw fetched;
  if (fetched) return fetched;
  if (w.fetched) throw new RemoteFileNeeded(url, kind);
  return w.ctx.remote.fetch(url, kind);
}

/** Like `remoteFile`, for files a command can do without (an icon): undefined when the fetch failed. */
export async function optionalRemoteFile(w: Write, url: string, kind: 'image' | 'file'): Promise<FetchedFile | undefined> {
  try {
    return await remoteFile(w, url, kind);
  } catch (error) {
    if (error instanceof AppError) return undefined;
    throw error;
  }
}

/** Runs a command in one transaction (rows, audit event and outbox rows commit together). */
export async function transact<T>(ctx: Context, actor: Actor, fn: (w: Write) => Promise<T>): Promise<T> {
  const fetched = new Map<string, FetchedFile | AppError>();
  for (;;) {
    try {
      return await ctx.db.transaction().execute((trx) => fn({ ctx, actor, trx, fetched }));
    } catch (error) {
      if (!(error instanceof RemoteFileNeeded)) throw error;
      if (fetched.size >= MAX_REMOTE_FILES) throw new AppError('invalid_parameter', `(#100) A request may give at most ${MAX_REMOTE_FILES} files by URL`);
      // A failed fetch is remembered too: the command runs again and decides what it means.
      const key = `${error.kind} ${error.url}`;
      fetched.set(key, await ctx.remote.fetch(error.url, error.kind).catch((e: unknown) => (e instanceof AppError ? e : new AppError('media_fetch_failed'))));
    }
  }
}
