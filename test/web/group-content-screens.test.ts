import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, personContext, screenshot, testPicture } from './browser.js';

// The group page's Files, Docs, Photos and Videos tabs in Debian's chromium: a 10 MiB file uploads with
// a progress bar and downloads byte for byte, an image previews, a doc is written in the rich-text
// editor (and a script in it never runs), photos show, a video recorded in the page uploads and plays; a person asks to join a CLOSED group and
// its admin approves.

describe('group content in the browser (sqlite)', { timeout: 240_000 }, () => {
  let ts: TestServer;
  let browser: Browser;
  let group: string;
  let closed: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-web-files-'));
  before(async () => {
    ts = await startServer('sqlite');
    browser = await launchBrowser();
    const olga = await ts.member({ email: 'olga@example.com', name: 'Olga Owner', password: 'olga-Owner-pass-1234' });
    await ts.member({ email: 'pia@example.com', name: 'Pia Person', password: 'pia-Person-pass-1234' });
    group = (await ts.write((w) => groupCreator(w, { name: 'Design Team', privacy: 'OPEN', join_setting: 'ANYONE', adminId: olga.id }))).id;
    closed = (await ts.write((w) => groupCreator(w, { name: 'Leadership', privacy: 'CLOSED', join_setting: 'NONE', adminId: olga.id }))).id;
    const sam = await ts.member({ email: 'sam@example.com', name: 'Sam Second', password: 'sam-Second-pass-1234' });
    await ts.write(async (w) => groupMemberAdder(w, (await import('../../src/db/repositories/group.js').then((m) => m.findGroupById(w.trx, group)))!, sam.id));
  });
  after(async () => {
    await browser?.close();
    await ts?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const signIn = async (email: string, password: string) => {
    const { page, errors } = await personContext(browser, ts.base);
    await page.goto('/');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Home' }).waitFor();
    return { page, errors };
  };

  test('Files: a 10 MiB upload with progress, listed and downloaded whole; an image previews', async () => {
    const { page, errors } = await signIn('olga@example.com', 'olga-Owner-pass-1234');
    await page.goto(`/groups/${group}`);
    await page.getByRole('link', { name: 'Files' }).click();
    const big = Buffer.alloc(10 * 1024 * 1024, 7);
    const bigPath = path.join(dir, 'design-assets.zip');
    fs.writeFileSync(bigPath, big);
    await page.getByLabel('Say something about the file (optional)').fill('All the assets');
    // Record whether a progress bar appears, however briefly the upload takes on this machine.
    await page.evaluate(() => {
      const w = window as unknown as { __progress?: number[] };
      w.__progress = [];
      new MutationObserver(() => {
        const bar = document.querySelector('progress[aria-label="Upload progress"]') as HTMLProgressElement | null;
        if (bar) w.__progress!.push(bar.value);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByLabel('Upload a file').setInputFiles(bigPath);
    await page.locator('td', { hasText: 'design-assets.zip' }).first().waitFor();
    assert.ok((await page.evaluate(() => (window as unknown as { __progress: number[] }).__progress.length)) > 0, 'a progress bar showed during the upload');
    await page.getByText('All the assets').waitFor();
    const downloadPromise = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download design-assets.zip' }).click();
    const download = await downloadPromise;
    const saved = path.join(dir, 'downloaded.zip');
    await download.saveAs(saved);
    assert.ok(fs.readFileSync(saved).equals(big), 'the download is the upload');

    const picture = path.join(dir, 'mockup.png');
    fs.writeFileSync(picture, await testPicture(640, 400));
    await page.getByLabel('Upload a file').setInputFiles(picture);
    await page.getByRole('button', { name: 'Preview mockup.png' }).click();
    const dialog = page.getByRole('dialog', { name: 'mockup.png' });
    await dialog.getByRole('img', { name: 'mockup.png' }).waitFor();
    assert.ok(await dialog.getByRole('img', { name: 'mockup.png' }).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 640));
    await screenshot(page, 'member-group-file-preview');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await screenshot(page, 'member-group-files');
    await page.getByRole('link', { name: 'Feed' }).click();
    const post = page.locator('article.post').filter({ hasText: 'All the assets' });
    await post.getByRole('list', { name: 'Files' }).getByRole('link', { name: 'design-assets.zip' }).waitFor();
    assert.deepEqual(errors, []);
  });

  test('Docs: written in the rich-text editor, shown sanitized, edited into a second revision', async () => {
    const { page, errors } = await signIn('olga@example.com', 'olga-Owner-pass-1234');
    await page.goto(`/groups/${group}`);
    await page.getByRole('link', { name: 'Docs' }).click();
    await page.getByRole('button', { name: 'New doc' }).click();
    await page.getByLabel('Title').fill('Design principles');
    const editor = page.getByRole('textbox', { name: 'Doc text' });
    await editor.click();
    const editorFocused = () => page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Doc text');
    await editorFocused();
    await page.getByRole('button', { name: 'Heading' }).click();
    await page.getByRole('button', { name: 'Heading', pressed: true }).waitFor();
    await editorFocused();
    await page.keyboard.type('Clarity first');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+b');
    await page.keyboard.type('Every screen');
    await page.keyboard.press('Control+b');
    await page.keyboard.type(' answers one question. <img src=x onerror="window.__xss=1">');
    await page.getByRole('button', { name: 'Save doc' }).click();
    await page.getByRole('heading', { name: 'Design principles' }).waitFor();
    const body = page.locator('.doc-body');
    await body.getByRole('heading', { name: 'Clarity first' }).waitFor();
    assert.equal(await body.locator('strong').textContent(), 'Every screen');
    assert.match((await body.textContent()) ?? '', /<img src=x onerror/, 'typed HTML stays text');
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    await screenshot(page, 'member-group-doc');

    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('textbox', { name: 'Doc text' }).click();
    await editorFocused();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' Edited.');
    await page.getByRole('button', { name: 'Save doc' }).click();
    await page.locator('p.muted', { hasText: 'revision 2' }).waitFor();
    await page.getByText('2 revisions').waitFor();
    await page.getByRole('button', { name: '← All docs' }).click();
    await page.getByRole('button', { name: /Design principles/ }).waitFor();
    await screenshot(page, 'member-group-docs');
    assert.deepEqual(errors, []);
  });

  test('Photos: a posted photo shows in the grid and opens', async () => {
    const { page, errors } = await signIn('sam@example.com', 'sam-Second-pass-1234');
    await page.goto(`/groups/${group}`);
    const picture = path.join(dir, 'team.png');
    fs.writeFileSync(picture, await testPicture(800, 600, '#2b8a3e'));
    const box = page.getByLabel('Write something to Design Team');
    await box.fill('Team day');
    await page.locator('input[type=file]').first().setInputFiles(picture);
    await page.getByRole('img', { name: 'Attached photo' }).waitFor();
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    await page.locator('article.post').filter({ hasText: 'Team day' }).waitFor();
    await page.getByRole('link', { name: 'Photos' }).click();
    const tile = page.getByRole('button', { name: /Open photo/ }).first();
    await tile.locator('img').evaluate((img: HTMLImageElement) => (img.complete ? undefined : new Promise((resolve) => img.addEventListener('load', resolve, { once: true }))));
    await tile.click();
    await page.getByRole('dialog').getByRole('img', { name: 'Photo' }).waitFor();
    await screenshot(page, 'member-group-photo');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await screenshot(page, 'member-group-photos');
    assert.deepEqual(errors, []);
  });

  test('Videos: a WebM recorded in the browser uploads with progress and plays back', async () => {
    const { page, errors } = await signIn('olga@example.com', 'olga-Owner-pass-1234');
    await page.goto(`/groups/${group}`);
    // A real video, made here: a canvas animation recorded by the browser's MediaRecorder.
    const base64 = await page.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 180;
      const g = canvas.getContext('2d')!;
      const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm' });
      const parts: Blob[] = [];
      recorder.ondataavailable = (e) => parts.push(e.data);
      const stopped = new Promise((resolve) => (recorder.onstop = resolve));
      recorder.start(100);
      for (let frame = 0; frame < 40; frame++) {
        g.fillStyle = `hsl(${frame * 9}, 70%, 50%)`;
        g.fillRect(0, 0, 320, 180);
        g.fillStyle = '#fff';
        g.fillRect(frame * 7, 70, 40, 40);
        await new Promise((r) => setTimeout(r, 40));
      }
      recorder.stop();
      await stopped;
      const bytes = new Uint8Array(await new Blob(parts, { type: 'video/webm' }).arrayBuffer());
      let text = '';
      for (const b of bytes) text += String.fromCharCode(b);
      return btoa(text);
    });
    await page.getByRole('link', { name: 'Videos' }).click();
    await page.getByLabel('Title (optional)').fill('Launch teaser');
    await page.getByLabel('Upload a video').setInputFiles({ name: 'teaser.webm', mimeType: 'video/webm', buffer: Buffer.from(base64, 'base64') });
    const video = page.getByLabel('Launch teaser', { exact: true }).and(page.locator('video'));
    await video.waitFor();
    const played = await video.evaluate(async (v: HTMLVideoElement) => {
      v.muted = true;
      await v.play();
      await new Promise((resolve) => setTimeout(resolve, 600));
      return { time: v.currentTime, width: v.videoWidth, error: v.error?.code ?? null };
    });
    assert.equal(played.error, null);
    assert.equal(played.width, 320, 'the browser decoded the uploaded video');
    assert.ok(played.time > 0, `it played (currentTime ${played.time})`);
    await video.evaluate((v: HTMLVideoElement) => v.pause());
    await screenshot(page, 'member-group-videos');
    assert.deepEqual(errors, []);
  });

  test('Request to join a CLOSED group; the admin approves it on the group page', async () => {
    const { page: pia, errors } = await signIn('pia@example.com', 'pia-Person-pass-1234');
    await pia.goto(`/groups/${closed}`);
    await pia.getByRole('button', { name: 'Request membership of Leadership' }).click();
    await pia.getByRole('button', { name: 'Withdraw the membership request for Leadership' }).waitFor();
    await screenshot(pia, 'member-group-request');

    const { page: olga } = await signIn('olga@example.com', 'olga-Owner-pass-1234');
    await olga.goto(`/groups/${closed}`);
    await olga.getByRole('heading', { name: 'Requests to join' }).waitFor();
    await screenshot(olga, 'member-group-requests');
    await olga.getByRole('button', { name: 'Approve Pia Person' }).click();
    await olga.getByRole('heading', { name: 'Requests to join' }).waitFor({ state: 'detached' });

    await pia.reload();
    await pia.getByText('Member', { exact: true }).waitFor();
    assert.deepEqual(errors, []);
  });
});
