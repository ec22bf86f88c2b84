import { lockKey } from '../../db/database.js';
import { deleteLinkPreviewsByIds, previewsOf } from '../../db/repositories/linkPreview.js';
import { linkPreviewRequester, sharedUrls } from '../linkPreviews.js';
import { type AlbumRow, insertAlbum, putPhotosInAlbum } from '../../db/repositories/album.js';
import { attachFilesToPost } from '../../db/repositories/groupFile.js';
import { claimGroupFiles } from './groupFile.js';
import { findMemberById } from '../../db/repositories/member.js';
import { type MediaRow, attachMediaToPost, findMediaByIds, updateMedia } from '../../db/repositories/media.js';
import { findPollsOfPosts } from '../../db/repositories/poll.js';
import { deletePostsCascade, insertPost, latestPostByAuthor, type PostRow, updatePost } from '../../db/repositories/post.js';
import { AppError, invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import { authorOf } from '../actor.js';
import { type OutboxEvent, recordChange } from '../events.js';
import { type MessageTag, resolveMentions } from '../mentions.js';
import { sha256Hex } from '../secrets.js';
import { checkPoll, type PollInput, pollInserter } from './poll.js';
import type { Write } from './shared.js';

export const FORMATTINGS = ['MARKDOWN', 'PLAINTEXT'] as const;
/** A post identical to the author's previous one in the same feed within this window is refused (error 506). */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;
const MAX_MESSAGE = 63_206;

export interface PostInput {
  feedId: string;
  feedType: 'group' | 'member';
  message?: string;
  formatting?: PostRow['formatting'];
  link?: string;
  /** Unpublished photos to attach (attached_media / attachment_id). */
  mediaIds?: readonly string[];
  /** Uploaded group files to attach (files=, ids from POST /group_file_revisions). */
  fileIds?: readonly string[];
  /** The post's type when the object it shows decides it (a video). */
  type?: 'video';
  /** Rows another object backed by this post writes (a doc), in the same transaction; what it returns joins the post's audit event. */
  backs?: (post: PostRow) => Promise<Record<string, unknown>>;
  /** Make the post an album's (POST /{group}/albums); group posts with several photos get one by themselves. */
  album?: { name: string; description?: string; location?: string };
  /** Skip the duplicate-post check (error 506): machine senders repeat messages on purpose. */
  allowDuplicate?: boolean;
  /** A poll under the message (group posts only); its question stands in for a message. */
  poll?: PollInput;
}

function checkLink(link: string | undefined): string | null {
  if (!link) return null;
  if (!/^https?:\/\/\S+$/i.test(link)) throw invalidParameter('link must be an http(s) URL');
  return link;
}

function checkMessage(message: string | undefined): string | null {
  if (message === undefined || message === '') return null;
  if (message.length > MAX_MESSAGE) throw invalidParameter(`A message has at most ${MAX_MESSAGE} characters`);
  return message;
}

/** Wire id of a post: `{feed}_{post}`. */
export function postWireId(post: Pick<PostRow, 'feed_id' | 'id'>): string {
  return `${post.feed_id}_${post.id}`;
}

/** The `group`/`posts` (or `user`/`status`) webhook value and `page`/`mention` events of a post. */
export function postEvents(post: PostRow, verb: 'add' | 'edit' | 'delete', tags: readonly MessageTag[], authorName: string | null): OutboxEvent[] {
  const value = {
    verb,
    post_id: postWireId(post),
    from: { id: post.author_id, ...(authorName ? { name: authorName } : {}) },
    message: verb === 'delete' ? undefined : post.message ?? undefined,
    message_tags: verb === 'delete' ? undefined : tags,
    type: post.type,
    created_time: Math.floor(post.created_time / 1000),
    target_type: post.feed_type,
    target_id: post.feed_id,
  };
  const events: OutboxEvent[] = [
    post.feed_type === 'group'
      ? { topic: 'group', field: 'posts', entryId: post.feed_id, orderingKey: post.feed_id, value }
      : { topic: 'user', field: 'status', entryId: post.feed_id, orderingKey: post.feed_id, value },
  ];
  if (verb === 'add') {
    for (const tag of tags) {
      if (tag.type !== 'page') continue;
      events.push({
        topic: 'page',
        field: 'mention',
        entryId: tag.id,
        orderingKey: post.feed_id,
        value: { item: 'post', verb: 'add', post_id: postWireId(post), message: post.message, message_tags: tags, from: value.from, created_time: value.created_time },
      });
    }
  }
  return events;
}

async function claimMedia(trx: Write['trx'], ownerId: string, mediaIds: readonly string[]): Promise<MediaRow[]> {
  const unique = [...new Set(mediaIds)];
  const media = await findMediaByIds(trx, unique);
  for (const id of unique) {
    const row = media.find((m) => m.id === id);
    if (!row || row.owner_id !== ownerId) throw invalidParameter(`Unknown photo ${id} in attached_media`);
  }
  return unique.map((id) => media.find((m) => m.id === id)!);
}

/** Publishes a post in a group or on a timeline, with its mentions and attached photos. */
export async function postCreator({ ctx, actor, trx }: Write, input: PostInput): Promise<PostRow> {
  const author = authorOf(actor);
  const message = checkMessage(input.message);
  const link = checkLink(input.link);
  const mediaIds = input.mediaIds ?? [];
  const poll = input.poll === undefined ? undefined : checkPoll(input.poll);
  if (poll && input.feedType !== 'group') throw invalidParameter('Polls are posted in groups');
  const fileIds = [...new Set(input.fileIds ?? [])];
  if (message === null && link === null && mediaIds.length === 0 && fileIds.length === 0 && !input.album && !input.backs && !poll) throw invalidParameter('A post needs a message or a link');
  if (fileIds.length && input.feedType !== 'group') throw invalidParameter('files can only be posted in a group');
  const { message: text, tags } = await resolveMentions(trx, message);
  const content: unknown[] = [text, link, mediaIds];
  if (fileIds.length) content.push(fileIds);
  if (poll) content.push(poll);
  const contentHash = sha256Hex(JSON.stringify(content));
  const now = ctx.clock.now();
  // Identical posts by one author to one feed go one at a time, so two cannot both pass the check.
  await lockKey(trx, `post:${input.feedId}:${author.id}:${contentHash}`);
  const previous = await latestPostByAuthor(trx, input.feedId, author.id, now - DUPLICATE_WINDOW_MS);
  if (previous && previous.content_hash === contentHash && !input.allowDuplicate) {
    throw new AppError('duplicate_post');
  }
  const media = await claimMedia(trx, author.id, mediaIds);
  const files = await claimGroupFiles(trx, author.id, fileIds);
  const row: PostRow = {
    id: newId(),
    feed_id: input.feedId,
    feed_type: input.feedType,
    author_id: author.id,
    author_type: author.type,
    message: text,
    formatting: input.formatting ?? 'PLAINTEXT',
    link,
    message_tags: JSON.stringify(tags),
    type: input.type ?? (media.length || input.album ? 'photo' : link ? 'link' : 'status'),
    status_type: input.type === 'video' ? 'added_video' : media.length || input.album ? 'added_photos' : actor.kind === 'member' ? 'mobile_status_update' : 'app_created_story',
    content_hash: contentHash,
    created_time: now,
    updated_time: now,
  };
  await insertPost(trx, row);
  const pollRow = poll ? await pollInserter(trx, row, poll) : undefined;
  if (media.length) {
    await attachMediaToPost(trx, row.id, mediaIds);
    for (const m of media) if (!m.published || m.group_id !== input.feedId) await updateMedia(trx, m.id, { published: 1, group_id: input.feedType === 'group' ? input.feedId : null });
  }
  await attachFilesToPost(trx, row.id, input.feedId, files.map((f) => f.id), now);
  await linkPreviewRequester({ ctx, actor, trx }, { objectType: 'post', objectId: row.id, texts: [row.link, row.message], groupId: row.feed_type === 'group' ? row.feed_id : null });
  const name = await authorName(trx, actor);
  let album: AlbumRow | undefined;
  if (input.feedType === 'group' && (input.album || media.length > 1)) {
    album = {
      id: newId(),
      group_id: input.feedId,
      post_id: row.id,
      owner_id: author.id,
      owner_type: author.type,
      name: input.album?.name ?? (name ? `Photos from ${name}'s post` : 'Photos'),
      description: input.album?.description || null,
      location: input.album?.location || null,
      kind: input.album ? 'normal' : 'post',
      created_time: now,
      updated_time: now,
    };
    await insertAlbum(trx, album);
    await putPhotosInAlbum(trx, album.id, mediaIds);
  }
  const backed = input.backs ? await input.backs(row) : {};
  await recordChange(trx, ctx, actor, {
    action: 'post.created',
    target: { type: 'post', id: postWireId(row) },
    new: {
      message: row.message,
      link: row.link,
      formatting: row.formatting,
      media: mediaIds,
      ...(fileIds.length ? { files: fileIds } : {}),
      ...(album ? { album: { id: album.id, name: album.name } } : {}),
      ...(poll ? { poll: { id: pollRow!.id, question: poll.question, options: poll.options, multiple_choice: poll.multiple } } : {}),
      ...backed,
    },
    events: postEvents(row, 'add', tags, name),
  });
  return row;
}

/** The display name of whoever writes, for webhook payloads. */
export async function authorName(trx: Write['trx'], actor: Write['actor']): Promise<string | null> {
  if (actor.kind === 'integration' || actor.kind === 'app') return actor.name;
  if (actor.kind === 'member') return (await findMemberById(trx, actor.memberId))?.name ?? null;
  return null;
}

/** Edits a post's message or link; only its author may. */
export async function postUpdater({ ctx, actor, trx }: Write, post: PostRow, input: { message?: string; link?: string; formatting?: PostRow['formatting'] }): Promise<boolean> {
  if (authorOf(actor).id !== post.author_id) throw new AppError('action_not_allowed', '(#10) Only the author of a post can edit it');
  const changes: Partial<PostRow> = {};
  let tags: MessageTag[] = JSON.parse(post.message_tags);
  if (input.message !== undefined) {
    const resolved = await resolveMentions(trx, checkMessage(input.message));
    if (resolved.message !== post.message) {
      changes.message = resolved.message;
      changes.message_tags = JSON.stringify(resolved.tags);
      tags = resolved.tags;
    }
  }
  if (input.link !== undefined && checkLink(input.link) !== post.link) changes.link = checkLink(input.link);
  if (input.formatting !== undefined && input.formatting !== post.formatting) changes.formatting = input.formatting;
  if (Object.keys(changes).length === 0) return false;
  const merged = { ...post, ...changes };
  if (merged.message === null && merged.link === null && (await findPollsOfPosts(trx, [post.id])).length === 0) throw invalidParameter('A post needs a message or a link');
  changes.updated_time = ctx.clock.now();
  changes.content_hash = sha256Hex(JSON.stringify([merged.message, merged.link, []]));
  await updatePost(trx, post.id, changes);
  if (changes.message !== undefined || changes.link !== undefined) {
    // Previews follow the text: URLs that stayed keep theirs, new ones are asked for.
    const existing = (await previewsOf(trx, 'post', [post.id])).get(post.id) ?? [];
    const urls = sharedUrls([merged.link, merged.message]);
    await deleteLinkPreviewsByIds(trx, existing.filter((x) => !urls.includes(x.url)).map((x) => x.id));
    await linkPreviewRequester(
      { ctx, actor, trx },
      { objectType: 'post', objectId: post.id, texts: [merged.link, merged.message], groupId: post.feed_type === 'group' ? post.feed_id : null, skip: existing.map((x) => x.url) },
    );
  }
  await recordChange(trx, ctx, actor, {
    action: 'post.updated',
    target: { type: 'post', id: postWireId(post) },
    old: { message: post.message, link: post.link, formatting: post.formatting },
    new: { message: merged.message, link: merged.link, formatting: merged.formatting },
    events: postEvents({ ...merged, updated_time: changes.updated_time }, 'edit', tags, await authorName(trx, actor)),
  });
  return true;
}

/** Deletes a post with its comments, reactions and seen records. */
export async function postDeleter({ ctx, actor, trx }: Write, post: PostRow): Promise<void> {
  await deletePostsCascade(trx, [post.id]);
  await recordChange(trx, ctx, actor, {
    action: 'post.deleted',
    target: { type: 'post', id: postWireId(post) },
    old: { message: post.message, link: post.link, author_id: post.author_id },
    events: postEvents(post, 'delete', [], null),
  });
}
