#!/usr/bin/env node
// Runs every test file through node:test with tsx. Files are listed explicitly: on Node 20,
// `node --test dir/` runs nothing and exits 0.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const roots = ['test', 'src', 'packages/sdk/test', 'packages/toolkit/test'];
const only = process.argv.slice(2);
function walk(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return walk(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}
let files = roots.flatMap(walk).sort();
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// Browser tests drive Debian's chromium (test/web/browser.ts). When it is missing, install it as
// .ci/run does (as root with apt-get); failing that, skip those files with one clear line, and
// never report them as passed. CI (CI=true) always runs them: there a missing chromium fails.
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const needsBrowser = (file) => fs.readFileSync(file, 'utf8').includes('launchBrowser(');
let skippedLine;
if (files.some(needsBrowser) && !fs.existsSync(CHROMIUM)) {
  const canInstall = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0 && process.env.COMMONPLACE_TEST_NO_INSTALL !== '1';
  if (canInstall) {
    console.error(`${CHROMIUM} is missing: installing Debian's chromium for the browser tests (apt-get install chromium)…`);
    spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], { stdio: 'inherit' });
  }
  if (!fs.existsSync(CHROMIUM) && process.env.CI !== 'true') {
    const browserFiles = files.filter(needsBrowser);
    files = files.filter((f) => !browserFiles.includes(f));
    skippedLine = `SKIPPED ${browserFiles.length} browser test files (not run, not passed): ${CHROMIUM} is missing — install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`;
    console.error(skippedLine);
  }
}
if (files.length === 0) {
  console.error('no test files left to run');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY || '4';
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
});
if (skippedLine) console.error(skippedLine);
process.exit(result.status ?? 1);
