// Row types of group content (migration 0016). Same conventions as schema.ts: epoch-millisecond
// times, JSON columns as text.

/** A file uploaded for a group (POST /group_file_revisions), attached to one post. */
export interface GroupFileTable {
  id: string;
  owner_id: string;
  owner_type: 'member' | 'page';
  /** The group of the post it is attached to; null until then. */
  group_id: string | null;
  /** The post it is attached to; null while it waits for one (unattached files expire). */
  post_id: string | null;
  /** The file name as uploaded. */
  name: string;
  /** The key in the media store. */
  file_name: string;
  mime_type: string;
  size: number;
  created_time: number;
  updated_time: number;
}

/** A stored file whose row is gone: deleted from the media store after the commit (and by housekeeping). */
export interface MediaTrashTable {
  key: string;
  created_time: number;
}

/**
 * A photo album of a group. Each album is backed by one post (a multi-photo post, or the post
 * POST /{group}/albums writes): the album's comments, likes and reactions are its post's.
 */
export interface AlbumTable {
  id: string;
  group_id: string;
  post_id: string;
  owner_id: string;
  owner_type: 'member' | 'page';
  name: string;
  description: string | null;
  location: string | null;
  /** `normal` (made with POST /{group}/albums) or `post` (made by a post with several photos). */
  kind: 'normal' | 'post';
  created_time: number;
  updated_time: number;
}

/** A group doc (Workplace's notes): sanitized HTML, backed by the post that shows it. */
export interface DocTable {
  id: string;
  group_id: string;
  post_id: string;
  owner_id: string;
  owner_type: 'member' | 'page';
  title: string;
  /** HTML, sanitized when written. */
  body: string;
  /** The current revision, from 1. */
  revision: number;
  created_time: number;
  updated_time: number;
}

/** Every revision of a doc, the current one included. */
export interface DocRevisionTable {
  doc_id: string;
  revision: number;
  title: string;
  body: string;
  editor_id: string;
  editor_type: 'member' | 'page';
  created_time: number;
}

/** A member's pending request to join a group that needs approval. */
export interface GroupMemberRequestTable {
  group_id: string;
  member_id: string;
  requested_time: number;
}

/** Someone who left a group or was removed from it (cleared when they join again). */
export interface GroupFormerMemberTable {
  group_id: string;
  member_id: string;
  left_time: number;
}

/** A video of a group: by `file_url` (kept as given) or uploaded (whole, or resumably in chunks). */
export interface VideoTable {
  id: string;
  owner_id: string;
  owner_type: 'member' | 'page';
  group_id: string;
  /** The post that shows it; null while a resumable upload is still running. */
  post_id: string | null;
  title: string | null;
  description: string | null;
  source_url: string | null;
  /** The key in the media store when uploaded. */
  file_name: string | null;
  mime_type: string | null;
  size: number | null;
  /** `uploading` until a resumable upload finishes, then `ready`. */
  status: 'uploading' | 'ready';
  created_time: number;
  updated_time: number;
}

/** A resumable video upload (upload_phase=start|transfer|finish); its chunks live in the media store. */
export interface VideoUploadTable {
  id: string;
  video_id: string;
  owner_id: string;
  file_size: number;
  /** Bytes received so far: the next chunk's start_offset. */
  received: number;
  /** Chunks stored so far, as `{id}.c{n}` in the media store. */
  chunks: number;
  created_time: number;
  updated_time: number;
}

export interface GroupContentTables {
  video: VideoTable;
  video_upload: VideoUploadTable;
  group_member_request: GroupMemberRequestTable;
  group_former_member: GroupFormerMemberTable;
  doc: DocTable;
  doc_revision: DocRevisionTable;
  group_file: GroupFileTable;
  album: AlbumTable;
  media_trash: MediaTrashTable;
}
