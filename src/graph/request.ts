import type { Context } from '../context.js';
import type { Write } from '../domain/commands/shared.js';
import type { AppActor, IntegrationActor } from '../domain/actor.js';
import type { Presentation } from '../presenters/types.js';
import type { FieldNode } from './fields.js';
import type { Params } from './params.js';
import type { NodeKey, ResolvedNode } from './nodes/index.js';
import type { ParamDoc } from './registry.js';

export type GraphMethod = 'GET' | 'POST' | 'DELETE';

/** One Graph call after routing: who, what node, which edge, with which parameters. */
export interface GraphRequest<Node = ResolvedNode> {
  ctx: Context;
  actor: IntegrationActor | AppActor;
  method: GraphMethod;
  params: Params;
  node: Node;
  /** The segment the caller used for the node (an id, an email, `me`…). */
  segment: string;
  edge: string | undefined;
  /** A third path segment, as in `/{group}/admins/{uid}`. */
  subId: string | undefined;
  /** Trusted base for links that leave the server (claim links), or null (http/links.ts). */
  linkBase: string | null;
  /** The normalized path, for paging links. */
  path: string;
  presentation: Presentation;
  /** The parsed `fields` parameter, or undefined for the defaults. */
  fields: FieldNode[] | undefined;
  /** Runs a write in one transaction (rows + audit event + outbox). */
  write<T>(fn: (w: Write) => Promise<T>): Promise<T>;
}

export type GraphHandler = (req: GraphRequest) => Promise<unknown>;

/**
 * A route: node type, optional edge, method. Node types list theirs in their definition; route
 * files that span node types (Work Chat, webhooks) are listed in the registry's index.
 */
export interface GraphRoute {
  node: NodeKey;
  edge: string | null;
  method: GraphMethod;
  handler: GraphHandler;
  /** The route takes a third path segment (`/{group}/admins/{uid}`). */
  subId?: true;
  /** One line for docs and the OpenAPI document. */
  summary?: string;
  params?: readonly ParamDoc[];
}

export const success = { success: true } as const;

/** A handler result that is not a JSON 200 (a redirect). */
export class RawReply {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: unknown,
  ) {}
}
