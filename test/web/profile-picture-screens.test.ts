import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, personContext, screenshot, testPicture } from './browser.js';

// Profile pictures in the browser: a member picks, previews, uploads and removes their own
// picture (with clear errors for what cannot be one); it shows on their profile, in the header,
// on their posts and in chat as resized squares; an admin sets a person's picture in the panel.

describe('profile pictures in the browser (sqlite)', { timeout: 180_000 }, () => {
  let ts: TestServer;
  let browser: Browser;
  let ben: { id: string };
  let cleo: { id: string };
  let group: Awaited<ReturnType<typeof import('../../src/domain/commands/group.js').groupCreator>>;

  before(async () => {
    ts = await startServer('sqlite');
    browser = await launchBrowser();
    ben = await ts.member({ email: 'ben@example.com', name: 'Ben Builder', title: 'Release manager', password: 'ben-Builder-pass-1234' });
    cleo = await ts.member({ email: 'cleo@example.com', name: 'Cleo Crafter', title: 'Designer', password: 'cleo-Crafter-pass-1234' });
    const { groupCreator } = await import('../../src/domain/commands/group.js');
    const { groupMemberAdder } = await import('../../src/domain/commands/groupMembership.js');
    const { postCreator } = await import('../../src/domain/commands/post.js');
    group = await ts.write((w) => groupCreator(w, { name: 'Release Train', privacy: 'OPEN' }));
    await ts.write((w) => groupMemberAdder(w, group, ben.id));
    await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: 'Release 4.2 is out' }), { kind: 'member', memberId: ben.id, isAdmin: false });
  });
  after(async () => {
    await browser?.close();
    await ts?.close();
  });

  async function signIn(page: Page, email: string, password: string) {
    await page.goto('/');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Home' }).waitFor();
  }
  /** The image's URL once it has loaded, with its natural size. */
  const loaded = async (img: Locator) => {
    await img.waitFor();
    await img.evaluate((el: HTMLImageElement) => (el.complete && el.naturalWidth ? undefined : new Promise((r) => el.addEventListener('load', r, { once: true }))));
    return img.evaluate((el: HTMLImageElement) => ({ src: el.getAttribute('src')!, width: el.naturalWidth, height: el.naturalHeight }));
  };

  test('admin: sets and removes a person’s picture on the person screen', async () => {
    const { page, errors } = await personContext(browser, ts.base);
    await page.goto(`/admin/people/${cleo.id}`);
    await page.getByLabel('Email').fill('admin@example.com');
    await page.getByLabel('Password').fill('test-Admin-pass-1234');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Cleo Crafter', level: 1 }).waitFor();
    await page.getByLabel('Choose Cleo Crafter’s picture').setInputFiles({ name: 'cleo.png', mimeType: 'image/png', buffer: await testPicture(300, 300, '#2b8a3e') });
    await page.getByRole('button', { name: 'Save picture' }).click();
    await page.getByText('Picture saved.').waitFor();
    await page.getByRole('button', { name: 'Remove picture' }).click();
    await page.getByText('Picture removed.').waitFor();
    assert.equal((await ts.ctx.db.selectFrom('member').select('picture_media_id').where('id', '=', cleo.id).executeTakeFirstOrThrow()).picture_media_id, null);
    await page.getByLabel('Choose Cleo Crafter’s picture').setInputFiles({ name: 'cleo.png', mimeType: 'image/png', buffer: await testPicture(300, 300, '#2b8a3e') });
    await page.getByRole('button', { name: 'Save picture' }).click();
    await page.getByText('Picture saved.').waitFor();
    const actions = await ts.ctx.db.selectFrom('audit_event').select('action').where('target_id', '=', cleo.id).where('action', 'like', 'account.picture%').orderBy('time').execute();
    assert.deepEqual(actions.map((a) => a.action), ['account.picture_changed', 'account.picture_removed', 'account.picture_changed']);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('member: errors for what is no picture, preview, upload, shown on profile, header, posts and chat; remove', async () => {
    const { page, errors } = await personContext(browser, ts.base);
    await signIn(page, 'ben@example.com', 'ben-Builder-pass-1234');
    await page.goto(`/people/${ben.id}`);
    await page.getByRole('heading', { name: 'Ben Builder' }).waitFor();
    const chooser = page.getByLabel('Choose your picture');
    await chooser.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
    await page.getByRole('alert').getByText('“notes.txt” is not a JPEG, PNG, GIF or WebP image.').waitFor();
    await chooser.setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(11 * 1024 * 1024) });
    await page.getByRole('alert').getByText(/“huge\.png” is 11\.0 MB; a picture may be at most 10 MB\./).waitFor();
    await chooser.setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('GIF? no, just text') });
    await page.getByRole('button', { name: 'Save picture' }).click();
    await page.getByRole('alert').getByText('The picture is not a JPEG, PNG, GIF or WebP image').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await ts.ctx.db.selectFrom('member').select('picture_media_id').where('id', '=', ben.id).executeTakeFirstOrThrow()).picture_media_id, null);

    await chooser.setInputFiles({ name: 'ben.png', mimeType: 'image/png', buffer: await testPicture(960, 640) });
    const preview = await loaded(page.getByRole('img', { name: 'Preview of the new picture' }));
    assert.match(preview.src.slice(0, 30), /^data:image\/png;base64,/);
    assert.ok(preview.width > 0, 'the preview loads under the CSP');
    await page.getByRole('button', { name: 'Save picture' }).click();
    await page.getByText('Picture saved.').waitFor();
    const profile = await loaded(page.locator('#main').getByRole('img', { name: 'Ben Builder' }));
    assert.match(profile.src, /\/s200\//);
    assert.deepEqual([profile.width, profile.height], [200, 200]);
    const header = await loaded(page.locator('header .who img.avatar'));
    assert.match(header.src, /\/s128\//, 'the header follows the change without a reload');
    assert.deepEqual([header.width, header.height], [128, 128]);
    await screenshot(page, 'member-profile-picture');

    await page.goto(`/groups/${group.id}`);
    await page.getByText('Release 4.2 is out').waitFor();
    const onPost = await loaded(page.locator('article').filter({ hasText: 'Release 4.2 is out' }).locator('img.avatar').first());
    assert.match(onPost.src, /\/s128\//);

    const other = await personContext(browser, ts.base);
    await signIn(other.page, 'cleo@example.com', 'cleo-Crafter-pass-1234');
    await other.page.goto(`/chat?with=${ben.id}`);
    await other.page.getByLabel('Message', { exact: true }).fill('Nice picture!');
    await other.page.getByRole('button', { name: 'Send' }).click();
    await other.page.getByRole('log', { name: 'Messages' }).getByText('Nice picture!').waitFor();
    const thread = await loaded(other.page.getByRole('navigation', { name: 'Conversations' }).locator('img.avatar').first());
    assert.match(thread.src, /\/s128\//, 'Cleo sees Ben’s picture on the conversation');
    await page.goto('/chat');
    await page.getByRole('navigation', { name: 'Conversations' }).getByText('Cleo Crafter').click();
    const inChat = await loaded(page.getByRole('log', { name: 'Messages' }).locator('img.avatar').first());
    assert.match(inChat.src, /\/s128\//, 'Ben sees the picture the admin gave Cleo beside her message');
    assert.deepEqual(other.errors, []);
    await other.context.close();

    await page.goto(`/people/${ben.id}`);
    await page.getByRole('button', { name: 'Remove picture' }).click();
    await page.getByText('Picture removed.').waitFor();
    assert.equal(await page.locator('#main').getByRole('img', { name: 'Ben Builder' }).getAttribute('src'), '/media/silhouette.svg');
    assert.equal(await page.locator('header .who img.avatar').getAttribute('src'), '/media/silhouette.svg');
    assert.deepEqual(errors, []);
  });
});
