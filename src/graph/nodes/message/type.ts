import type { Attachment } from '../../../chat/message.js';
import { chatFileIds, chatFileUrl } from '../../../chat/files.js';
import { type LinkPreviewRow, previewsOf, type ShownPreviewRow } from '../../../db/repositories/linkPreview.js';
import { type ChatFileRow, type ChatMessageRow, findChatFilesByIds, participantsOf } from '../../../db/repositories/chat.js';
import { messageWireId } from '../../../domain/commands/chat.js';
import { allowed } from '../../../policies/graph.js';
import type { NodeType, Presentation } from '../../../presenters/types.js';
import { previewImageUrl } from '../../../presenters/linkPreview.js';
import { graphTime } from '../../time.js';
import { loadProfiles, type ProfileRow } from '../profile/type.js';

/** A media attachment of a message as Graph lists it (`/m_{id}/attachments`). */
export interface AttachmentView {
  id: string;
  type: string;
  url: string;
  name: string | null;
  mime_type: string | null;
  size: number | null;
}

export function messageAttachments(message: ChatMessageRow): Attachment[] {
  return message.attachments ? (JSON.parse(message.attachments) as Attachment[]) : [];
}

/**
 * The media attachments of messages, with their stored files resolved to signed URLs. A generic
 * template's images are stored files of the message too: they are listed as image attachments,
 * so compliance exports get every file a message showed.
 */
export async function attachmentViews(p: Presentation, messages: ChatMessageRow[]): Promise<Map<string, AttachmentView[]>> {
  const ids = messages.flatMap((m) => chatFileIds(messageAttachments(m)));
  const files = new Map<string, ChatFileRow>((await findChatFilesByIds(p.ctx.db, ids)).map((f) => [f.id, f]));
  const view = (file: ChatFileRow, type: string): AttachmentView => ({ id: file.id, type, url: chatFileUrl(p.ctx, p.publicBase, file), name: file.name, mime_type: file.mime_type, size: file.size });
  return new Map(
    messages.map((m) => [
      m.id,
      messageAttachments(m).flatMap((a, i): AttachmentView[] => {
        if (a.type === 'template') {
          if (a.payload.template_type !== 'generic') return [];
          const shown = [...new Set(a.payload.elements.flatMap((e) => (e.image_file ? [e.image_file] : [])))];
          return shown.flatMap((id) => (files.get(id)?.file_name ? [view(files.get(id)!, 'image')] : []));
        }
        const file = a.payload.attachment_id ? files.get(a.payload.attachment_id) : undefined;
        if (file) return chatFileUrl(p.ctx, p.publicBase, file) ? [view(file, a.type)] : [];
        return a.payload.url ? [{ id: `${m.id}_${i}`, type: a.type, url: a.payload.url, name: null, mime_type: null, size: null }] : [];
      }),
    ]),
  );
}

export const messageAttachmentType: NodeType<AttachmentView> = {
  name: 'MessageAttachment',
  defaults: ['id', 'mime_type', 'name', 'size', 'file_url'],
  id: (a) => a.id,
  fields: {
    id: { kind: 'scalar', get: (a) => a.id },
    mime_type: { kind: 'scalar', get: (a) => a.mime_type ?? undefined },
    name: { kind: 'scalar', get: (a) => a.name ?? undefined },
    size: { kind: 'scalar', get: (a) => a.size ?? undefined },
    file_url: { kind: 'scalar', get: (a) => a.url },
    image_data: { kind: 'scalar', get: (a) => (a.type === 'image' ? { url: a.url, preview_url: a.url } : undefined) },
  },
  edges: {},
};

const LINK = /https?:\/\/[^\s<>"]+/g;

/** A link shared in a message: in its text or behind a template's URL button. */
export interface ShareView {
  id: string;
  link: string;
  /** The integration's preview of the link, when it answered with one. */
  preview?: LinkPreviewRow;
  /** The signed link of the preview's stored image. */
  picture?: string;
}

function sharesOf(p: Presentation, m: ChatMessageRow, previews?: readonly ShownPreviewRow[]): ShareView[] {
  const links = [...(m.text ?? '').matchAll(LINK)].map((x) => x[0]);
  for (const a of messageAttachments(m)) {
    if (a.type !== 'template') continue;
    const buttons = a.payload.template_type === 'button' ? a.payload.buttons : a.payload.elements.flatMap((e) => e.buttons ?? []);
    for (const b of buttons) if (b.type === 'web_url') links.push(b.url);
  }
  const ready = (link: string) => previews?.find((x) => x.state === 'ready' && (x.url === link || x.url === normalUrl(link)));
  return [...new Set(links)].map((link, i) => {
    const preview = ready(link);
    return { id: `${messageWireId(m)}_${i}`, link, preview, picture: preview && previewImageUrl(p, preview) };
  });
}

function normalUrl(link: string): string {
  try {
    return new URL(link).toString();
  } catch {
    return link;
  }
}

async function sharesOfMany(p: Presentation, messages: readonly ChatMessageRow[]): Promise<ShareView[][]> {
  const previews = await previewsOf(p.ctx.db, 'message', messages.map((m) => m.id));
  // Graph shows the preview the sender got (integrations read on no member's behalf).
  return messages.map((m) => sharesOf(p, m, previews.get(m.id)?.filter((x) => x.requester_id === m.sender_id)));
}

export const messageShareType: NodeType<ShareView> = {
  name: 'MessageShare',
  defaults: ['link'],
  id: (x) => x.id,
  fields: {
    id: { kind: 'scalar', get: (x) => x.id },
    link: { kind: 'scalar', get: (x) => x.link },
    name: { kind: 'scalar', get: (x) => x.preview?.title ?? x.link },
    description: { kind: 'scalar', get: (x) => x.preview?.description ?? undefined },
    picture: { kind: 'scalar', get: (x) => x.picture },
  },
  edges: {},
};

/** A Work Chat message (`m_{id}`), as compliance integrations and bots read it. */
export const chatMessageType: NodeType<ChatMessageRow> = {
  name: 'Message',
  defaults: ['id', 'created_time'],
  id: (m) => messageWireId(m),
  fields: {
    id: { kind: 'scalar', get: (m) => messageWireId(m) },
    message: { kind: 'scalar', get: (m) => m.text ?? '' },
    created_time: { kind: 'scalar', get: (m) => graphTime(m.created_time) },
    tags: { kind: 'scalar', get: (m) => ({ data: [{ name: m.source === 'system' ? 'system' : 'inbox' }] }) },
    from: {
      kind: 'ref',
      target: 'message_profile',
      key: (m) => m.sender_id,
      load: loadProfiles,
    },
    to: {
      kind: 'batch',
      load: async (p, messages) => {
        const participants = await participantsOf(p.ctx.db, messages.map((m) => m.thread_id));
        const profiles = await loadProfiles(p, [...new Set(participants.map((x) => x.profile_id))]);
        return messages.map((m) => {
          const present = participants.filter((x) => x.thread_id === m.thread_id && x.profile_id !== m.sender_id && x.joined_time <= m.created_time && (x.left_time === null || x.left_time > m.created_time));
          return { data: present.flatMap((x) => (profiles.get(x.profile_id) ? [toProfile(profiles.get(x.profile_id)!, p)] : [])) };
        });
      },
    },
  },
  edges: {
    shares: {
      target: 'message_share',
      position: (x) => ({ sort: 0, id: x.id }),
      page: async (p, message) => ({ rows: (await sharesOfMany(p, [message]))[0], hasNext: false, hasPrevious: false }),
      many: sharesOfMany,
    },
    attachments: {
      target: 'message_attachment',
      position: (a) => ({ sort: 0, id: a.id }),
      page: async (p, message) => ({ rows: (await attachmentViews(p, [message])).get(message.id) ?? [], hasNext: false, hasPrevious: false }),
      many: async (p, messages) => {
        const views = await attachmentViews(p, messages);
        return messages.map((m) => views.get(m.id) ?? []);
      },
    },
  },
};

function toProfile(row: ProfileRow, p: Presentation) {
  if (row.kind === 'page') return { id: row.page.id, name: row.page.name };
  const email = allowed(p.actor, 'member.email') ? row.member.email : null;
  return { id: row.member.id, name: row.member.name, ...(email ? { email } : {}) };
}

export { toProfile as chatProfileObject };
