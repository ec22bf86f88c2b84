import type { VideoRow } from '../../../db/repositories/video.js';
import type { NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import { loadProfiles } from '../profile/type.js';

type Links = Pick<Presentation, 'ctx' | 'publicBase'>;

/** The signed, expiring same-origin path of a stored video (the photos' rule, src/media/links.ts), or null for one by file_url. */
export function videoPath(ctx: Pick<Presentation['ctx'], 'mediaLinks'>, v: Pick<VideoRow, 'id' | 'file_name'>): string | null {
  return v.file_name ? `/videos/${v.id}/${v.file_name}?${ctx.mediaLinks.query(`video:${v.id}`)}` : null;
}

/** Where a video plays from: its file_url as given, or the signed link of the stored file. */
export function videoSource(p: Links, v: VideoRow): string | undefined {
  if (v.source_url) return v.source_url;
  const path = videoPath(p.ctx, v);
  return path ? `${p.publicBase}${path}` : undefined;
}

/** No thumbnail is made here: `picture` is a placeholder, and says so by its name. */
export const videoPlaceholder = (p: Pick<Presentation, 'publicBase'>) => `${p.publicBase}/media/video-no-thumbnail.svg`;

export const videoPermalink = (p: Pick<Presentation, 'publicBase'>, v: VideoRow) => `${p.publicBase}/groups/${v.group_id}/videos/${v.id}`;

const embedHtml = (p: Links, v: VideoRow) => {
  const src = videoSource(p, v);
  return src ? `<video src="${src.replace(/"/g, '&quot;')}" controls preload="metadata"></video>` : undefined;
};

export const videoType: NodeType<VideoRow> = {
  name: 'Video',
  defaults: ['id', 'title', 'description', 'updated_time'],
  id: (v) => v.id,
  fields: {
    id: { kind: 'scalar', get: (v) => v.id },
    title: { kind: 'scalar', get: (v) => v.title ?? undefined },
    description: { kind: 'scalar', get: (v) => v.description ?? undefined },
    created_time: { kind: 'scalar', get: (v) => graphTime(v.created_time) },
    updated_time: { kind: 'scalar', get: (v) => graphTime(v.updated_time) },
    source: { kind: 'scalar', get: (v, p) => videoSource(p, v) },
    permalink_url: { kind: 'scalar', get: (v, p) => videoPermalink(p, v) },
    picture: { kind: 'scalar', get: (_v, p) => videoPlaceholder(p) },
    icon: { kind: 'scalar', get: (_v, p) => `${p.publicBase}/media/post-icon.svg` },
    embed_html: { kind: 'scalar', get: (v, p) => embedHtml(p, v) },
    format: { kind: 'scalar', get: (v, p) => [{ filter: 'native', picture: videoPlaceholder(p), embed_html: embedHtml(p, v) }] },
    // The stored bytes are not probed: the length is not known, and Graph leaves out what is unknown.
    length: { kind: 'scalar', get: () => undefined },
    published: { kind: 'scalar', get: (v) => v.status === 'ready' },
    status: { kind: 'scalar', get: (v) => ({ video_status: v.status === 'ready' ? 'ready' : 'upload_in_progress' }) },
    from: { kind: 'ref', target: 'profile', key: (v) => v.owner_id, load: loadProfiles },
  },
  edges: {},
};
