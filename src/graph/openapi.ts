import { errorCatalogue } from '../errors.js';
import type { EdgeSpec, NodeType } from '../presenters/types.js';
import type { Registry, ParamDoc } from './registry.js';
import type { GraphRoute } from './request.js';

type Json = Record<string, unknown>;

// Paths of the node types addressed by a keyword rather than an id.
export const KEYWORD_PATHS: Record<string, string> = { page: '/me', app: '/app', community: '/community', debug_token: '/debug_token' };

const ref = (key: string) => ({ $ref: `#/components/schemas/${key}` });

/** The path template of a node type: its keyword, or `/{<type>-id}`. */
function nodePath(key: string): { path: string; parameters: Json[] } {
  if (Object.hasOwn(KEYWORD_PATHS, key)) return { path: KEYWORD_PATHS[key], parameters: [] };
  const name = `${key}-id`;
  return { path: `/{${name}}`, parameters: [{ name, in: 'path', required: true, schema: { type: 'string' } }] };
}

function typeSchema(key: string, type: NodeType<any>): Json {
  const properties: Json = {};
  for (const [name, field] of Object.entries(type.fields)) {
    const permission = field.action ? ` Needs the permission behind \`${field.action}\`; left out otherwise.` : '';
    properties[name] = field.kind === 'ref' ? { ...ref(field.target), description: `Nested ${field.target}.${permission}` } : permission ? { description: permission.trim() } : {};
  }
  for (const [name, edge] of Object.entries(type.edges)) properties[name] = { ...edgeSchema(edge), description: `Edge of ${edge.target} objects` };
  return { type: 'object', title: type.name, description: `Default fields: ${type.defaults.join(', ')}`, properties, required: ['id'], 'x-graph-type': key };
}

function edgeSchema(edge: EdgeSpec<any>): Json {
  return {
    type: 'object',
    properties: { data: { type: 'array', items: ref(edge.target) }, paging: ref('Paging'), summary: { type: 'object' } },
    required: ['data'],
  };
}

const queryParam = (name: string, description: string, type = 'string'): Json => ({ name, in: 'query', required: false, description, schema: { type } });

const FIELDS = queryParam('fields', 'Field selection: `a,b{c},edge.limit(5).summary(true){d}.as(x)`');
const PAGING = [
  queryParam('limit', 'Page size (default 25)', 'integer'),
  queryParam('after', 'Cursor: the page after'),
  queryParam('before', 'Cursor: the page before'),
  queryParam('since', 'Only items at or after this time (unix seconds, ISO-8601, relative)'),
  queryParam('until', 'Only items at or before this time'),
  queryParam('order', 'chronological or reverse_chronological'),
  queryParam('summary', 'true adds a summary object (total_count…)', 'boolean'),
];

const errorResponses = {
  '400': { description: 'Graph error (bad input, unknown object, unknown path, token)', content: { 'application/json': { schema: ref('Error') } } },
  '403': { description: 'Missing permission (codes 10, 200)', content: { 'application/json': { schema: ref('Error') } } },
  '429': { description: 'Rate limited (code 4)', content: { 'application/json': { schema: ref('Error') } } },
};

function requestBody(params: readonly ParamDoc[]): Json {
  const properties: Json = {};
  for (const p of params) properties[p.name] = { type: p.type ?? 'string', description: p.description };
  const required = params.filter((p) => p.required).map((p) => p.name);
  const schema = { type: 'object', properties, ...(required.length ? { required } : {}) };
  return {
    required: false,
    content: { 'application/x-www-form-urlencoded': { schema }, 'application/json': { schema }, 'multipart/form-data': { schema } },
  };
}

function operation(id: string, summary: string, response: Json, extra: Json = {}): Json {
  return { operationId: id, summary, responses: { '200': { description: 'OK', content: { 'application/json': { schema: response } } }, ...errorResponses }, ...extra };
}

function writeOperation(key: string, route: GraphRoute): Json {
  const id = `${route.method.toLowerCase()}_${key}${route.edge ? `_${route.edge}` : ''}`;
  const params = route.params ?? [];
  const asQuery = route.method === 'GET' ? params.map((p) => queryParam(p.name, p.description, p.type ?? 'string')) : [];
  const extra: Json = asQuery.length ? { parameters: asQuery } : {};
  if (route.method !== 'GET' && params.length) extra.requestBody = requestBody(params);
  return operation(id, route.summary ?? `${route.method} ${route.edge ?? key}`, { type: 'object' }, extra);
}

/** The OpenAPI 3.1 document of the Graph surface, derived from the registry. */
export function graphOpenApi(registry: Registry, graphBase: string): Json {
  const schemas: Json = {
    Error: {
      type: 'object',
      properties: {
        error: {
          type: 'object',
          properties: {
            message: { type: 'string' },
            type: { type: 'string' },
            code: { type: 'integer', enum: [...new Set(Object.values(errorCatalogue).map((e) => e.code))] },
            error_subcode: { type: 'integer' },
            fbtrace_id: { type: 'string' },
          },
          required: ['message', 'type', 'code', 'fbtrace_id'],
        },
      },
      required: ['error'],
    },
    Paging: {
      type: 'object',
      properties: {
        cursors: { type: 'object', properties: { before: { type: 'string' }, after: { type: 'string' } } },
        next: { type: 'string', format: 'uri' },
        previous: { type: 'string', format: 'uri' },
      },
    },
  };
  for (const [key, type] of registry.allTypes()) schemas[key] = typeSchema(key, type);

  const paths: Record<string, Json> = {};
  const at = (path: string, parameters: Json[]) => (paths[path] ??= parameters.length ? { parameters } : {});
  for (const def of registry.nodes) {
    const { path, parameters } = nodePath(def.key);
    if (def.type) {
      at(path, parameters).get = operation(`get_${def.key}`, `Read a ${def.type.name}`, ref(def.key), { parameters: [FIELDS] });
      for (const [name, edge] of Object.entries(def.type.edges)) {
        const own = (edge.params ?? []).map((p) => queryParam(p, `Parameter of the ${name} edge`));
        at(`${path}/${name}`, parameters).get = operation(`list_${def.key}_${name}`, `List the ${name} of a ${def.type.name}`, edgeSchema(edge), {
          parameters: [FIELDS, ...PAGING, ...own],
        });
      }
    }
  }
  for (const route of registry.routes) {
    const { path, parameters } = nodePath(route.node);
    const edgePath = route.edge ? `${path}/${route.edge}` : path;
    const method = route.method.toLowerCase();
    at(edgePath, parameters)[method] = writeOperation(route.node, route);
    if (route.subId) {
      const sub = { name: 'sub-id', in: 'path', required: true, schema: { type: 'string' }, description: 'The member the call names' };
      at(`${edgePath}/{sub-id}`, [...parameters, sub])[method] = { ...writeOperation(route.node, route), operationId: `${method}_${route.node}_${route.edge}_sub` };
    }
  }
  paths['/'] = {
    get: operation('get_ids', 'Read several objects: ?ids=a,b&fields=…', { type: 'object', additionalProperties: true }, {
      parameters: [queryParam('ids', 'Comma-separated ids or emails (at most 50)'), FIELDS],
    }),
    post: operation('post_batch', 'Run several calls: batch=[{method, relative_url, body?}, …]', { type: 'array', items: { type: 'object' } }, {
      requestBody: requestBody([
        { name: 'batch', description: 'JSON array of calls (at most 50)', type: 'array', required: true },
        { name: 'include_headers', description: 'false leaves headers out', type: 'boolean' },
      ]),
    }),
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'Commonplace Graph API',
      version: '1.0.0',
      description:
        "Workplace-compatible Graph API. Nodes are addressed by opaque ids, so several templates (/{group-id}, /{comment-id}…) match the same URLs; each schema's x-graph-type names its node type.",
    },
    servers: [{ url: graphBase }],
    security: [{ bearer: [] }, { accessToken: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Integration token, or the app token APP_ID|APP_SECRET' },
        accessToken: { type: 'apiKey', in: 'query', name: 'access_token' },
      },
    },
  };
}
