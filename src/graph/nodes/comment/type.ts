import { previewsOf } from '../../../db/repositories/linkPreview.js';
import { shareAttachment } from '../../../presenters/linkPreview.js';
import { type CommentRow, countComments, findCommentsByIds, listComments, listCommentsOfMany } from '../../../db/repositories/comment.js';
import { countReactions } from '../../../db/repositories/reaction.js';
import { findPostsByIds, type PostRow } from '../../../db/repositories/post.js';
import { postWireId } from '../../../domain/commands/post.js';
import { parseTags } from '../../../domain/mentions.js';
import { authorizeContent, type ContentTarget } from '../../../policies/graph.js';
import { loadMedia, mediaUrl } from '../../../presenters/media.js';
import type { NodeType, Presentation } from '../../../presenters/types.js';
import { graphTime } from '../../time.js';
import { postPermalink } from '../post/type.js';
import { loadProfiles } from '../profile/type.js';
import { reactionsEdge } from '../reactor/type.js';
import { byParent, direction } from '../shared.js';
import { emptyFields, TOLERATED_COMMENT_FIELDS } from '../tolerated.js';

/** A comment as the content rules see it: mentions in the comment or in its post count. */
export function commentTarget(post: PostRow, comment: CommentRow): ContentTarget {
  return {
    id: comment.id,
    feedId: post.feed_id,
    feedType: post.feed_type,
    authorId: comment.author_id,
    mentionedIds: [...parseTags(comment.message_tags), ...parseTags(post.message_tags)].map((t) => t.id),
  };
}

async function postsOf(p: Presentation, comments: CommentRow[]): Promise<Map<string, PostRow>> {
  return new Map((await findPostsByIds(p.ctx.db, comments.map((c) => c.post_id))).map((x) => [x.id, x]));
}

// Comments are only ever listed under a post the actor could read; a reply edge re-checks it.
const readThread = async (p: Presentation, comment: CommentRow) => {
  const post = (await postsOf(p, [comment])).get(comment.post_id);
  if (post) authorizeContent(p.actor, 'read', commentTarget(post, comment));
};

export const commentType: NodeType<CommentRow> = {
  name: 'Comment',
  defaults: ['id', 'created_time', 'from', 'message'],
  id: (c) => c.id,
  fields: {
    ...emptyFields(TOLERATED_COMMENT_FIELDS),
    id: { kind: 'scalar', get: (c) => c.id },
    message: { kind: 'scalar', get: (c) => c.message ?? '' },
    message_tags: { kind: 'scalar', get: (c) => { const tags = parseTags(c.message_tags); return tags.length ? tags : undefined; } },
    created_time: { kind: 'scalar', get: (c) => graphTime(c.created_time) },
    updated_time: { kind: 'scalar', get: (c) => graphTime(c.updated_time) },
    can_comment: { kind: 'scalar', get: (c) => c.parent_id === null },
    can_like: { kind: 'scalar', get: () => true },
    can_hide: { kind: 'scalar', get: () => false },
    can_reply_privately: { kind: 'scalar', get: () => false },
    is_hidden: { kind: 'scalar', get: () => false },
    can_remove: {
      kind: 'batch',
      load: async (p, comments) => {
        const posts = await postsOf(p, comments);
        return comments.map((c) => {
          const post = posts.get(c.post_id);
          try {
            if (post) authorizeContent(p.actor, 'delete', commentTarget(post, c));
            return !!post;
          } catch {
            return false;
          }
        });
      },
    },
    permalink_url: {
      kind: 'batch',
      load: async (p, comments) => {
        const posts = await postsOf(p, comments);
        return comments.map((c) => { const post = posts.get(c.post_id); return post ? `${postPermalink(p, post)}?comment_id=${c.id}` : undefined; });
      },
    },
    object: {
      kind: 'batch',
      load: async (p, comments) => {
        const posts = await postsOf(p, comments);
        return comments.map((c) => { const post = posts.get(c.post_id); return post ? { id: postWireId(post) } : undefined; });
      },
    },
    comment_count: {
      kind: 'batch',
      load: async (p, comments) => {
        const counts = await countComments(p.ctx.db, comments.map((c) => c.id));
        return comments.map((c) => counts.get(c.id) ?? 0);
      },
    },
    like_count: {
      kind: 'batch',
      load: async (p, comments) => {
        const counts = await countReactions(p.ctx.db, comments.map((c) => c.id), { type: 'LIKE' });
        return comments.map((c) => counts.get(c.id) ?? 0);
      },
    },
    attachment: {
      kind: 'batch',
      load: async (p, comments) => {
        const [media, previews] = await Promise.all([
          loadMedia(p, comments.map((c) => c.media_id).filter((x): x is string => !!x)),
          previewsOf(p.ctx.db, 'comment', comments.filter((c) => !c.media_id).map((c) => c.id)),
        ]);
        return comments.map((c) => {
          const m = c.media_id ? media.get(c.media_id) : undefined;
          if (m) return { type: 'photo', media: { image: { src: mediaUrl(p, m) } }, target: { id: m.id, url: mediaUrl(p, m) }, url: mediaUrl(p, m) };
          const preview = previews.get(c.id)?.find((x) => x.state === 'ready' && x.requester_id === c.author_id);
          return preview ? shareAttachment(p, preview) : undefined;
        });
      },
    },
    from: {
      kind: 'ref',
      target: 'profile',
      key: (c) => c.author_id,
      load: loadProfiles,
    },
    parent: {
      kind: 'ref',
      target: 'comment',
      key: (c) => c.parent_id,
      load: async (p, ids) => new Map((await findCommentsByIds(p.ctx.db, ids)).map((c) => [c.id, c])),
    },
  },
  edges: {
    comments: {
      target: 'comment',
      defaultOrder: 'chronological',
      position: (c) => ({ sort: c.created_time, id: c.id }),
      page: async (p, comment, q) => {
        await readThread(p, comment);
        return listComments(p.ctx.db, comment.id, { since: q.since, until: q.until }, { limit: q.limit, order: direction(q, 'asc'), after: q.after, before: q.before });
      },
      many: async (p, comments, q) => {
        const rows = await listCommentsOfMany(p.ctx.db, comments.map((c) => c.id), { since: q.since, until: q.until }, direction(q, 'asc'), q.limit);
        return byParent(comments.map((c) => c.id), rows, (r) => r.owner_id);
      },
      summary: async (p, comments, q) => {
        const counts = await countComments(p.ctx.db, comments.map((c) => c.id));
        return comments.map((c) => ({ order: q.order ?? 'chronological', total_count: counts.get(c.id) ?? 0, can_comment: c.parent_id === null }));
      },
    },
    likes: reactionsEdge<CommentRow>('likes', (c) => c.id, () => undefined),
    reactions: reactionsEdge<CommentRow>('reactions', (c) => c.id, () => undefined),
  },
};
