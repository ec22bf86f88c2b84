import type { Context } from '../context.js';
import type { ChatFileRow } from '../db/repositories/chat.js';

/** The server's own base URL when no request is at hand (webhook payloads written by commands). */
export function configuredBase(ctx: Pick<Context, 'config'>): string {
  return ctx.config.publicUrl ?? `http://${ctx.config.host}:${ctx.config.port}`;
}

/** Where a chat file can be fetched: its remote URL, or a signed link to the stored upload. */
export function chatFileUrl(ctx: Pick<Context, 'secrets'>, base: string, file: ChatFileRow): string {
  if (file.url) return file.url;
  return `${base}/chat-files/${file.id}/${ctx.secrets.sign(`chat:${file.id}`)}/${encodeURIComponent(file.name ?? file.id)}`;
}
