// Row types of the community-feature tables (migration 0010). Same conventions as schema.ts:
// epoch-millisecond times, JSON columns as text.

/** A badge an admin made; awarded as `workplace_custom#{id}`. */
export interface CustomBadgeTable {
  id: string;
  name: string;
  description: string;
  icon: string;
  category: string;
  /** Set when an admin retires the badge: it leaves the catalogue and every profile. */
  deleted_time: number | null;
  created_time: number;
  updated_time: number;
}

/** A badge on a member's profile; `badge` is a built-in key or `workplace_custom#{id}`. */
export interface MemberBadgeTable {
  member_id: string;
  badge: string;
  awarded_by_type: 'member' | 'admin' | 'integration' | 'system';
  awarded_by_id: string | null;
  awarded_time: number;
}

/** A skill of the community, shared by every member who lists it (names match case-insensitively). */
export interface SkillTable {
  id: string;
  name: string;
  name_lower: string;
  created_time: number;
}

export interface MemberSkillTable {
  member_id: string;
  skill_id: string;
  added_time: number;
}

export type ExportJobStatus = 'PENDING' | 'STARTED' | 'COMPLETED' | 'FAILED';

/** A background data export; one process at a time holds its lease while it runs. */
export interface ExportJobTable {
  id: string;
  /** WORK_FILE_EXPORT_USER. */
  type: string;
  status: ExportJobStatus;
  requested_by_type: 'member' | 'admin' | 'integration' | 'system';
  requested_by_id: string | null;
  /** Rows written so far, of `total`. */
  progress: number;
  total: number;
  /** Runs started (a crash mid-run leaves the lease to expire, and the job runs again). */
  attempts: number;
  lease_owner: string | null;
  lease_until: number | null;
  /** The finished XLSX: its key in the media store. */
  file_name: string | null;
  /** Why the job failed. */
  error: string | null;
  created_time: number;
  started_time: number | null;
  finished_time: number | null;
}

export type ReportStatus = 'OPEN' | 'RESOLVED';
export type ReportResolution = 'KEEP' | 'REMOVE' | 'WARN';

/** A report of a group post or comment, waiting for an admin or resolved. */
export interface ReportedContentTable {
  id: string;
  object_id: string;
  object_type: 'post' | 'comment';
  /** The post itself, or the post the comment is on. */
  post_id: string;
  group_id: string;
  author_id: string;
  /** The reported text as it was when reported (it may be removed later). */
  excerpt: string;
  reporter_type: 'member' | 'integration';
  /** The reporting member, or the integration's bot page. */
  reporter_id: string;
  reason: string;
  status: ReportStatus;
  resolution: ReportResolution | null;
  /** What the admin told the author (WARN) or noted. */
  resolution_note: string | null;
  resolved_by_type: 'member' | 'admin' | 'integration' | 'system' | null;
  resolved_by_id: string | null;
  resolved_time: number | null;
  created_time: number;
}

export interface CommunityTables {
  reported_content: ReportedContentTable;
  custom_badge: CustomBadgeTable;
  member_badge: MemberBadgeTable;
  skill: SkillTable;
  member_skill: MemberSkillTable;
  export_job: ExportJobTable;
}
