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

type Kind = 'image' | 'file';

/** Thrown by `remoteFile` inside `transact`: the transaction rolls back, the files are fetched, the command runs again. */
class RemoteFileNeeded extends Error {
  constructor(readonly files: readonly { url: string; kind: Kind }[]) {
    super(`remote files needed: ${files.map((f) => f.url).join(' ')}`);
  }
}

/** A command may need this many files given by URL; beyond it `remoteFile` refuses the write and `optionalRemoteFiles` leaves the rest out. */
export const MAX_REMOTE_FILES = 10;

/**
 * The file a command was given by URL. Network fetches never run inside a transaction (on SQLite
 * one transaction holds the only connection): under `transact` the first call rolls the
 * transaction back, the file is fetched outside it, and the command runs again with it.
 * Elsewhere (scripts, workers) the file is fetched in place.
 */
export async function remoteFile(w: Write, url: string, kind: Kind): Promise<FetchedFile> {
  const fetched = w.fetched?.get(`${kind} ${url}`);
  if (fetched instanceof AppError) throw fetched;
  if (fetched) return fetched;
  if (w.fetched) throw new RemoteFileNeeded([{ url, kind }]);
  return w.ctx.remote.fetch(url, kind);
}

/**
 * Like `optionalRemoteFile` for several files a command can do without (a template's images):
 * under `transact` the missing ones are fetched together, in parallel, in one round. Each comes
 * back undefined when its fetch failed or when it is beyond the request's `MAX_REMOTE_FILES`.
 */
export async function optionalRemoteFiles(w: Write, urls: readonly string[], kind: Kind): Promise<(FetchedFile | undefined)[]> {
  if (!w.fetched) return Promise.all(urls.map((url) => w.ctx.remote.fetch(url, kind).catch((e: unknown) => (e instanceof AppError ? undefined : Promise.reject(e)))));
  const fetched = w.fetched;
  const missing = [...new Set(urls)].filter((url) => !fetched.has(`${kind} ${url}`));
  const room = MAX_REMOTE_FILES - fetched.size;
  if (missing.length && room > 0) throw new RemoteFileNeeded(missing.slice(0, room).map((url) => ({ url, kind })));
  return urls.map((url) => {
    const file = fetched.get(`${kind} ${url}`);
    return file instanceof AppError ? undefined : file;
  });
}

/** Like `remoteFile`, for files a command can do without (an icon): undefined when the fetch failed or the request's files given by URL are used up. */
export async function optionalRemoteFile(w: Write, url: string, kind: Kind): Promise<FetchedFile | undefined> {
  return (await optionalRemoteFiles(w, [url], kind))[0];
}

/** Runs a command in one transaction (rows, audit event and outbox rows commit together). */
export async function transact<T>(ctx: Context, actor: Actor, fn: (w: Write) => Promise<T>): Promise<T> {
  const fetched = new Map<string, FetchedFile | AppError>();
  for (;;) {
    try {
      return await ctx.db.transaction().execute((trx) => fn({ ctx, actor, trx, fetched }));
    } catch (error) {
      if (!(error instanceof RemoteFileNeeded)) throw error;
      if (fetched.size + error.files.length > MAX_REMOTE_FILES) throw new AppError('invalid_parameter', `(#100) A request may give at most ${MAX_REMOTE_FILES} files by URL`);
      // A failed fetch is remembered too: the command runs again and decides what it means.
      const results = await Promise.all(error.files.map((f) => ctx.remote.fetch(f.url, f.kind).catch((e: unknown) => (e instanceof AppError ? e : new AppError('media_fetch_failed')))));
      error.files.forEach((f, i) => fetched.set(`${f.kind} ${f.url}`, results[i]));
    }
  }
}
