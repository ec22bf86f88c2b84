import { type PostContentView, postContentOf } from './groupContent.js';
import { mediaPath } from './media.js';
import { resizedPicturePath } from '../http/resizedPictures.js';
import type { Context } from '../context.js';
import { findPagesByIds } from '../db/repositories/app.js';
import { type CommentRow, listCommentsOfMany } from '../db/repositories/comment.js';
import { reactionCounts } from '../db/repositories/directory.js';
import { findMediaByIds, type MediaRow, mediaOfPosts } from '../db/repositories/media.js';
import { findMembersByIds, type MemberRow } from '../db/repositories/member.js';
import { countVoters, countVotes, findPollsOfPosts, optionsOfPolls, votesOf } from '../db/repositories/poll.js';
import type { PostRow } from '../db/repositories/post.js';
import { reactionsOfActor } from '../db/repositories/reaction.js';
import { postWireId } from '../domain/commands/post.js';
import { parseTags } from '../domain/mentions.js';
import { viewerPreviews } from '../domain/linkPreviews.js';
import { type PreviewCard, previewCards } from './linkPreview.js';

// What the member app's JSON API answers: profiles (people and bot pages) with picture URLs,
// posts with their photos, polls, comments, replies and reactions. Never an email the viewer should
// not see, never a secret.

export interface ProfileRef {
  id: string;
  name: string;
  type: 'user' | 'page';
  picture_url: string | null;
  title?: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The URL of a stored photo (signed, same origin) or of a photo attached by URL. */
export function photoUrl(ctx: Context, media: Pick<MediaRow, 'id' | 'source_url' | 'file_name'>): string | null {
  return mediaPath(ctx.mediaLinks, media);
}

/** Sides of the member app's avatars: lists and cards (up to 64 px at 2×), and the profile header (88 px at 2×). */
export const AVATAR_SIDE = 128;
export const PROFILE_PICTURE_SIDE = 200;

/** A profile picture as an avatar: its resized square copy when stored here, else its own link. */
export function avatarUrl(ctx: Context, media: Pick<MediaRow, 'id' | 'source_url' | 'file_name' | 'mime_type'>, side = AVATAR_SIDE): string | null {
  if (media.file_name && media.mime_type?.startsWith('image/')) return resizedPicturePath(ctx, { id: media.id, file_name: media.file_name }, side);
  return photoUrl(ctx, media);
}

async function pictures(ctx: Context, ids: (string | null)[]): Promise<Map<string, MediaRow>> {
  const wanted = ids.filter((id): id is string => !!id);
  return new Map((await findMediaByIds(ctx.db, wanted)).map((m) => [m.id, m]));
}

export async function memberRefs(ctx: Context, members: MemberRow[]): Promise<ProfileRef[]> {
  const media = await pictures(ctx, members.map((m) => m.picture_media_id));
  return members.map((m) => ({ id: m.id, name: m.name, type: 'user', title: m.title, picture_url: m.picture_media_id && media.has(m.picture_media_id) ? avatarUrl(ctx, media.get(m.picture_media_id)!) : null }));
}

/** A member's (or page's) picture at one side, or null with none. */
export async function pictureUrlOf(ctx: Context, owner: { picture_media_id: string | null }, side: number): Promise<string | null> {
  const media = (await pictures(ctx, [owner.picture_media_id])).get(owner.picture_media_id ?? '');
  return media ? avatarUrl(ctx, media, side) : null;
}

/** Profiles (members or bot pages) by id. */
export async function loadProfileRefs(ctx: Context, ids: readonly string[]): Promise<Map<string, ProfileRef>> {
  const unique = [...new Set(ids)];
  const [members, pages] = await Promise.all([findMembersByIds(ctx.db, unique), findPagesByIds(ctx.db, unique)]);
  const media = await pictures(ctx, [...members.map((m) => m.picture_media_id), ...pages.map((p) => p.picture_media_id)]);
  const url = (id: string | null) => (id && media.has(id) ? avatarUrl(ctx, media.get(id)!) : null);
  const out = new Map<string, ProfileRef>();
  for (const m of members) out.set(m.id, { id: m.id, name: m.name, type: 'user', title: m.title, picture_url: url(m.picture_media_id) });
  for (const p of pages) out.set(p.id, { id: p.id, name: p.name, type: 'page', picture_url: url(p.picture_media_id) });
  return out;
}

const unknownProfile = (id: string): ProfileRef => ({ id, name: 'Unknown', type: 'user', picture_url: null });

export interface Reactions {
  total: number;
  by_type: Record<string, number>;
  mine: string | null;
}

export interface CommentView {
  id: string;
  parent_id: string | null;
  from: ProfileRef;
  message: string | null;
  message_tags: ReturnType<typeof parseTags>;
  photo_url: string | null;
  created_time: string;
  reactions: Reactions;
  /** Link previews integrations gave for URLs in the comment. */
  previews: PreviewCard[];
}

export interface PostView {
  id: string;
  group_id: string | null;
  from: ProfileRef;
  message: string | null;
  formatting: 'MARKDOWN' | 'PLAINTEXT';
  message_tags: ReturnType<typeof parseTags>;
  link: string | null;
  photos: { id: string; url: string | null; caption: string | null }[];
  /** Link previews integrations gave the viewer for the post's link and URLs in its text. */
  previews: PreviewCard[];
  /** True while a preview for the viewer (on the post or one of its comments) is still being asked for. */
  previews_pending: boolean;
  files: PostContentView['files'];
  video: PostContentView['video'];
  created_time: string;
  updated_time: string;
  reactions: Reactions;
  comment_count: number;
  comments: CommentView[];
  poll: PollView | null;
}

export interface PollView {
  id: string;
  question: string;
  multiple_choice: boolean;
  /** Distinct people who answered. */
  voter_count: number;
  options: { id: string; name: string; vote_count: number; /** Share of the voters who picked it, 0–100. */ percent: number; mine: boolean }[];
}

/** The polls of posts as the viewer sees them: counts, shares and the viewer's own answer. */
async function pollsOf(ctx: Context, viewerId: string, postIds: string[]): Promise<Map<string, PollView>> {
  const polls = await findPollsOfPosts(ctx.db, postIds);
  const pollIds = polls.map((x) => x.id);
  const options = await optionsOfPolls(ctx.db, pollIds);
  const [votes, voters, mine] = await Promise.all([countVotes(ctx.db, options.map((o) => o.id)), countVoters(ctx.db, pollIds), votesOf(ctx.db, pollIds, viewerId)]);
  return new Map(
    polls.map((poll) => {
      const voterCount = voters.get(poll.id) ?? 0;
      const own = mine.get(poll.id) ?? [];
      const view: PollView = {
        id: poll.id,
        question: poll.question,
        multiple_choice: poll.allow_multiple === 1,
        voter_count: voterCount,
        options: options
          .filter((o) => o.poll_id === poll.id)
          .map((o) => {
            const n = votes.get(o.id) ?? 0;
            return { id: o.id, name: o.name, vote_count: n, percent: voterCount ? Math.round((n * 100) / voterCount) : 0, mine: own.includes(o.id) };
          }),
      };
      return [poll.post_id, view];
    }),
  );
}

const COMMENTS_PER_POST = 50;

/** Posts as the member app shows them, with up to 50 comments each and their replies. */
export async function presentPosts(ctx: Context, viewerId: string, posts: PostRow[]): Promise<PostView[]> {
  const postIds = posts.map((p) => p.id);
  const top = await listCommentsOfMany(ctx.db, postIds, {}, 'asc', COMMENTS_PER_POST);
  const replies = await listCommentsOfMany(
    ctx.db,
    top.map((c) => c.id),
    {},
    'asc',
    COMMENTS_PER_POST,
  );
  const comments: CommentRow[] = [...top, ...replies];
  const objectIds = [...postIds, ...comments.map((c) => c.id)];
  const [photos, counts, mine, profiles, commentMedia, polls, postPreviews, commentPreviews, content] = await Promise.all([
    mediaOfPosts(ctx.db, postIds),
    reactionCounts(ctx.db, objectIds),
    reactionsOfActor(ctx.db, objectIds, viewerId),
    loadProfileRefs(ctx, [...posts.map((p) => p.author_id), ...comments.map((c) => c.author_id)]),
    findMediaByIds(ctx.db, comments.map((c) => c.media_id).filter((id): id is string => !!id)),
    pollsOf(ctx, viewerId, postIds),
    viewerPreviews(ctx.db, ctx.clock.now(), 'post', posts.map((p) => ({ id: p.id, authorId: p.author_id })), viewerId),
    viewerPreviews(ctx.db, ctx.clock.now(), 'comment', comments.map((c) => ({ id: c.id, authorId: c.author_id })), viewerId),
    postContentOf(ctx, postIds),
  ]);
  const reactions = (id: string): Reactions => {
    const byType = counts.get(id) ?? {};
    return { total: Object.values(byType).reduce((a, b) => a + b, 0), by_type: byType, mine: mine.get(id) ?? null };
  };
  const commentView = (c: CommentRow): CommentView => {
    const media = c.media_id ? commentMedia.find((m) => m.id === c.media_id) : undefined;
    return {
      id: c.id,
      parent_id: c.parent_id,
      from: profiles.get(c.author_id) ?? unknownProfile(c.author_id),
      message: c.message,
      message_tags: parseTags(c.message_tags),
      photo_url: media ? photoUrl(ctx, media) : null,
      created_time: iso(c.created_time),
      reactions: reactions(c.id),
      previews: previewCards(ctx.mediaLinks, commentPreviews.rows.get(c.id)),
    };
  };
  return posts.map((p) => {
    const own = top.filter((c) => c.post_id === p.id).slice(0, COMMENTS_PER_POST);
    const threaded = own.flatMap((c) => [c, ...replies.filter((r) => r.owner_id === c.id).slice(0, COMMENTS_PER_POST)]);
    return {
      id: postWireId(p),
      group_id: p.feed_type === 'group' ? p.feed_id : null,
      from: profiles.get(p.author_id) ?? unknownProfile(p.author_id),
      message: p.message,
      formatting: p.formatting,
      message_tags: parseTags(p.message_tags),
      link: p.link,
      photos: (photos.get(p.id) ?? []).map((m) => ({ id: m.id, url: photoUrl(ctx, m), caption: m.caption })),
      previews: previewCards(ctx.mediaLinks, postPreviews.rows.get(p.id)),
      previews_pending: postPreviews.pending.has(p.id) || threaded.some((c) => commentPreviews.pending.has(c.id)),
      files: content.get(p.id)?.files ?? [],
      video: content.get(p.id)?.video ?? null,
      created_time: iso(p.created_time),
      updated_time: iso(p.updated_time),
      reactions: reactions(p.id),
      comment_count: comments.filter((c) => c.post_id === p.id).length,
      comments: threaded.map(commentView),
      poll: polls.get(p.id) ?? null,
    };
  });
}
