// Row types of the events and polls tables (migration 0015). Same conventions as schema.ts:
// epoch-millisecond times, flags as 0/1, JSON columns as text.
import type { Flag } from './schema.js';

/** A group event. */
export interface EventTable {
  id: string;
  group_id: string;
  /** Who created it: a member, or an integration's bot page. */
  owner_id: string;
  owner_type: 'member' | 'page';
  name: string;
  description: string | null;
  start_time: number;
  end_time: number | null;
  /** An IANA zone name (`Europe/Paris`); times are stored in UTC either way. */
  timezone: string;
  /** Where it happens, as written (`location` on create). */
  place: string | null;
  cover_url: string | null;
  category: string | null;
  /** Further instances of a multi-instance event: JSON `[{id, start_time, end_time}]` (ms). */
  event_times: string;
  is_canceled: Flag;
  is_draft: Flag;
  can_guests_invite: Flag;
  guest_list_enabled: Flag;
  created_time: number;
  updated_time: number;
}

export type RsvpStatus = 'attending' | 'declined' | 'maybe' | 'interested';

/** One profile's answer to an event; a member of the group without a row has not replied. */
export interface EventRsvpTable {
  event_id: string;
  responder_id: string;
  responder_type: 'member' | 'page';
  rsvp_status: RsvpStatus;
  time: number;
}

/** A signed calendar (iCalendar) feed link: a member's events, or one group's. */
export interface CalendarFeedTable {
  id: string;
  /** The member whose access the feed reads with (and who may rotate or revoke it). */
  member_id: string;
  /** null for the member's own feed, else the group whose events it lists. */
  group_id: string | null;
  /** SHA-256 of the secret in the link; the secret itself is shown once. */
  token_hash: string;
  created_time: number;
  last_used_time: number | null;
}

/** The poll of a post: a question with options. */
export interface PollTable {
  /** Poll (question) id; the post id is `post_id`. */
  id: string;
  post_id: string;
  question: string;
  allow_multiple: Flag;
  created_time: number;
}

export interface PollOptionTable {
  id: string;
  poll_id: string;
  name: string;
  position: number;
}

export interface PollVoteTable {
  option_id: string;
  poll_id: string;
  voter_id: string;
  voter_type: 'member' | 'page';
  time: number;
}

export interface EventsTables {
  event: EventTable;
  event_rsvp: EventRsvpTable;
  calendar_feed: CalendarFeedTable;
  poll: PollTable;
  poll_option: PollOptionTable;
  poll_vote: PollVoteTable;
}
