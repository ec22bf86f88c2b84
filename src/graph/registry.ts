import type { Context } from '../context.js';
import type { Actor } from '../domain/actor.js';
import type { ReadBinding } from '../policies/read.js';
import type { NodeType } from '../presenters/types.js';
import type { GraphMethod, GraphRequest, GraphRoute } from './request.js';

/** A node a Graph path addresses, loaded: its registry name, its stored id and its row. */
export interface AddressedNode<Key extends string = string, Row = unknown> {
  type: Key;
  id: string;
  row: Row;
}

/** Documentation of one parameter a write (or an edge list) takes. */
export interface ParamDoc {
  name: string;
  description: string;
  /** JSON Schema type of the value as sent (`string` unless given). */
  type?: 'string' | 'integer' | 'boolean' | 'object' | 'array';
  required?: true;
}

/** A write (or a special read) on a node: `POST /{id}`, `DELETE /{id}/likes`, `POST /{group}/members/{uid}`… */
export interface NodeRoute<Node> {
  /** null for the node itself. */
  edge: string | null;
  method: GraphMethod;
  handler: (req: GraphRequest<Node>) => Promise<unknown>;
  /** The route takes a third path segment (`/{group}/admins/{uid}`). */
  subId?: true;
  /** One line for docs and the OpenAPI document. */
  summary: string;
  params?: readonly ParamDoc[];
}

/**
 * One Graph node type: how its ids are recognised and loaded, who may read it, how it is
 * presented (fields and edges) and what can be written to it.
 */
export interface NodeDefinition<Node extends AddressedNode = AddressedNode, Row = any> {
  /** Registry name: what the object index records, what routes and edges name. */
  key: Node['type'];
  /** Fields and edges; absent for an address with no fields of its own (`debug_token`). */
  type?: NodeType<Row>;
  /** The row that presents the node, when it is not `node.row`. */
  present?: (node: Node) => Row;
  /**
   * Ids in the node type's own form (`me`, `t_123`, an email, `{feed}_{post}`): the node; null
   * when the segment is in that form but names nothing the actor may know; undefined when the
   * segment is not in that form.
   */
  recognize?: (ctx: Context, actor: Actor, segment: string) => Promise<Node | null | undefined>;
  /** Loads nodes by stored id once the object index has named their type, all in one go. */
  load?: (ctx: Context, actor: Actor, ids: readonly string[]) => Promise<Map<string, Node>>;
  read: ReadBinding<Node>;
  /** Its edges carry rules of their own: listing one does not need the node's read rule first. */
  edgesOwnRules?: true;
  routes: readonly NodeRoute<Node>[];
}

/** A type that only appears nested (`from{…}`, reactors, attachments): fields, no address. */
export interface EmbeddedDefinition<Row = any> {
  key: string;
  type: NodeType<Row>;
}

/** The lookups derived from the index: types by name, nodes by name, the route table. */
export class Registry {
  private readonly types = new Map<string, NodeType<any>>();
  private readonly nodeMap = new Map<string, NodeDefinition<any>>();
  private readonly routeMap = new Map<string, GraphRoute>();
  readonly routes: readonly GraphRoute[];

  constructor(
    readonly nodes: readonly NodeDefinition<any>[],
    readonly embedded: readonly EmbeddedDefinition[],
    routeFiles: readonly (readonly GraphRoute[])[],
  ) {
    for (const def of [...nodes, ...embedded]) {
      if (this.types.has(def.key) || this.nodeMap.has(def.key)) throw new Error(`graph registry: ${def.key} is defined twice`);
      if (def.type) this.types.set(def.key, def.type);
    }
    for (const node of nodes) this.nodeMap.set(node.key, node);
    const routes: GraphRoute[] = [
      ...nodes.flatMap((node) => node.routes.map((r): GraphRoute => ({ ...r, node: node.key, handler: r.handler as GraphRoute['handler'] }))),
      ...routeFiles.flat(),
    ];
    for (const route of routes) {
      if (!this.nodeMap.has(route.node)) throw new Error(`graph registry: a route names the unknown node type ${route.node}`);
      const key = routeKey(route.node, route.edge, route.method);
      if (this.routeMap.has(key)) throw new Error(`graph registry: two routes for ${route.method} ${route.node}/${route.edge ?? ''}`);
      this.routeMap.set(key, route);
    }
    this.routes = routes;
    for (const [key, type] of this.types) {
      for (const [name, edge] of Object.entries(type.edges)) this.check(edge.target, `${key}.${name}`);
      for (const [name, field] of Object.entries(type.fields)) if (field.kind === 'ref') this.check(field.target, `${key}.${name}`);
    }
  }

  private check(target: string, where: string) {
    if (!this.types.has(target)) throw new Error(`graph registry: ${where} names the unknown type ${target}`);
  }

  /** The fields and edges of a type by registry name. */
  type(key: string): NodeType<any> {
    const type = this.types.get(key);
    if (!type) throw new Error(`graph registry: no type ${key}`);
    return type;
  }

  /** Every type with its registry name, addressable ones first. */
  allTypes(): [string, NodeType<any>][] {
    return [...this.types];
  }

  node(key: string): NodeDefinition<any> | undefined {
    return this.nodeMap.get(key);
  }

  /** The explicit route for a node, edge and method (no generic reads). */
  route(node: string, edge: string | null, method: GraphMethod): GraphRoute | undefined {
    return this.routeMap.get(routeKey(node, edge, method));
  }
}

function routeKey(node: string, edge: string | null, method: string) {
  return `${method} ${node}/${edge ?? ''}`;
}
