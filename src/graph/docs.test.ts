import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { DOCS_BEGIN, DOCS_END, graphDocsTables } from './docs.js';
import { registry } from './nodes/index.js';

test('docs/graph-api.md lists every node type, field, edge and write of the registry', () => {
  const text = fs.readFileSync('docs/graph-api.md', 'utf8');
  const start = text.indexOf(DOCS_BEGIN);
  const end = text.indexOf(DOCS_END);
  assert.ok(start >= 0 && end > start, 'docs/graph-api.md has the generated node type section');
  assert.equal(text.slice(start, end + DOCS_END.length), graphDocsTables(registry), 'run: node --import tsx scripts/graph-docs.ts');
});
