// Row types of every table. Times are epoch milliseconds; booleans are 0/1 integers on both
// dialects; JSON columns hold text.

import type { AutomationTables } from './automationSchema.js';
import type { CommunityTables } from './communitySchema.js';
import type { EventsTables } from './eventsSchema.js';
import type { KnowledgeTables } from './knowledgeSchema.js';
import type { LinkPreviewTables } from './linkPreviewSchema.js';
import type { GroupContentTables } from './groupContentSchema.js';
import type { ScaleOutTables } from './scaleOutSchema.js';
import type { WebhooksChatTables } from './webhooksChatSchema.js';

export type Flag = 0 | 1;

export interface CommunityTable {
  id: string;
  name: string;
  created_time: number;
}

export type AccountState = 'provisioned' | 'invited' | 'claimed' | 'deactivated';

export interface MemberTable {
  id: string;
  email: string | null;
  email_lower: string | null;
  first_name: string;
  last_name: string;
  name: string;
  title: string | null;
  department: string | null;
  division: string | null;
  organization: string | null;
  employee_number: string | null;
  cost_center: string | null;
  locale: string | null;
  primary_phone: string | null;
  primary_address: string | null;
  external_id: string | null;
  manager_id: string | null;
  is_frontline: Flag;
  picture_media_id: string | null;
  state: AccountState;
  invited_time: number | null;
  claimed_time: number | null;
  deactivated_time: number | null;
  is_admin: Flag;
  password_hash: string | null;
  created_time: number;
  updated_time: number;
  // Account Management columns (migration 0002). Optional: commands that predate them leave
  // them unset, and unset reads as null.
  /** SCIM userName when it was given; null means "the email". */
  user_name?: string | null;
  user_name_lower?: string | null;
  display_name?: string | null;
  nick_name?: string | null;
  profile_url?: string | null;
  user_type?: string | null;
  preferred_language?: string | null;
  timezone?: string | null;
  middle_name?: string | null;
  honorific_prefix?: string | null;
  honorific_suffix?: string | null;
  /** 'password' | 'sso', or null for the community default. */
  auth_method?: string | null;
  /** JSON arrays of SCIM multi-valued attributes as last written; null = derive from the Graph fields. */
  emails_json?: string | null;
  phone_numbers_json?: string | null;
  addresses_json?: string | null;
  photos_json?: string | null;
  start_time?: number | null;
  term_time?: number | null;
}

/** Every email of a member (SCIM emails[]), for filtering by emails.value. */
export interface MemberEmailTable {
  member_id: string;
  position: number;
  value: string;
  value_lower: string;
  type: string | null;
  is_primary: Flag;
}

/** The live invitation of an invited account: claim link token and access code, sealed and hashed. */
export interface AccountInviteTable {
  member_id: string;
  token_hash: string;
  token_sealed: string;
  access_code_hash: string;
  access_code_sealed: string;
  created_time: number;
  expires_time: number;
}

/** Mail to send: delivered through SMTP_URL when set (mail/delivery.ts); `commonplace mail list|show` prints it. */
export interface MailOutboxTable {
  id: string;
  kind: 'invite';
  member_id: string | null;
  to_address: string;
  subject: string;
  body: string;
  created_time: number;
  sent_time: number | null;
  /** Delivery attempts so far (migration 0007). */
  attempts?: number;
  /** When the next attempt is due; null means at once. */
  next_attempt_time?: number | null;
  /** The last SMTP failure, for the outbox listing. */
  last_error?: string | null;
  /** Set when delivery gave up after the last retry. */
  failed_time?: number | null;
}

/** Failed sign-ins per key (account, address, or both) in a fixed window (migration 0007). */
export interface SignInThrottleTable {
  key: string;
  failures: number;
  window_start: number;
}

/** A people set (SCIM Group). */
export interface PeopleSetTable {
  id: string;
  display_name: string;
  display_name_lower: string;
  external_id: string | null;
  created_time: number;
  updated_time: number;
}

export interface PeopleSetMemberTable {
  set_id: string;
  member_id: string;
  added_time: number;
}

export interface SessionTable {
  token_hash: string;
  member_id: string;
  csrf_token: string;
  created_time: number;
  expires_time: number;
}

export interface GroupTable {
  id: string;
  name: string;
  description: string | null;
  privacy: 'OPEN' | 'CLOSED' | 'SECRET';
  purpose: string | null;
  post_permissions: 'NONE' | 'ADMIN_ONLY';
  join_setting: 'NONE' | 'ANYONE' | 'ADMIN_ONLY';
  post_requires_admin_approval: Flag;
  archived: Flag;
  /** The URL the cover was given by (kept for the audit trail and to spot a no-op). */
  cover_url: string | null;
  /** The stored photo of the cover, fetched from `cover_url` (migration 0018); null for covers set before. */
  cover_media_id: string | null;
  owner_id: string | null;
  created_time: number;
  updated_time: number;
}

export type GroupRole = 'admin' | 'moderator' | 'member';

export interface GroupMemberTable {
  group_id: string;
  member_id: string;
  role: GroupRole;
  joined_time: number;
}

export interface PageTable {
  id: string;
  app_id: string;
  name: string;
  picture_media_id: string | null;
  created_time: number;
}

export interface AppTable {
  id: string;
  page_id: string;
  name: string;
  description: string;
  picture_media_id: string | null;
  /** JSON array of permission codes. */
  permissions: string;
  /** 1 = every group; 0 = only the groups in app_group. */
  scope_all: Flag;
  token_hash: string;
  token_hint: string;
  token_time: number;
  /** The app secret, encrypted with the server key (AES-256-GCM). */
  secret_sealed: string;
  enabled: Flag;
  require_proof: Flag;
  auto_invite: Flag;
  created_by: string | null;
  created_time: number;
  updated_time: number;
  last_request_time: number | null;
}

export interface AppGroupTable {
  app_id: string;
  group_id: string;
}

export interface AppUsageTable {
  app_id: string;
  /** UTC day as YYYY-MM-DD. */
  day: string;
  requests: number;
}

export interface PostTable {
  id: string;
  /** The group, or the member whose timeline holds the post. */
  feed_id: string;
  feed_type: 'group' | 'member';
  author_id: string;
  author_type: 'member' | 'page';
  message: string | null;
  formatting: 'MARKDOWN' | 'PLAINTEXT';
  link: string | null;
  /** JSON array of message tags ({id,name,type,offset,length}). */
  message_tags: string;
  type: 'status' | 'link' | 'photo' | 'video';
  status_type: string;
  content_hash: string;
  created_time: number;
  updated_time: number;
}

export interface CommentTable {
  id: string;
  post_id: string;
  /** The comment this one replies to, or null for a comment on the post. */
  parent_id: string | null;
  /** What the comment is listed under: the parent comment, else the post. */
  owner_id: string;
  author_id: string;
  author_type: 'member' | 'page';
  message: string | null;
  message_tags: string;
  media_id: string | null;
  created_time: number;
  updated_time: number;
}

export interface ReactionTable {
  object_id: string;
  actor_id: string;
  actor_type: 'member' | 'page';
  type: string;
  created_time: number;
}

export interface SeenTable {
  post_id: string;
  member_id: string;
  seen_time: number;
}

export interface MediaTable {
  id: string;
  owner_id: string;
  owner_type: 'member' | 'page';
  kind: 'photo';
  /** Remote URL the photo was attached by; null when uploaded. */
  source_url: string | null;
  /** File name under the data dir's media folder when uploaded. */
  file_name: string | null;
  mime_type: string | null;
  size: number | null;
  caption: string | null;
  published: Flag;
  group_id: string | null;
  created_time: number;
  /** Pixel size of an uploaded image, read when it is stored (migration 0004); null when unknown. */
  width?: number | null;
  height?: number | null;
  /** The album the photo is in (migration 0016); null for loose photos. */
  album_id?: string | null;
}

export interface PostMediaTable {
  post_id: string;
  media_id: string;
  position: number;
}

export interface AuditEventTable {
  id: string;
  time: number;
  actor_type: 'member' | 'admin' | 'integration' | 'system';
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  /** JSON or null. */
  old_value: string | null;
  new_value: string | null;
}

export interface OutboxTable {
  id: string;
  /** Webhook object: page, group, user, workplace_security, link. */
  topic: string;
  field: string;
  /** The entry id of the envelope (group id, page id, member id, community id). */
  entry_id: string;
  /** Group or thread the event belongs to, for ordered delivery. */
  ordering_key: string;
  payload: string;
  created_time: number;
  /** Delivery order, given when the webhook worker fans the event out (migration 0003); null until then. */
  seq?: number | null;
}

/** What each stored id names (migration 0004): one lookup instead of a scan of every table. */
export interface ObjectTable {
  id: string;
  /** The Graph node type: member, group, post, comment, page, app, photo, community. */
  type: string;
}

export interface Database extends WebhooksChatTables, AutomationTables, CommunityTables, KnowledgeTables, EventsTables, LinkPreviewTables, ScaleOutTables, GroupContentTables {
  community: CommunityTable;
  member: MemberTable;
  session: SessionTable;
  work_group: GroupTable;
  group_member: GroupMemberTable;
  page: PageTable;
  app: AppTable;
  app_group: AppGroupTable;
  app_usage: AppUsageTable;
  post: PostTable;
  comment: CommentTable;
  reaction: ReactionTable;
  seen: SeenTable;
  media: MediaTable;
  post_media: PostMediaTable;
  audit_event: AuditEventTable;
  outbox: OutboxTable;
  member_email: MemberEmailTable;
  account_invite: AccountInviteTable;
  mail_outbox: MailOutboxTable;
  people_set: PeopleSetTable;
  people_set_member: PeopleSetMemberTable;
  object: ObjectTable;
  id_node: IdNodeTable;
  sign_in_throttle: SignInThrottleTable;
}

/** A process's lease on an id node number (the process bits of the ids it makes). */
export interface IdNodeTable {
  node: number;
  /** Random per-process token of the lease holder. */
  holder: string;
  expires_time: number;
  /** The highest id tick the holder had used when it last renewed or released the lease. */
  last_tick: number;
}
