import { KEYWORD_PATHS } from './openapi.js';
import type { Registry } from './registry.js';

export const DOCS_BEGIN = '<!-- node types: generated from src/graph/nodes (node --import tsx scripts/graph-docs.ts) -->';
export const DOCS_END = '<!-- end of node types -->';

const code = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(', ');

/** The node type tables of docs/graph-api.md, from the registry (a test keeps the two in step). */
export function graphDocsTables(registry: Registry): string {
  const lines = ['| type | Graph type | default fields | other fields | edges |', '|---|---|---|---|---|'];
  for (const [key, type] of registry.allTypes()) {
    const others = Object.keys(type.fields).filter((f) => !type.defaults.includes(f));
    const edges = Object.entries(type.edges).map(([name, edge]) => `\`${name}\` → ${edge.target}`);
    lines.push(`| ${key} | ${type.name} | ${code(type.defaults)} | ${code(others)} | ${edges.join(', ')} |`);
  }
  lines.push('', '| call | what |', '|---|---|');
  for (const route of registry.routes) {
    const node = Object.hasOwn(KEYWORD_PATHS, route.node) ? KEYWORD_PATHS[route.node] : `/{${route.node}}`;
    const path = `${node}${route.edge ? `/${route.edge}` : ''}${route.subId ? '[/{id}]' : ''}`;
    const params = route.params?.length ? ` (${code(route.params.map((p) => p.name))})` : '';
    lines.push(`| \`${route.method} ${path}\` | ${(route.summary ?? '').replace(/\|/g, '\\|')}${params} |`);
  }
  return `${DOCS_BEGIN}\n${lines.join('\n')}\n${DOCS_END}`;
}
