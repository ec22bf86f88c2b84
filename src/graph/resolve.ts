import type { Context } from '../context.js';
import { findAppById, findPagesByIds, type AppRow, type PageRow } from '../db/repositories/app.js';
import { type CommentRow, findCommentById } from '../db/repositories/comment.js';
import { findCommunity } from '../db/repositories/community.js';
import { findGroupById, type GroupRow } from '../db/repositories/group.js';
import { findMediaByIds, type MediaRow } from '../db/repositories/media.js';
import { findMemberByEmail, findMemberById, type MemberRow } from '../db/repositories/member.js';
import { objectTypeOf } from '../db/repositories/object.js';
import { findPostById, type PostRow } from '../db/repositories/post.js';
import type { CommunityTable } from '../db/schema.js';
import type { Actor } from '../domain/actor.js';
import { unknownObject } from '../errors.js';
import { authorize } from '../policies/graph.js';
import type { ChatMessageRow } from '../db/repositories/chat.js';
import type { ThreadState } from '../domain/commands/chat.js';
import { resolveChatSegment } from './chatNodes.js';
import { type CommunityNode, resolveCommunityObject } from './communityNodes.js';

/** A node a Graph path addresses, loaded. */
export type ResolvedNode =
  | { type: 'community'; id: string; row: CommunityTable }
  | { type: 'member'; id: string; row: MemberRow }
  | { type: 'group'; id: string; row: GroupRow }
  | { type: 'post'; id: string; row: PostRow }
  | { type: 'comment'; id: string; row: CommentRow; post: PostRow }
  | { type: 'page'; id: string; row: PageRow }
  | { type: 'app'; id: string; row: AppRow }
  | { type: 'media'; id: string; row: MediaRow }
  | { type: 'debug_token'; id: string }
  | { type: 'thread'; id: string; row: ThreadState }
  | { type: 'message'; id: string; row: ChatMessageRow; thread: ThreadState }
  | CommunityNode;

/**
 * Finds what the first path segment names: `me` (the bot page), `app`, `community`/`company`,
 * `debug_token`, a member's email, a `{feed}_{post}` id, or any numeric id. Anything else,
 * and anything the actor may not know exists, is "unknown object" (error 100).
 */
export async function resolveNode(ctx: Context, actor: Actor, segment: string, method = 'get'): Promise<ResolvedNode> {
  const key = segment.toLowerCase();
  const missing = () => unknownObject(segment, method);
  if (key === 'me') {
    if (actor.kind !== 'integration' && actor.kind !== 'app') throw missing();
    const [page] = await findPagesByIds(ctx.db, [actor.pageId]);
    if (!page) throw missing();
    return { type: 'page', id: page.id, row: page };
  }
  if (key === 'app') {
    if (actor.kind !== 'integration' && actor.kind !== 'app') throw missing();
    const app = await findAppById(ctx.db, actor.appId);
    if (!app) throw missing();
    return { type: 'app', id: app.id, row: app };
  }
  if (key === 'community' || key === 'company') {
    const community = await findCommunity(ctx.db);
    if (!community) throw missing();
    return { type: 'community', id: community.id, row: community };
  }
  if (key === 'debug_token') return { type: 'debug_token', id: 'debug_token' };
  if (segment.includes('@')) {
    authorize(actor, 'member.email');
    const member = await findMemberByEmail(ctx.db, segment);
    if (!member) throw missing();
    return { type: 'member', id: member.id, row: member };
  }
  const chat = await resolveChatSegment(ctx, key, missing);
  if (chat) return chat;
  const composite = /^(\d{1,20})_(\d{1,20})$/.exec(segment);
  if (composite) {
    const post = await findPostById(ctx.db, composite[2]);
    if (!post || post.feed_id !== composite[1]) throw missing();
    return { type: 'post', id: post.id, row: post };
  }
  if (!/^\d{1,20}$/.test(segment)) throw missing();
  const type = await objectTypeOf(ctx.db, segment);
  switch (type) {
    case 'member': {
      const row = await findMemberById(ctx.db, segment);
      if (row) return { type: 'member', id: row.id, row };
      break;
    }
    case 'group': {
      const row = await findGroupById(ctx.db, segment);
      if (row) return { type: 'group', id: row.id, row };
      break;
    }
    case 'post': {
      const row = await findPostById(ctx.db, segment);
      if (row) return { type: 'post', id: row.id, row };
      break;
    }
    case 'comment': {
      const row = await findCommentById(ctx.db, segment);
      const post = row ? await findPostById(ctx.db, row.post_id) : undefined;
      if (row && post) return { type: 'comment', id: row.id, row, post };
      break;
    }
    case 'page': {
      const [row] = await findPagesByIds(ctx.db, [segment]);
      if (row) return { type: 'page', id: row.id, row };
      break;
    }
    case 'app': {
      // Apps are private to themselves: another app's id is unknown.
      if ((actor.kind === 'integration' || actor.kind === 'app') && actor.appId === segment) {
        const row = await findAppById(ctx.db, segment);
        if (row) return { type: 'app', id: row.id, row };
      }
      break;
    }
    case 'media': {
      const [row] = await findMediaByIds(ctx.db, [segment]);
      if (row) return { type: 'media', id: row.id, row };
      break;
    }
    case 'community': {
      const row = await findCommunity(ctx.db);
      if (row) return { type: 'community', id: row.id, row };
      break;
    }
    case 'skill':
    case 'export_job':
    case 'reported_content': {
      const node = await resolveCommunityObject(ctx, type, segment);
      if (node) return node;
      break;
    }
    case undefined:
      break;
  }
  throw missing();
}
