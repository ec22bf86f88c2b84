// Row types of the link preview tables (migration 0014). Same conventions as schema.ts:
// epoch-millisecond times, JSON columns as text.

/** A domain an integration unfurls; it covers its subdomains too. */
export interface LinkDomainTable {
  app_id: string;
  /** Lower-case host name without a trailing dot. */
  domain: string;
  created_time: number;
}

export type LinkPreviewObject = 'post' | 'comment' | 'message';
/** pending: not asked yet; running: being asked; ready: answered with a preview; declined: the receiver gave none; failed: no usable answer. */
export type LinkPreviewState = 'pending' | 'running' | 'ready' | 'declined' | 'failed';

/** One shared URL of a post, comment or message, and what the integration answered for it. */
export interface LinkPreviewTable {
  id: string;
  object_type: LinkPreviewObject;
  /** The post's row id, the comment's id or the message's row id. */
  object_id: string;
  url: string;
  /** Order of the URL in the text (0 first). */
  position: number;
  app_id: string;
  /** The member the preview is for (the `user` of the webhook): who shared the URL, or who viewed it. */
  requester_id: string;
  /** The group the object is in; null for timelines and chat. */
  group_id: string | null;
  state: LinkPreviewState;
  title: string | null;
  description: string | null;
  image_url: string | null;
  icon_url: string | null;
  /** The image and icon as fetched by the server and stored as photos (migration 0021); null when there was none or it could not be fetched. */
  image_media_id: string | null;
  icon_media_id: string | null;
  preview_type: string | null;
  privacy: string | null;
  canonical_link: string | null;
  download_url: string | null;
  /** JSON array of `{title, value}` the receiver added. */
  fields: string | null;
  /** Why a preview failed or was declined, in words an admin can act on. */
  error: string | null;
  status_code: number | null;
  latency_ms: number | null;
  attempts: number;
  lease_owner: string | null;
  lease_until: number | null;
  created_time: number;
  completed_time: number | null;
}

/** A photo that holds a preview's image or icon; it is removed (with its file) once no preview uses it. */
export interface LinkPreviewMediaTable {
  media_id: string;
  app_id: string;
  /** The URL the integration answered, so every preview answering it shares one stored copy. */
  source_url: string;
  /** Last time a preview took it; a fresh one is never swept while its preview is being finished. */
  used_time: number;
}

export interface LinkPreviewTables {
  link_domain: LinkDomainTable;
  link_preview: LinkPreviewTable;
  link_preview_media: LinkPreviewMediaTable;
}
