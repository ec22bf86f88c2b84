import { findAppsByPageIds } from '../../../db/repositories/app.js';
import { countComments, listComments, listCommentsOfMany } from '../../../db/repositories/comment.js';
import { findGroupsByIds } from '../../../db/repositories/group.js';
import { type MediaRow, mediaOfPosts } from '../../../db/repositories/media.js';
import { filesOfPosts, type GroupFileRow } from '../../../db/repositories/groupFile.js';
import { groupFileUrl } from '../group_file/type.js';
import { type AlbumRow, albumsOfPosts } from '../../../db/repositories/album.js';
import { albumLink } from '../album/type.js';
import { type VideoRow, videosOfPosts } from '../../../db/repositories/video.js';
import { videoPermalink, videoPlaceholder, videoSource } from '../video/type.js';
import type { PostRow } from '../../../db/repositories/post.js';
import { type LinkPreviewRow, previewsOf, type ShownPreviewRow } from '../../../db/repositories/linkPreview.js';
import { previewImageUrl, shareAttachment } from '../../../presenters/linkPreview.js';
import { postWireId } from '../../../domain/commands/post.js';
import { parseTags } from '../../../domain/mentions.js';
import { authorizeContent, type ContentTarget } from '../../../policies/graph.js';
import { mediaUrl } from '../../../presenters/media.js';
import type { NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import { loadProfiles } from '../profile/type.js';
import { reactionsEdge, seenEdge } from '../reactor/type.js';
import { publicApp, type PublicApp } from '../app/type.js';
import { byParent, direction } from '../shared.js';
import { questionsOfPosts } from '../question/type.js';

export function postTarget(post: PostRow): ContentTarget {
  return {
    id: postWireId(post),
    feedId: post.feed_id,
    feedType: post.feed_type,
    authorId: post.author_id,
    mentionedIds: parseTags(post.message_tags).map((t) => t.id),
  };
}

const readPost = (p: Presentation, post: PostRow) => authorizeContent(p.actor, 'read', postTarget(post));

export function postPermalink(p: Pick<Presentation, 'publicBase'>, post: PostRow): string {
  return post.feed_type === 'group' ? `${p.publicBase}/groups/${post.feed_id}/posts/${post.id}` : `${p.publicBase}/profile/${post.feed_id}/posts/${post.id}`;
}

/** A post's attachments: the link (with its preview, when an integration gave one), one photo or an album of several photos; then one per group file. */
export type AttachmentRow = { post: PostRow; media: MediaRow[]; preview?: ShownPreviewRow; file?: GroupFileRow; album?: AlbumRow; video?: VideoRow };

/** A group file as a story attachment: its name, its signed download link, an image (itself, or a file icon). */
function fileAttachment(p: Presentation, f: GroupFileRow): Record<string, unknown> {
  const url = groupFileUrl(p, f);
  const image = /^image\/(png|jpeg|gif|webp)$/.test(f.mime_type) ? { src: url } : { src: `${p.publicBase}/media/file-icon.svg`, height: 64, width: 64 };
  return { type: 'file_upload', title: f.name, url, target: { id: f.id, url }, media: { image } };
}

function attachmentOf(p: Presentation, row: AttachmentRow): Record<string, unknown> | undefined {
  if (row.file) return fileAttachment(p, row.file);
  if (row.video) {
    const url = videoPermalink(p, row.video);
    return { type: 'video_inline', title: row.video.title ?? undefined, description: row.video.description ?? undefined, url, target: { id: row.video.id, url }, media: { image: { src: videoPlaceholder(p) }, source: videoSource(p, row.video) } };
  }
  const photo = (m: MediaRow) => ({
    type: 'photo',
    media: { image: { src: mediaUrl(p, m) } },
    target: { id: m.id, url: mediaUrl(p, m) },
    url: mediaUrl(p, m),
    description: m.caption ?? undefined,
  });
  if (row.album) {
    const link = albumLink(p, row.album);
    return { type: 'album', title: row.album.name, description: row.album.description ?? undefined, target: { id: row.album.id, url: link }, url: link, subattachments: { data: row.media.map(photo) } };
  }
  if (row.media.length === 1) return photo(row.media[0]);
  if (row.media.length > 1) {
    return { type: 'album', target: { id: row.post.id, url: postPermalink(p, row.post) }, url: postPermalink(p, row.post), subattachments: { data: row.media.map(photo) } };
  }
  if (row.preview) return shareAttachment(p, row.preview);
  if (row.post.link) return { type: 'share', url: row.post.link, title: row.post.link, target: { url: row.post.link } };
  return undefined;
}

/** The first ready preview the author got for each post (the one its share attachment shows on Graph), by post row id. */
async function firstPreviews(p: Presentation, posts: readonly PostRow[]): Promise<Map<string, ShownPreviewRow>> {
  const all = await previewsOf(p.ctx.db, 'post', posts.map((x) => x.id));
  const author = new Map(posts.map((x) => [x.id, x.author_id]));
  const out = new Map<string, ShownPreviewRow>();
  for (const [id, rows] of all) {
    const ready = rows.find((r) => r.state === 'ready' && r.requester_id === author.get(id));
    if (ready) out.set(id, ready);
  }
  return out;
}

const previewField = (pick: (row: LinkPreviewRow) => string | null, fallback: (post: PostRow) => string | undefined) => ({
  kind: 'batch' as const,
  load: async (p: Presentation, posts: PostRow[]) => {
    const previews = await firstPreviews(p, posts);
    return posts.map((post) => {
      const preview = previews.get(post.id);
      return (preview ? pick(preview) : null) ?? fallback(post);
    });
  },
});

function attachmentRows(
  p: Presentation,
  post: PostRow,
  media: MediaRow[],
  files: GroupFileRow[],
  album: AlbumRow | undefined,
  video: VideoRow | undefined,
  preview: ShownPreviewRow | undefined,
): (AttachmentRow & { id: string })[] {
  const main = { id: post.id, post, media, album, video, preview };
  return [...(attachmentOf(p, main) ? [main] : []), ...files.map((file) => ({ id: `${post.id}_${file.id}`, post, media: [], file }))];
}

export const attachmentType: NodeType<AttachmentRow & { id: string }> = {
  name: 'StoryAttachment',
  defaults: ['type', 'url', 'media', 'target', 'title', 'description', 'subattachments'],
  id: (a) => a.id,
  fields: Object.fromEntries(
    ['id', 'type', 'url', 'media', 'target', 'title', 'description', 'subattachments', 'media_type'].map((name) => [
      name,
      {
        kind: 'scalar' as const,
        get: (a: AttachmentRow & { id: string }, p: Presentation) => {
          const value = attachmentOf(p, a);
          if (name === 'id') return undefined;
          if (name === 'media_type') return value?.type;
          return value?.[name];
        },
      },
    ]),
  ),
  edges: {},
};

/** Graph's `status_type`: `shared_story` for links, `added_photos` for photos, else who wrote it. */
export function statusTypeOf(post: PostRow): string {
  if (post.type === 'photo') return 'added_photos';
  if (post.type === 'video') return 'added_video';
  if (post.type === 'link') return 'shared_story';
  return post.author_type === 'page' ? 'app_created_story' : 'mobile_status_update';
}

const hostOf = (link: string | null) => {
  if (!link) return undefined;
  try {
    return new URL(link).hostname;
  } catch {
    return undefined;
  }
};

/** The story line Workplace generates: "Alice Anders posted in Engineering", "… shared a link in …". */
async function storiesOf(p: Presentation, posts: PostRow[]): Promise<(string | undefined)[]> {
  const [profiles, media, groups] = await Promise.all([
    loadProfiles(p, posts.flatMap((x) => (x.feed_type === 'member' ? [x.author_id, x.feed_id] : [x.author_id]))),
    mediaOfPosts(p.ctx.db, posts.filter((x) => x.type === 'photo').map((x) => x.id)),
    findGroupsByIds(p.ctx.db, posts.filter((x) => x.feed_type === 'group').map((x) => x.feed_id)),
  ]);
  const groupName = new Map(groups.map((g) => [g.id, g.name]));
  const nameOf = (id: string) => {
    const r = profiles.get(id);
    return r ? (r.kind === 'member' ? r.member.name : r.page.name) : undefined;
  };
  return posts.map((post) => {
    const author = nameOf(post.author_id);
    if (!author) return undefined;
    const photos = media.get(post.id)?.length ?? 0;
    const what = post.type === 'link' ? 'shared a link' : photos > 1 ? `added ${photos} new photos` : photos === 1 ? 'added a new photo' : 'posted';
    if (post.feed_type === 'group') {
      const group = groupName.get(post.feed_id);
      if (!group) return `${author} ${what}`;
      return `${author} ${what} ${photos ? 'to' : 'in'} ${group}`;
    }
    if (post.feed_id === post.author_id) return `${author} ${what}`;
    const owner = nameOf(post.feed_id);
    return owner ? `${author} ${what} on ${owner}'s timeline` : `${author} ${what}`;
  });
}

/** The app behind a bot page that wrote a post, by page id. */
async function appsOfPages(p: Presentation, pageIds: string[]): Promise<Map<string, PublicApp>> {
  return new Map((await findAppsByPageIds(p.ctx.db, pageIds)).map((app) => [app.page_id, publicApp(app)]));
}

// Fields Workplace documents whose data Commonplace does not have (videos, places, targeting,
// shares, scraped link text) answer as Graph does for an empty value: they are left out.
const absent = { kind: 'scalar' as const, get: () => undefined };

export const postType: NodeType<PostRow> = {
  name: 'Post',
  defaults: ['id', 'message', 'created_time'],
  id: postWireId,
  fields: {
    id: { kind: 'scalar', get: postWireId },
    message: { kind: 'scalar', get: (post) => post.message ?? undefined },
    message_tags: { kind: 'scalar', get: (post) => { const tags = parseTags(post.message_tags); return tags.length ? tags : undefined; } },
    created_time: { kind: 'scalar', get: (post) => graphTime(post.created_time) },
    updated_time: { kind: 'scalar', get: (post) => graphTime(post.updated_time) },
    formatting: { kind: 'scalar', get: (post) => post.formatting },
    link: { kind: 'scalar', get: (post) => post.link ?? undefined },
    type: { kind: 'scalar', get: (post) => post.type },
    status_type: { kind: 'scalar', get: statusTypeOf },
    story: { kind: 'batch', load: storiesOf },
    name: previewField((x) => x.title, (post) => post.link ?? undefined),
    caption: { kind: 'scalar', get: (post) => hostOf(post.link) },
    description: previewField((x) => x.description, () => undefined),
    icon: { kind: 'scalar', get: (_post, p) => `${p.publicBase}/media/post-icon.svg` },
    actions: {
      kind: 'scalar',
      get: (post, p) => [
        { name: 'Comment', link: postPermalink(p, post) },
        { name: 'Like', link: postPermalink(p, post) },
      ],
    },
    application: {
      kind: 'ref',
      target: 'app',
      key: (post) => (post.author_type === 'page' ? post.author_id : null),
      load: appsOfPages,
    },
    parent_id: absent,
    admin_creator: absent,
    feed_targeting: absent,
    place: absent,
    shares: absent,
    source: {
      kind: 'batch',
      load: async (p, posts) => {
        const videos = await videosOfPosts(p.ctx.db, posts.filter((x) => x.type === 'video').map((x) => x.id));
        return posts.map((post) => { const v = videos.get(post.id); return v ? videoSource(p, v) : undefined; });
      },
    },
    properties: absent,
    poll: { kind: 'ref', target: 'question', key: (post) => (post.feed_type === 'group' ? post.id : null), load: questionsOfPosts },
    permalink_url: { kind: 'scalar', get: (post, p) => postPermalink(p, post) },
    is_hidden: { kind: 'scalar', get: () => false },
    is_published: { kind: 'scalar', get: () => true },
    privacy: { kind: 'scalar', get: () => ({ value: '', description: '', friends: '', allow: '', deny: '' }) },
    object_id: {
      kind: 'batch',
      load: async (p, posts) => {
        const media = await mediaOfPosts(p.ctx.db, posts.filter((x) => x.type === 'photo').map((x) => x.id));
        return posts.map((post) => media.get(post.id)?.[0]?.id);
      },
    },
    picture: {
      kind: 'batch',
      load: async (p, posts) => {
        const [media, previews] = await Promise.all([mediaOfPosts(p.ctx.db, posts.filter((x) => x.type === 'photo').map((x) => x.id)), firstPreviews(p, posts.filter((x) => x.type !== 'photo'))]);
        return posts.map((post) => { const m = media.get(post.id)?.[0]; return m ? mediaUrl(p, m) : (previews.get(post.id) && previewImageUrl(p, previews.get(post.id)!)); });
      },
    },
    full_picture: {
      kind: 'batch',
      load: async (p, posts) => {
        const media = await mediaOfPosts(p.ctx.db, posts.filter((x) => x.type === 'photo').map((x) => x.id));
        return posts.map((post) => { const m = media.get(post.id)?.[0]; return m ? mediaUrl(p, m) : undefined; });
      },
    },
    to: {
      kind: 'batch',
      load: async (p, posts) => {
        const groups = new Map((await findGroupsByIds(p.ctx.db, posts.filter((x) => x.feed_type === 'group').map((x) => x.feed_id))).map((g) => [g.id, g]));
        return posts.map((post) => { const g = groups.get(post.feed_id); return g ? { data: [{ id: g.id, name: g.name }] } : undefined; });
      },
    },
    from: {
      kind: 'ref',
      target: 'profile',
      key: (post) => post.author_id,
      load: loadProfiles,
    },
  },
  edges: {
    comments: {
      target: 'comment',
      authorize: readPost,
      defaultOrder: 'chronological',
      position: (c) => ({ sort: c.created_time, id: c.id }),
      page: (p, post, q) => listComments(p.ctx.db, post.id, { since: q.since, until: q.until }, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before }),
      many: async (p, posts, q) => {
        const rows = await listCommentsOfMany(p.ctx.db, posts.map((x) => x.id), { since: q.since, until: q.until }, direction(q, 'asc'), q.limit);
        return byParent(posts.map((x) => x.id), rows, (r) => r.owner_id);
      },
      summary: async (p, posts, q) => {
        const counts = await countComments(p.ctx.db, posts.map((x) => x.id));
        return posts.map((post) => ({ order: q.order ?? 'chronological', total_count: counts.get(post.id) ?? 0, can_comment: true }));
      },
    },
    likes: reactionsEdge<PostRow>('likes', (post) => post.id, readPost),
    reactions: reactionsEdge<PostRow>('reactions', (post) => post.id, readPost),
    seen: seenEdge<PostRow>((post) => post.id, readPost),
    sharedposts: {
      // Commonplace has no sharing: the edge exists and is empty.
      target: 'post',
      authorize: readPost,
      position: (x) => ({ sort: x.created_time, id: x.id }),
      page: async () => ({ rows: [], hasNext: false, hasPrevious: false }),
      many: async (_p, posts) => posts.map(() => []),
    },
    attachments: {
      target: 'story_attachment',
      authorize: readPost,
      position: (a) => ({ sort: 0, id: a.id }),
      page: async (p, post) => {
        const [media, files, albums, videos, previews] = await Promise.all([mediaOfPosts(p.ctx.db, [post.id]), filesOfPosts(p.ctx.db, [post.id]), albumsOfPosts(p.ctx.db, [post.id]), videosOfPosts(p.ctx.db, [post.id]), firstPreviews(p, [post])]);
        return { rows: attachmentRows(p, post, media.get(post.id) ?? [], files.get(post.id) ?? [], albums.get(post.id), videos.get(post.id), previews.get(post.id)), hasNext: false, hasPrevious: false };
      },
      many: async (p, posts) => {
        const ids = posts.map((x) => x.id);
        const [media, files, albums, videos, previews] = await Promise.all([mediaOfPosts(p.ctx.db, ids), filesOfPosts(p.ctx.db, ids), albumsOfPosts(p.ctx.db, ids), videosOfPosts(p.ctx.db, ids), firstPreviews(p, posts)]);
        return posts.map((post) => attachmentRows(p, post, media.get(post.id) ?? [], files.get(post.id) ?? [], albums.get(post.id), videos.get(post.id), previews.get(post.id)));
      },
    },
  },
};
