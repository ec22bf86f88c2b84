import type { Context } from '../context.js';
import type { ChatFileRow } from '../db/repositories/chat.js';

/** The server's own base URL when no request is at hand (webhook payloads written by commands). */
export function configuredBase(ctx: Pick<Context, 'config'>): string {
  return ctx.config.publicUrl ?? `http://${ctx.config.host}:${ctx.config.port}`;
}

/** Where a chat file is fetched: a signed, expiring link to the stored file (files from before URLs were fetched: their remote URL). */
export function chatFileUrl(ctx: Pick<Context, 'mediaLinks'>, base: string, file: ChatFileRow): string {
  if (file.file_name) return `${base}/chat-files/${file.id}/${encodeURIComponent(file.name ?? file.id)}?${ctx.mediaLinks.query(`chat:${file.id}`)}`;
  return file.url ?? '';
}
