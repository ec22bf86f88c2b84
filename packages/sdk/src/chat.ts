import type { GraphClient } from './client.js';

/** Who a Send API message goes to: a member, several members (a new group chat), or a thread. */
export type Recipient = { id: string } | { ids: readonly string[] } | { thread_key: string };

export interface QuickReply {
  content_type: 'text' | 'user_email' | 'user_phone_number';
  title?: string;
  payload?: string;
  image_url?: string;
}

export type Button =
  | { type: 'web_url'; url: string; title: string }
  | { type: 'postback'; title: string; payload: string }
  | { type: 'phone_number'; title: string; payload: string };

export type OutgoingAttachment =
  | { type: 'template'; payload: { template_type: 'button'; text: string; buttons: Button[] } }
  | { type: 'template'; payload: { template_type: 'generic'; image_aspect_ratio?: 'horizontal' | 'square'; elements: { title: string; subtitle?: string; image_url?: string; default_action?: { type: 'web_url'; url: string }; buttons?: Button[] }[] } }
  | { type: 'image' | 'video' | 'audio' | 'file'; payload: { url?: string; attachment_id?: string; is_reusable?: boolean } };

/** A Send API message: text or one attachment, with optional quick replies. */
export type OutgoingMessage = { text: string; quick_replies?: QuickReply[] } | { attachment: OutgoingAttachment; quick_replies?: QuickReply[] };

/** What the Send API answers; `thread_key` comes back for group chats. */
export interface SendResult {
  recipient_id: string;
  message_id: string;
  thread_key?: string;
}

export type SenderAction = 'mark_seen' | 'typing_on' | 'typing_off';

function recipientOf(recipient: Recipient | string): Recipient {
  if (typeof recipient !== 'string') return recipient;
  return recipient.startsWith('t_') ? { thread_key: recipient } : { id: recipient };
}

/** Sends a message as the bot (POST /me/messages). A string recipient is a member id or a `t_…` thread key. */
export function sendMessage(client: GraphClient, recipient: Recipient | string, message: OutgoingMessage, messagingType: 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG' = 'RESPONSE'): Promise<SendResult> {
  return client.post<SendResult>('me/messages', { recipient: recipientOf(recipient), messaging_type: messagingType, message });
}

/** Sends text, with quick replies given as `{title: payload}` pairs. */
export function sendText(client: GraphClient, recipient: Recipient | string, text: string, quickReplies?: Record<string, string>): Promise<SendResult> {
  const quick_replies = quickReplies ? Object.entries(quickReplies).map(([title, payload]) => ({ content_type: 'text' as const, title, payload })) : undefined;
  return sendMessage(client, recipient, quick_replies ? { text, quick_replies } : { text });
}

/** Shows typing, hides it, or marks the thread seen (POST /me/messages with sender_action). */
export function senderAction(client: GraphClient, recipient: Recipient | string, action: SenderAction): Promise<{ recipient_id: string }> {
  return client.post('me/messages', { recipient: recipientOf(recipient), sender_action: action });
}

/** Sets the bot's greeting, get started button and persistent menu (POST /me/messenger_profile). */
export function setMessengerProfile(
  client: GraphClient,
  profile: {
    greeting?: { locale: string; text: string }[];
    get_started?: { payload: string };
    persistent_menu?: { locale: string; composer_input_disabled?: boolean; call_to_actions: Button[] }[];
  },
): Promise<{ result: string }> {
  return client.post('me/messenger_profile', profile);
}

/**
 * Subscribes the app to a webhook topic (POST /app/subscriptions). The client must use the app
 * token `APP_ID|APP_SECRET`; the server calls the callback for the verification handshake first.
 */
export function subscribeWebhook(appClient: GraphClient, input: { object: string; fields: readonly string[]; callbackUrl: string; verifyToken: string }): Promise<{ success: boolean }> {
  return appClient.post('app/subscriptions', { object: input.object, fields: input.fields.join(','), callback_url: input.callbackUrl, verify_token: input.verifyToken }, { bodyFormat: 'form' });
}
