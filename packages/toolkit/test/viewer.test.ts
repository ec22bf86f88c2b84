import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, personContext } from '../../../test/web/browser.ts';
import { jsonLines } from '../src/backup/files.ts';
import { writeViewer } from '../src/backup/viewer.ts';
import { tempDir } from './helpers.ts';

// The offline viewer in a real browser, opened from file:// as a user would: events with their
// answers, polls with counts and voters, search over both, and content shown as text only.

let browser: Browser;
let dir: string;
before(async () => {
  browser = await launchBrowser();
  dir = tempDir('cp-viewer-');
  const g = path.join(dir, 'groups', '42');
  fs.mkdirSync(g, { recursive: true });
  fs.writeFileSync(path.join(g, 'group.json'), JSON.stringify({ id: '42', name: 'Team <b>room</b>' }));
  fs.writeFileSync(path.join(g, 'members.jsonl'), jsonLines([{ id: '7', name: 'Ana Lind', role: 'admin' }]));
  const from = { id: '7', name: 'Ana Lind' };
  fs.writeFileSync(
    path.join(g, 'posts.jsonl'),
    jsonLines([
      { id: '42_1', fingerprint: {}, post: { id: '42_1', message: 'hello <img src=x onerror=alert(1)>', created_time: '2026-12-01T10:00:00+0000', from }, comments: [], reactions: [], seen: [], poll: null },
      {
        id: '42_2',
        fingerprint: {},
        post: { id: '42_2', story: 'Ana Lind posted in Team room', created_time: '2026-12-02T10:00:00+0000', from },
        comments: [],
        reactions: [],
        seen: [],
        poll: { id: '9', question: 'Lunch where?', multiple_choice: false, voter_count: 2, options: [{ id: '10', name: 'Pizza', vote_count: 2, votes: [from, { id: '8', name: 'Bob Berg' }] }, { id: '11', name: 'Sushi', vote_count: 0, votes: [] }] },
      },
    ]),
  );
  const guest = (name: string, rsvp_status: string) => ({ id: name, name, rsvp_status });
  fs.writeFileSync(
    path.join(g, 'events.jsonl'),
    jsonLines([
      {
        id: '20',
        fingerprint: {},
        event: { id: '20', name: 'Offsite', description: 'Bring boots', start_time: '2027-03-01T09:00:00+0100', end_time: '2027-03-01T17:00:00+0100', timezone: 'Europe/Paris', place: { name: 'Lake house' }, owner: from, is_canceled: false },
        rsvps: { attending: [guest('Test Bot', 'attending')], maybe: [guest('Ana Lind', 'unsure')], declined: [], interested: [] },
      },
      { id: '21', fingerprint: {}, event: { id: '21', name: 'Old party', start_time: '2026-01-10T18:00:00+0000', timezone: 'UTC', owner: from, is_canceled: true }, rsvps: { attending: [], maybe: [], declined: [], interested: [] } },
    ]),
  );
  fs.writeFileSync(path.join(g, 'photos.jsonl'), '');
  // A second group with a library: a file, a doc (its HTML holds markup that must not render), an album, a video.
  const lib = path.join(dir, 'groups', '43');
  fs.mkdirSync(path.join(lib, 'media'), { recursive: true });
  fs.writeFileSync(path.join(lib, 'group.json'), JSON.stringify({ id: '43', name: 'Library' }));
  for (const f of ['file-50-plan.pdf', '60.png', 'video-70.mp4']) fs.writeFileSync(path.join(lib, 'media', f), 'x');
  fs.writeFileSync(path.join(lib, 'files.jsonl'), jsonLines([{ id: '50', fingerprint: {}, name: 'plan.pdf', meta: { id: '50', message: 'The plan', from, updated_time: '2026-12-03T10:00:00+0000' }, file: 'media/file-50-plan.pdf', sha256: 'x' }]));
  fs.writeFileSync(
    path.join(lib, 'docs.jsonl'),
    jsonLines([{ id: '55', fingerprint: {}, doc: { id: '55', subject: 'Roadmap', message: '<p>Ship <b>it</b></p><img src=x onerror=alert(1)>', from, updated_time: '2026-12-04T09:00:00+0000' }, revisions: [{ revision: '2' }, { revision: '1' }] }]),
  );
  fs.writeFileSync(path.join(lib, 'albums.jsonl'), jsonLines([{ id: '58', fingerprint: {}, album: { id: '58', name: 'Offsite album', description: 'Lisbon' }, photos: [{ id: '60', name: 'lake', file: 'media/60.png' }, { id: '61' }] }]));
  fs.writeFileSync(path.join(lib, 'videos.jsonl'), jsonLines([{ id: '70', fingerprint: {}, video: { id: '70', title: 'All hands', from }, file: 'media/video-70.mp4' }]));
  writeViewer(dir);
});
after(async () => {
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the offline viewer shows events with their answers and polls with counts and voters, and searches both', async () => {
  const { context, page, errors } = await personContext(browser, 'http://127.0.0.1');
  try {
    await page.goto(pathToFileURL(path.join(dir, 'index.html')).href);
    const view = page.locator('#view');
    await view.getByText('1 members · 2 posts · 2 events · 0 photos').waitFor();
    const offsite = view.locator('.post', { hasText: 'Offsite' });
    assert.match(await offsite.innerText(), /2027-03-01T09:00:00\+0100 – 2027-03-01T17:00:00\+0100 \(Europe\/Paris\) · Lake house · hosted by Ana Lind/);
    assert.match(await offsite.innerText(), /Going \(1\): Test Bot\s+Maybe \(1\): Ana Lind/);
    assert.match(await view.locator('.post', { hasText: 'Old party' }).innerText(), /Canceled/);
    const poll = view.locator('.poll');
    assert.match(await poll.innerText(), /^Poll: Lunch where\?\s+Pizza · 2 votes \(Ana Lind, Bob Berg\)\s+Sushi · 0 votes$/);
    assert.ok(!(await view.innerText()).includes('posted in Team room'), "a poll post shows its poll, not the generated story");
    assert.equal(await view.locator('img').count(), 0, 'backed-up markup is shown as text');
    assert.match(await view.innerText(), /hello <img src=x onerror=alert\(1\)>/);

    await page.fill('#q', 'lunch');
    assert.equal(await view.locator('.poll').count(), 1);
    assert.equal(await view.getByText('Offsite').count(), 0);
    assert.equal(await view.getByText(/^hello/).count(), 0);
    await page.fill('#q', 'boots');
    assert.equal(await view.getByText('Offsite').count(), 1);
    assert.equal(await view.locator('.poll').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the offline viewer lists files, docs, albums and videos with links to the local copies, doc HTML as text', async () => {
  const { context, page, errors } = await personContext(browser, 'http://127.0.0.1');
  try {
    await page.goto(pathToFileURL(path.join(dir, 'index.html')).href);
    await page.locator('nav button', { hasText: 'Library' }).click();
    const view = page.locator('#view');
    await view.getByText('1 files · 1 docs · 1 albums · 1 videos').waitFor();
    const href = (name: string) => view.getByRole('link', { name, exact: true }).getAttribute('href');
    assert.equal(await href('plan.pdf'), 'groups/43/media/file-50-plan.pdf');
    assert.equal(await href('All hands'), 'groups/43/media/video-70.mp4');
    assert.match(await view.locator('li', { hasText: 'plan.pdf' }).innerText(), /^plan\.pdf · Ana Lind · 2026-12-03T10:00:00\+0000 · The plan$/);
    assert.match(await view.locator('li', { hasText: 'Roadmap' }).innerText(), /^Roadmap · Ana Lind · 2026-12-04T09:00:00\+0000 · 2 revisions\s+Ship it$/);
    assert.deepEqual(await view.locator('img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src'))), ['groups/43/media/60.png'], 'only the album photo is an image: the doc markup is text');
    assert.match(await view.locator('li', { hasText: 'Offsite album' }).innerText(), /photo 2 \(not downloaded\)/);
    await page.fill('#q', 'roadmap');
    assert.equal(await view.getByRole('link', { name: 'plan.pdf' }).count(), 0);
    assert.equal(await view.getByText('Roadmap').count(), 1);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
