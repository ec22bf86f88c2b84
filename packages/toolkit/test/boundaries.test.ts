import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

// The toolkit is a real integration: it reaches the server only through @commonplace/sdk and HTTP.

const ROOT = path.resolve(import.meta.dirname, '..');
const walk = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : /\.(ts|mjs|js)$/.test(e.name) ? [path.join(dir, e.name)] : []));

test('the toolkit imports nothing from the server, only the SDK and its declared dependencies', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const allowed = new Set(Object.keys(pkg.dependencies));
  const files = [...walk(path.join(ROOT, 'src')), ...walk(path.join(ROOT, 'bin'))];
  assert.ok(files.length > 5);
  const problems: string[] = [];
  for (const file of files) {
    const source = fs.readFileSync(file, 'utf8');
    for (const m of source.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      const where = path.relative(ROOT, file);
      if (spec.startsWith('node:')) continue;
      if (spec.startsWith('.')) {
        const resolved = path.resolve(path.dirname(file), spec);
        if (!resolved.startsWith(ROOT + path.sep)) problems.push(`${where} imports ${spec}, outside the toolkit`);
        continue;
      }
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      if (!allowed.has(name)) problems.push(`${where} imports ${spec}, not a dependency in package.json`);
    }
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(Object.keys(pkg.dependencies).filter((d) => d.startsWith('@commonplace/')), ['@commonplace/sdk']);
});
