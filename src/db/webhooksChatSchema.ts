// Row types of the webhook and Work Chat tables (migration 0003). Same conventions as schema.ts:
// epoch-millisecond times, 0/1 flags, JSON columns as text.

import type { Flag } from './schema.js';

/** One callback per integration and topic, as Workplace configured them. */
export interface WebhookSubscriptionTable {
  id: string;
  app_id: string;
  /** page, group, user, workplace_security. */
  topic: string;
  /** JSON array of subscribed field names. */
  fields: string;
  callback_url: string;
  /** The verify token, sealed with the server key. */
  verify_token_sealed: string;
  active: Flag;
  /** Failed attempts in a row; reset by a success. */
  consecutive_failures: number;
  /** When the subscription started failing (flagged), or null while healthy. */
  failing_since: number | null;
  last_error: string | null;
  last_failure_time: number | null;
  last_success_time: number | null;
  verified_time: number;
  created_time: number;
  updated_time: number;
}

export type DeliveryState = 'pending' | 'delivered' | 'dead' | 'cancelled';

/** One event for one subscription: what is retried, logged and redelivered. */
export interface WebhookDeliveryTable {
  /** The delivery id, sent in X-Commonplace-Delivery; the same on every attempt. */
  id: string;
  event_id: string;
  /** The event's place in delivery order (outbox.seq). */
  event_seq: number;
  subscription_id: string;
  app_id: string;
  topic: string;
  field: string;
  ordering_key: string;
  state: DeliveryState;
  attempts: number;
  /** When the next attempt is due; null once final. */
  next_attempt_time: number | null;
  /** Start of the retry window: the event's time, or the redelivery's. */
  window_start: number;
  first_attempt_time: number | null;
  last_attempt_time: number | null;
  delivered_time: number | null;
  last_status: number | null;
  last_error: string | null;
  /** The delivery this one repeats (admin redelivery). */
  redelivery_of: string | null;
  created_time: number;
  updated_time: number;
}

/**
 * Deliveries of one subscription with one ordering key (a group, a thread) go out one after the
 * other. A lane is claimed by one worker at a time (a lease); `version` moves whenever a delivery
 * joins it, so a worker releasing the lane never misses one.
 */
export interface WebhookLaneTable {
  subscription_id: string;
  ordering_key: string;
  /** When the lane's first pending delivery is due; null when the lane is empty. */
  next_time: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  version: number;
}

export type AttemptOutcome = 'delivered' | 'retry' | 'dead';

/** The delivery log: one row per HTTP attempt. */
export interface WebhookAttemptTable {
  id: string;
  delivery_id: string;
  app_id: string;
  subscription_id: string;
  attempt: number;
  time: number;
  url: string;
  /** JSON object of the request headers sent (signatures included; never a secret). */
  request_headers: string;
  /** The first bytes of the request body. */
  request_body: string;
  response_status: number | null;
  /** The first bytes of the response body. */
  response_body: string | null;
  error: string | null;
  latency_ms: number | null;
  outcome: AttemptOutcome;
  next_retry_time: number | null;
  /** The worker (host:pid:random) that sent the attempt. */
  worker: string;
}

/** Per-integration webhook settings: egress allow-list and the signing-secret overlap. */
export interface AppWebhookSettingsTable {
  app_id: string;
  /** JSON array of host names, IPs and CIDRs callbacks may reach besides public addresses. */
  allowed_hosts: string;
  /** The app secret before the last rotation, still signing until `previous_secret_expires`. */
  previous_secret_sealed: string | null;
  previous_secret_expires: number | null;
  updated_time: number;
}

/** A Work Chat thread (`t_{id}` on the Graph API). */
export interface ChatThreadTable {
  id: string;
  kind: 'one_to_one' | 'group';
  name: string | null;
  /** For 1:1 threads, the two profile ids sorted and joined by ':' (unique). */
  pair_key: string | null;
  created_by: string;
  created_time: number;
  updated_time: number;
}

export interface ChatParticipantTable {
  thread_id: string;
  profile_id: string;
  profile_type: 'member' | 'page';
  role: 'admin' | 'member';
  joined_time: number;
  /** Set when the participant left or was removed (former participants). */
  left_time: number | null;
  /** Messages up to this time reached the participant. */
  delivered_watermark: number | null;
  /** Messages up to this time were read by the participant. */
  read_watermark: number | null;
  /** The participant is typing until then (bots' typing_on). */
  typing_until: number | null;
}

export interface ChatMessageTable {
  id: string;
  thread_id: string;
  sender_id: string;
  sender_type: 'member' | 'page';
  /** 'message' from a participant; 'system' for thread changes (renames, people added). */
  source: 'message' | 'system';
  text: string | null;
  /** JSON array of quick replies offered with the message. */
  quick_replies: string | null;
  /** JSON array of attachments ({type, payload}): templates, images, files. */
  attachments: string | null;
  /** The quick reply payload a member's message answers. */
  quick_reply_payload: string | null;
  created_time: number;
}

/** A file attached to a chat message, by upload or by URL. */
export interface ChatFileTable {
  id: string;
  owner_id: string;
  type: 'image' | 'video' | 'audio' | 'file';
  /** Remote URL when attached by URL. */
  url: string | null;
  /** Stored file name under the data dir's media folder when uploaded. */
  file_name: string | null;
  name: string | null;
  mime_type: string | null;
  size: number | null;
  created_time: number;
}

/** A bot page's Messenger profile: greeting, get started button, persistent menu (JSON). */
export interface MessengerProfileTable {
  page_id: string;
  greeting: string | null;
  get_started: string | null;
  persistent_menu: string | null;
  updated_time: number;
}

export interface WebhooksChatTables {
  webhook_subscription: WebhookSubscriptionTable;
  webhook_delivery: WebhookDeliveryTable;
  webhook_lane: WebhookLaneTable;
  webhook_attempt: WebhookAttemptTable;
  app_webhook_settings: AppWebhookSettingsTable;
  chat_thread: ChatThreadTable;
  chat_participant: ChatParticipantTable;
  chat_message: ChatMessageTable;
  chat_file: ChatFileTable;
  messenger_profile: MessengerProfileTable;
}
