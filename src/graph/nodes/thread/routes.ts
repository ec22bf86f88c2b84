import { authorizeThreadRead } from '../../../policies/chat.js';
import type { NodeRoute } from '../../registry.js';
import type { GraphRequest } from '../../request.js';
import type { ThreadNode } from './node.js';

/** GET /t_{id}/threadname: the thread's name (empty for threads nobody named). */
async function threadName(req: GraphRequest<ThreadNode>) {
  authorizeThreadRead(req.actor, req.node.row, req.segment);
  return { name: req.node.row.thread.name ?? '' };
}

export const threadRoutes: readonly NodeRoute<ThreadNode>[] = [{ edge: 'threadname', method: 'GET', handler: threadName, summary: "Read the thread's name" }];
