#!/usr/bin/env node
// Builds the web apps (web/ → web/dist) with Vite.
//   node scripts/build-web.mjs              always build
//   node scripts/build-web.mjs --if-missing build only when web/dist lacks a page (npm start)
//   node scripts/build-web.mjs --if-stale   build when a source under web/ is newer than the build (tests)
// Concurrent callers (parallel test files) take turns through a lock directory.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const dist = path.join(web, 'dist');
const stamp = path.join(dist, '.built');
const lock = path.join(web, '.build-lock');
const mode = process.argv[2] ?? '';

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function needed() {
  const pages = ['index.html', 'admin/index.html'].every((p) => fs.existsSync(path.join(dist, p)));
  if (mode === '--if-missing') return !pages;
  if (mode === '--if-stale') return !pages || !fs.existsSync(stamp) || newestSource(web) > fs.statSync(stamp).mtimeMs;
  return true;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** False when the process that took the lock is gone (killed mid-build). */
function holderAlive() {
  let pid;
  try {
    pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    return true; // just created: the holder has not written its pid yet
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

async function withLock(fn) {
  for (let waited = 0; ; waited += 200) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (!holderAlive() || Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 5 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      if (waited > 300_000) throw new Error(`web build lock ${lock} held too long`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

if (!needed()) process.exit(0);
await withLock(async () => {
  if (mode && !needed()) return;
  let vite;
  try {
    vite = await import('vite');
  } catch {
    console.warn('web: Vite is not installed (npm ci without dev dependencies?); the web apps are not built.');
    return;
  }
  const started = Date.now();
  await vite.build({ configFile: path.join(web, 'vite.config.ts'), logLevel: 'warn' });
  fs.writeFileSync(stamp, new Date().toISOString() + '\n');
  console.error(`web: built web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
