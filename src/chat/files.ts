import type { Context } from '../context.js';
import type { ChatFileRow } from '../db/repositories/chat.js';
import type { Attachment, ImageRef, QuickReply } from './message.js';

/** The server's own base URL when no request is at hand (webhook payloads written by commands). */
export function configuredBase(ctx: Pick<Context, 'config'>): string {
  return ctx.config.publicUrl ?? `http://${ctx.config.host}:${ctx.config.port}`;
}

/** Where a chat file is fetched: a signed, expiring link to the stored file (files from before URLs were fetched: their remote URL). */
export function chatFileUrl(ctx: Pick<Context, 'mediaLinks'>, base: string, file: ChatFileRow): string {
  if (file.file_name) return `${base}/chat-files/${file.id}/${encodeURIComponent(file.name ?? file.id)}?${ctx.mediaLinks.query(`chat:${file.id}`)}`;
  return file.url ?? '';
}

/** The stored chat files a message refers to: its media attachments, its template images and its quick replies' images. */
export function chatFileIds(attachments: readonly Attachment[], quickReplies: readonly QuickReply[] = []): string[] {
  const ids: string[] = [];
  for (const a of attachments) {
    if (a.type !== 'template') {
      if (a.payload.attachment_id) ids.push(a.payload.attachment_id);
    } else if (a.payload.template_type === 'generic') {
      for (const e of a.payload.elements) if (e.image_file) ids.push(e.image_file);
    }
  }
  for (const q of quickReplies) if (q.image_file) ids.push(q.image_file);
  return ids;
}

/** Presents a stored image reference Messenger's way: `image_url` holds a signed link to the stored file (or nothing when the file is gone). */
function imageLink<T extends ImageRef>(ctx: Pick<Context, 'mediaLinks'>, base: string, files: ReadonlyMap<string, ChatFileRow>, item: T): T {
  if (!item.image_file) return item;
  const { image_file: id, ...rest } = item;
  const file = files.get(id);
  return (file?.file_name ? { ...rest, image_url: chatFileUrl(ctx, base, file) } : rest) as T;
}

/** A template attachment as clients and webhooks get it: its images as signed links to the stored files. */
export function templateForClients(ctx: Pick<Context, 'mediaLinks'>, base: string, files: ReadonlyMap<string, ChatFileRow>, a: Attachment & { type: 'template' }): Attachment & { type: 'template' } {
  if (a.payload.template_type !== 'generic') return a;
  return { type: 'template', payload: { ...a.payload, elements: a.payload.elements.map((e) => imageLink(ctx, base, files, e)) } };
}

/** Quick replies as clients get them: their images as signed links to the stored files. */
export function quickRepliesForClients(ctx: Pick<Context, 'mediaLinks'>, base: string, files: ReadonlyMap<string, ChatFileRow>, replies: readonly QuickReply[]): QuickReply[] {
  return replies.map((q) => imageLink(ctx, base, files, q));
}
