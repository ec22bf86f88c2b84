import { linkPreviewRequester } from '../linkPreviews.js';
import { type CommentRow, deleteCommentCascade, insertComment } from '../../db/repositories/comment.js';
import { findMediaByIds } from '../../db/repositories/media.js';
import type { PostRow } from '../../db/repositories/post.js';
import { invalidParameter } from '../../errors.js';
import { newId } from '../../ids.js';
import { authorOf } from '../actor.js';
import { type OutboxEvent, recordChange } from '../events.js';
import { type MessageTag, resolveMentions } from '../mentions.js';
import { postWireId } from './post.js';
import { authorName } from './post.js';
import type { Write } from './shared.js';

const MAX_MESSAGE = 8_000;

export interface CommentInput {
  post: PostRow;
  /** The comment replied to; replies to replies attach to the top comment, as Workplace threads them. */
  parent?: CommentRow;
  message?: string;
  mediaId?: string;
}

function commentEvents(post: PostRow, comment: CommentRow, verb: 'add' | 'delete', tags: readonly MessageTag[], name: string | null): OutboxEvent[] {
  const value = {
    verb,
    post_id: postWireId(post),
    comment_id: comment.id,
    parent_id: comment.parent_id ?? postWireId(post),
    from: { id: comment.author_id, ...(name ? { name } : {}) },
    message: verb === 'delete' ? undefined : comment.message ?? undefined,
    message_tags: verb === 'delete' ? undefined : tags,
    created_time: Math.floor(comment.created_time / 1000),
    target_type: post.feed_type,
    target_id: post.feed_id,
  };
  const events: OutboxEvent[] = post.feed_type === 'group' ? [{ topic: 'group', field: 'comments', entryId: post.feed_id, orderingKey: post.feed_id, value }] : [];
  if (verb === 'add') {
    for (const tag of tags) {
      if (tag.type !== 'page') continue;
      events.push({
        topic: 'page',
        field: 'mention',
        entryId: tag.id,
        orderingKey: post.feed_id,
        value: { item: 'comment', verb: 'add', post_id: postWireId(post), comment_id: comment.id, message: comment.message, message_tags: tags, from: value.from, created_time: value.created_time },
      });
    }
  }
  return events;
}

/** Adds a comment to a post, or a reply to a comment. */
export async function commentCreator({ ctx, actor, trx }: Write, input: CommentInput): Promise<CommentRow> {
  const author = authorOf(actor);
  const raw = input.message === '' ? undefined : input.message;
  if (raw === undefined && !input.mediaId) throw invalidParameter('A comment needs a message or an attachment');
  if (raw && raw.length > MAX_MESSAGE) throw invalidParameter(`A comment has at most ${MAX_MESSAGE} characters`);
  if (input.mediaId) {
    const [media] = await findMediaByIds(trx, [input.mediaId]);
    if (!media || media.owner_id !== author.id) throw invalidParameter(`Unknown photo ${input.mediaId}`);
  }
  const { message, tags } = await resolveMentions(trx, raw ?? null);
  const parentId = input.parent ? input.parent.parent_id ?? input.parent.id : null;
  const now = ctx.clock.now();
  const row: CommentRow = {
    id: newId(),
    post_id: input.post.id,
    parent_id: parentId,
    owner_id: parentId ?? input.post.id,
    author_id: author.id,
    author_type: author.type,
    message,
    message_tags: JSON.stringify(tags),
    media_id: input.mediaId ?? null,
    created_time: now,
    updated_time: now,
  };
  await insertComment(trx, row);
  await linkPreviewRequester({ ctx, actor, trx }, { objectType: 'comment', objectId: row.id, texts: [message], groupId: input.post.feed_type === 'group' ? input.post.feed_id : null });
  await recordChange(trx, ctx, actor, {
    action: 'comment.created',
    target: { type: 'comment', id: row.id },
    new: { post_id: postWireId(input.post), parent_id: parentId, message, media_id: row.media_id },
    events: commentEvents(input.post, row, 'add', tags, await authorName(trx, actor)),
  });
  return row;
}

/** Deletes a comment with its replies and reactions. */
export async function commentDeleter({ ctx, actor, trx }: Write, post: PostRow, comment: CommentRow): Promise<void> {
  await deleteCommentCascade(trx, comment.id);
  await recordChange(trx, ctx, actor, {
    action: 'comment.deleted',
    target: { type: 'comment', id: comment.id },
    old: { post_id: postWireId(post), message: comment.message, author_id: comment.author_id },
    events: commentEvents(post, comment, 'delete', [], null),
  });
}
