import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { permissionCatalogue } from '../../src/domain/permissions.js';
import { errorCatalogue } from '../../src/errors.js';

/** The rows of the first markdown table whose header starts with `first`. */
function tableRows(file: string, first: string): string[][] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${first} |`));
  assert.ok(start >= 0, `${file} has no table starting with "${first}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|').slice(1, -1).map((c) => c.trim().replace(/^`|`$/g, '')));
  }
  return rows;
}

test('docs/errors.md lists every error kind with its status and codes', () => {
  const rows = tableRows('docs/errors.md', 'kind');
  const documented = Object.fromEntries(rows.map(([kind, status, code, subcode, type]) => [kind, { status, code, subcode, type }]));
  const actual = Object.fromEntries(
    Object.entries(errorCatalogue).map(([kind, e]) => [kind, { status: String(e.status), code: String(e.code), subcode: 'subcode' in e ? String(e.subcode) : '', type: e.type }]),
  );
  assert.deepEqual(documented, actual);
});

test('docs/permissions.md lists every permission code with what it allows', () => {
  const rows = tableRows('docs/permissions.md', 'code');
  assert.deepEqual(
    rows.map(([code, name, confirmed, allows]) => ({ code, name, confirmed: confirmed === 'yes', allows })),
    permissionCatalogue.map((p) => ({ code: p.code, name: p.name, confirmed: p.confirmed, allows: p.allows })),
  );
});
