// Rewrites the node type tables of docs/graph-api.md from the registry:
//   node --import tsx scripts/graph-docs.ts
import fs from 'node:fs';
import { DOCS_BEGIN, DOCS_END, graphDocsTables } from '../src/graph/docs.js';
import { registry } from '../src/graph/nodes/index.js';

const file = 'docs/graph-api.md';
const text = fs.readFileSync(file, 'utf8');
const start = text.indexOf(DOCS_BEGIN);
const end = text.indexOf(DOCS_END);
if (start < 0 || end < 0) throw new Error(`${file} has no generated node type section`);
fs.writeFileSync(file, text.slice(0, start) + graphDocsTables(registry) + text.slice(end + DOCS_END.length));
