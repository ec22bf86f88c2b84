import type { MessageTag } from '../shared/markdown';
import type { PreviewCard } from './LinkPreview';

export interface Me {
  id: string;
  name: string;
  email?: string | null;
  picture_url?: string | null;
}

export interface ProfileRef {
  id: string;
  name: string;
  type: 'user' | 'page';
  picture_url: string | null;
  title?: string | null;
}

export interface Reactions {
  total: number;
  by_type: Record<string, number>;
  mine: string | null;
}

export interface Comment {
  id: string;
  parent_id: string | null;
  from: ProfileRef;
  message: string | null;
  message_tags: MessageTag[];
  photo_url: string | null;
  created_time: string;
  reactions: Reactions;
  previews: PreviewCard[];
}

export interface Post {
  id: string;
  group_id: string | null;
  group_name?: string | null;
  from: ProfileRef;
  message: string | null;
  formatting: 'MARKDOWN' | 'PLAINTEXT';
  message_tags: MessageTag[];
  link: string | null;
  photos: { id: string; url: string | null; caption: string | null }[];
  previews: PreviewCard[];
  previews_pending?: boolean;
  files?: { id: string; name: string; size: number; url: string; is_image: boolean }[];
  video?: { id: string; title: string | null; source: string | null } | null;
  created_time: string;
  reactions: Reactions;
  comment_count: number;
  comments: Comment[];
  poll: Poll | null;
}

export interface Poll {
  id: string;
  question: string;
  multiple_choice: boolean;
  voter_count: number;
  options: { id: string; name: string; vote_count: number; percent: number; mine: boolean }[];
}

export interface GroupEvent {
  id: string;
  group_id: string;
  name: string;
  description: string | null;
  start_time: string;
  end_time: string | null;
  timezone: string;
  place: string | null;
  is_canceled: boolean;
  owner: { id: string; name: string | null };
  counts: Record<'attending' | 'declined' | 'maybe' | 'interested' | 'noreply', number>;
  my_rsvp: 'attending' | 'declined' | 'maybe' | 'interested' | null;
  can_edit: boolean;
}

export interface Group {
  id: string;
  name: string;
  description: string | null;
  privacy: 'OPEN' | 'CLOSED' | 'SECRET';
  join_setting: string;
  post_permissions: string;
  archived: boolean;
  member_count?: number;
  role: 'admin' | 'moderator' | 'member' | null;
  can_read: boolean;
  can_join: boolean;
  can_request?: boolean;
  can_post: boolean;
  can_interact: boolean;
  can_moderate: boolean;
  members?: (ProfileRef & { role: string })[];
}

export interface Profile extends ProfileRef {
  kind: 'person' | 'bot';
  /** The picture at the profile header's size. */
  picture_large_url?: string | null;
  email?: string | null;
  department?: string | null;
  division?: string | null;
  organization?: string | null;
  primary_phone?: string | null;
  primary_address?: string | null;
  locale?: string | null;
  active?: boolean;
  managers?: ProfileRef[];
  reports?: ProfileRef[];
}
