import type { Actor } from '../domain/actor.js';
import { unknownObject } from '../errors.js';
import { authorizeThreadMessages, authorizeThreadRead, type ThreadView } from './chat.js';
import { authorize, authorizeContent, type ContentTarget, groupInScope } from './graph.js';

/** A photo as the read rule sees it. */
export interface PhotoTarget {
  id: string;
  ownerId: string;
  published: boolean;
  groupId: string | null;
}

// The rules for reading a Graph node itself (not yet its edges), by name. A node definition
// names one and says how its node becomes the rule's target.
export const readRules = {
  /** Anyone who holds a valid token (bot pages, the app itself). */
  open: (_actor: Actor, _target: { id: string }, _method: string) => undefined,
  community: (actor: Actor, _target: { id: string }, _method: string) => authorize(actor, 'community.read'),
  group: (actor: Actor, target: { id: string; groupId: string }, method: string) => authorize(actor, 'group.read', { groupId: target.groupId, id: target.id, method }),
  content: (actor: Actor, target: ContentTarget, method: string) => authorizeContent(actor, 'read', target, method),
  member: (actor: Actor, _target: { id: string }, _method: string) => authorize(actor, 'member.read'),
  /** The integration's own uploads; otherwise published photos of a group in scope. */
  photo: (actor: Actor, target: PhotoTarget, method: string) => {
    if ((actor.kind === 'integration' || actor.kind === 'app') && target.ownerId === actor.pageId) return;
    if (!target.published || !target.groupId) throw unknownObject(target.id, method);
    authorize(actor, 'group.feed.read', { groupId: target.groupId, id: target.id, method });
  },
  thread: (actor: Actor, target: { id: string; view: ThreadView }, method: string) => authorizeThreadRead(actor, target.view, target.id, method),
  message: (actor: Actor, target: { id: string; view: ThreadView }, _method: string) => authorizeThreadMessages(actor, target.view, target.id),
  skill: (actor: Actor, _target: { id: string }, _method: string) => authorize(actor, 'member.skills.read'),
  knowledge: (actor: Actor, _target: { id: string }, _method: string) => authorize(actor, 'knowledge.read'),
  export_job: (actor: Actor, _target: { id: string }, _method: string) => authorize(actor, 'export.employee_data'),
  /** A group's event: like its posts; a draft only for its owner. */
  event: (actor: Actor, target: { id: string; groupId: string; draft: boolean; ownerId: string }, method: string) => {
    if (target.draft && !((actor.kind === 'integration' || actor.kind === 'app') && actor.pageId === target.ownerId)) throw unknownObject(target.id, method);
    authorize(actor, 'group.feed.read', { groupId: target.groupId, id: target.id, method });
  },
  /** A report of a group outside the integration's scope is an unknown object, like the group. */
  reported_content: (actor: Actor, target: { id: string; groupId: string }, method: string) => {
    if (!groupInScope(actor, target.groupId)) throw unknownObject(target.id, method);
    authorize(actor, 'reported_content.read');
  },
} as const;

export type ReadRule = keyof typeof readRules;

/** A node type's read rule: the rule's name and how a loaded node becomes its target. */
export type ReadBinding<Node> = {
  [R in ReadRule]: { rule: R; target: (node: Node, segment: string) => Parameters<(typeof readRules)[R]>[1] };
}[ReadRule];

/** Throws unless the actor may read the node (a missing and a forbidden node answer alike). */
export function authorizeNodeRead<Node>(actor: Actor, binding: ReadBinding<Node>, node: Node, segment: string, method = 'get'): void {
  const rule = readRules[binding.rule] as (actor: Actor, target: unknown, method: string) => void;
  rule(actor, binding.target(node, segment), method);
}
