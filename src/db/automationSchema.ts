// Row types of the automation tables (migration 0006). Same conventions as schema.ts:
// epoch-millisecond times, 0/1 flags, JSON columns as text.

import type { Flag } from './schema.js';

export type HookSource = 'slack' | 'github' | 'alertmanager';

/** An incoming webhook: a secret URL that posts into a group or a chat thread. */
export interface IncomingHookTable {
  id: string;
  name: string;
  /** Which payload format the URL reads. */
  source: HookSource;
  target_type: 'group' | 'thread';
  target_id: string;
  /** The integration the hook belongs to (null: created by an admin for no integration). */
  app_id: string | null;
  /** The bot page posts appear from: the integration's, or the hook's own. */
  page_id: string;
  /** SHA-256 of the key in the URL; the key itself is shown once. */
  key_hash: string;
  /** The key's last characters, to tell keys apart in lists. */
  key_hint: string;
  /** GitHub's shared secret for X-Hub-Signature-256, sealed with the server key. */
  signing_secret_sealed: string | null;
  /** Whether `username` / `icon_url` / `icon_emoji` in a payload are honoured. */
  allow_overrides: Flag;
  /** Whether `<!here>`, `<!channel>`, `<!everyone>` stay audience mentions. */
  allow_broadcast: Flag;
  rate_per_minute: number;
  rate_window_start: number;
  rate_window_count: number;
  revoked_time: number | null;
  post_count: number;
  error_count: number;
  last_used_time: number | null;
  created_by: string | null;
  created_time: number;
  updated_time: number;
}

/** One request to an incoming webhook: what came, what was answered, what it became. */
export interface HookDeliveryTable {
  id: string;
  hook_id: string;
  time: number;
  status: number;
  /** The body answered (`ok`, `no_text`, …). */
  answer: string;
  /** GitHub's event name or Alertmanager's status, when the source has one. */
  event: string | null;
  /** The first bytes of the request body. */
  request_excerpt: string;
  /** The Markdown posted. */
  rendered: string | null;
  /** The post, comment or chat message written. */
  object_id: string | null;
}

/** A post a hook keeps updating: an Alertmanager group key. */
export interface HookThreadTable {
  hook_id: string;
  external_key: string;
  post_id: string;
  /** JSON of what the post was last rendered from. */
  state: string | null;
  updated_time: number;
}

/** A group's subscription to an RSS or Atom feed. */
export interface FeedSubscriptionTable {
  id: string;
  group_id: string;
  url: string;
  /** The feed's own title, from its last successful poll. */
  title: string | null;
  /** The bot page items are posted as. */
  page_id: string;
  interval_ms: number;
  etag: string | null;
  last_modified: string | null;
  next_poll_time: number;
  consecutive_failures: number;
  /** Set when polling stopped (after repeated failures, or by an admin); null while active. */
  paused_reason: string | null;
  last_error: string | null;
  last_poll_time: number | null;
  last_success_time: number | null;
  last_item_title: string | null;
  last_item_time: number | null;
  item_count: number;
  /** The process polling the feed right now, until `lease_until`. */
  lease_owner: string | null;
  lease_until: number | null;
  created_by: string | null;
  created_time: number;
  updated_time: number;
}

/** An item of a feed already seen (posted, or skipped at the first poll), by guid. */
export interface FeedItemTable {
  feed_id: string;
  guid: string;
  post_id: string | null;
  created_time: number;
}

/** A group's membership rule. */
export interface MembershipRuleTable {
  group_id: string;
  /** The rule in its text form: `department eq "Sales" and not (title co "Contractor")`. */
  expression: string;
  /** 1: members added by hand stay even when they do not match. */
  keep_manual: Flag;
  enabled: Flag;
  last_evaluated_time: number | null;
  created_by: string | null;
  created_time: number;
  updated_time: number;
}

/** A member a rule added to a group (the rule may take them out again). */
export interface RuleMembershipTable {
  group_id: string;
  member_id: string;
  added_time: number;
}

/** A scheduled job's lease: one process runs it at a time. */
export interface JobLeaseTable {
  name: string;
  owner: string | null;
  until: number;
  last_run_time: number | null;
}

export interface AutomationTables {
  incoming_hook: IncomingHookTable;
  hook_delivery: HookDeliveryTable;
  hook_thread: HookThreadTable;
  feed_subscription: FeedSubscriptionTable;
  feed_item: FeedItemTable;
  membership_rule: MembershipRuleTable;
  rule_membership: RuleMembershipTable;
  job_lease: JobLeaseTable;
}
