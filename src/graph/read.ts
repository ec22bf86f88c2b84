import { invalidParameter, unknownObject } from '../errors.js';
import { authorize, authorizeContent } from '../policies/graph.js';
import { appType, pageType, publicApp } from '../presenters/app.js';
import { commentTarget, commentType } from '../presenters/comment.js';
import { communityType } from '../presenters/community.js';
import { groupType } from '../presenters/group.js';
import { photoType } from '../presenters/media.js';
import { memberType } from '../presenters/member.js';
import { postTarget, postType } from '../presenters/post.js';
import type { EdgePage, EdgeQuery, NodeType, Presentation } from '../presenters/types.js';
import type { Actor } from '../domain/actor.js';
import { authorizeThreadMessages, authorizeThreadRead } from '../policies/chat.js';
import { chatMessageType } from '../presenters/chatMessage.js';
import { threadType } from '../presenters/thread.js';
import { offsetLinks, offsetOf, offsetPage, pagesByTime, pagingTokenOf, resumeFromToken } from './paging.js';
import { edgeQuery, pagingBlock, renderRows } from './render.js';
import type { GraphRequest } from './request.js';
import type { ResolvedNode } from './resolve.js';

/** The node type and row that present a resolved node. */
export function presentable(node: ResolvedNode): { type: NodeType<any>; row: unknown } {
  switch (node.type) {
    case 'community':
      return { type: communityType, row: node.row };
    case 'member':
      return { type: memberType, row: node.row };
    case 'group':
      return { type: groupType, row: node.row };
    case 'post':
      return { type: postType, row: node.row };
    case 'comment':
      return { type: commentType, row: node.row };
    case 'page':
      return { type: pageType, row: node.row };
    case 'app':
      return { type: appType, row: publicApp(node.row) };
    case 'media':
      return { type: photoType, row: node.row };
    case 'thread':
      return { type: threadType, row: node.row };
    case 'message':
      return { type: chatMessageType, row: node.row };
    case 'debug_token':
      throw invalidParameter('debug_token needs input_token');
  }
}

/** Throws unless the actor may read the node itself (not yet its edges). */
export function authorizeRead(actor: Actor, node: ResolvedNode, segment: string, method = 'get'): void {
  switch (node.type) {
    case 'community':
      return authorize(actor, 'community.read');
    case 'group':
      return authorize(actor, 'group.read', { groupId: node.id, id: segment, method });
    case 'post':
      return authorizeContent(actor, 'read', { ...postTarget(node.row), id: segment }, method);
    case 'comment':
      return authorizeContent(actor, 'read', { ...commentTarget(node.post, node.row), id: segment }, method);
    case 'member':
      return authorize(actor, 'member.read');
    case 'media': {
      const own = (actor.kind === 'integration' || actor.kind === 'app') && node.row.owner_id === actor.pageId;
      if (own) return;
      if (!node.row.published || !node.row.group_id) throw unknownObject(segment, method);
      return authorize(actor, 'group.feed.read', { groupId: node.row.group_id, id: segment, method });
    }
    case 'thread':
      return authorizeThreadRead(actor, node.row, segment, method);
    case 'message':
      return authorizeThreadMessages(actor, node.thread, segment);
    case 'page':
    case 'app':
    case 'debug_token':
      return;
  }
}

/** GET /{id}: the node with the requested fields. */
export async function readNode(req: GraphRequest): Promise<Record<string, unknown>> {
  authorizeRead(req.actor, req.node, req.segment);
  const { type, row } = presentable(req.node);
  const [out] = await renderRows(req.presentation, type, [row], req.fields);
  return out;
}

const PAGING_PARAMS = ['limit', 'after', 'before', 'since', 'until', 'order', 'type', 'filter', 'summary'] as const;

/** GET /{id}/{edge}: one page of an edge with `data`, `paging` and, when asked, `summary`. */
export async function listEdge(req: GraphRequest, extra: Record<string, string> = {}): Promise<Record<string, unknown>> {
  // The community's lists have rules of their own; every other node must be readable first.
  if (req.node.type !== 'community') authorizeRead(req.actor, req.node, req.segment);
  const { type, row } = presentable(req.node);
  const edge = type.edges[req.edge!];
  if (!edge) throw invalidParameter(`Unknown path components: /${req.edge}`);
  edge.authorize?.(req.presentation, row);
  // A time-paged link carries its position and window in __paging_token; its since/until only inform.
  const token = edge.paging === 'time' ? pagingTokenOf(req.params.values) : undefined;
  const raw = Object.fromEntries(PAGING_PARAMS.map((k) => [k, token && (k === 'since' || k === 'until') ? undefined : req.params.string(k)])) as Record<(typeof PAGING_PARAMS)[number], string | undefined>;
  if (raw.after && raw.before) throw invalidParameter('Use either after or before, not both');
  let q: EdgeQuery = { ...edgeQuery(req.presentation, raw), extra };
  if (token && pagesByTime(edge, q.order)) q = resumeFromToken(q, req.params.values, token);
  const offset = token || q.after || q.before ? undefined : offsetOf(req.params.values);
  let page: EdgePage<unknown>;
  if (q.limit === 0) page = { rows: [], hasNext: false, hasPrevious: false };
  else if (offset !== undefined) page = await offsetPage((limit) => edge.page(req.presentation, row, { ...q, limit }), offset, q.limit);
  else page = await edge.page(req.presentation, row, q);
  const data = await renderRows(req.presentation, edge.target(), page.rows, req.fields);
  const out: Record<string, unknown> = { data };
  const original = stringParams(req);
  const paging = offset !== undefined ? offsetLinks(req.presentation, req.path, original, page, offset, q.limit) : pagingBlock(req.presentation, req.path, original, page, edge, q);
  if (paging && Object.keys(paging).length) out.paging = paging;
  const summary = req.params.string('summary');
  if (summary && !['false', '0'].includes(summary.toLowerCase()) && edge.summary) {
    [out.summary] = await edge.summary(req.presentation, [row], q);
  }
  return out;
}

/** The request's parameters that paging links keep (scalars only; uploads and nested values are dropped). */
export function stringParams(req: GraphRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.params.values)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
  }
  delete out.method;
  return out;
}

export type { Presentation };
