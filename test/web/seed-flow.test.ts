import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { isGraphApiError } from '@commonplace/sdk';
import { groupCreator } from '../../src/domain/commands/group.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, personContext, screenshot, testPicture } from './browser.js';

// The seed's flow, end to end in a real browser: an admin creates a custom integration in the
// admin panel, copies its token once, the token posts into a group through the Graph API, a
// member sees the post under the bot's name and picture, the admin rotates the token, and the
// old token fails.

const ADMIN = { email: 'admin@example.com', password: 'test-Admin-pass-1234' };
const MEMBER = { email: 'mia@example.com', password: 'mia-Member-pass-1234' };

describe('seed flow in the browser (sqlite)', { timeout: 180_000 }, () => {
  let ts: TestServer;
  let browser: Browser;
  let groupId: string;
  let admin: Page;
  let adminErrors: string[];
  let token: string;
  let appId: string;

  before(async () => {
    ts = await startServer('sqlite');
    browser = await launchBrowser();
    const mia = await ts.member({ email: MEMBER.email, name: 'Mia Member', title: 'Site reliability engineer', password: MEMBER.password });
    const group = await ts.write((w) => groupCreator(w, { name: 'Deploys', privacy: 'CLOSED', adminId: mia.id }));
    groupId = group.id;
    ({ page: admin, errors: adminErrors } = await personContext(browser, ts.base));
  });
  after(async () => {
    await browser?.close();
    await ts?.close();
  });

  test('the admin signs in and opens Integrations', async () => {
    await admin.goto('/admin');
    await admin.getByLabel('Email').fill(ADMIN.email);
    await admin.getByLabel('Password').fill(ADMIN.password);
    await screenshot(admin, 'admin-sign-in');
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.getByRole('heading', { name: 'Integrations' }).waitFor();
    assert.equal(new URL(admin.url()).pathname, '/admin/integrations');
  });

  test('Create App with name, description, picture and permissions shows the token once', async () => {
    await admin.getByRole('link', { name: 'Create App' }).click();
    await admin.getByLabel('Name').fill('Deploy Bot');
    await admin.getByLabel('Description').fill('Posts every production deploy.');
    await admin.getByLabel('Profile picture').setInputFiles({ name: 'deploy-bot.png', mimeType: 'image/png', buffer: await testPicture(900, 600) });
    await admin.getByRole('img', { name: 'Picture preview' }).waitFor();
    await admin.getByRole('checkbox', { name: /Read group content/ }).check();
    await admin.getByRole('checkbox', { name: /Manage group content/ }).check();
    await admin.getByRole('radio', { name: /Selected groups/ }).check();
    await admin.getByRole('checkbox', { name: 'Deploys · closed' }).check();
    await screenshot(admin, 'admin-create-app');
    await admin.getByRole('button', { name: 'Create App' }).click();

    const field = admin.getByRole('textbox', { name: 'Access token' });
    await field.waitFor();
    token = await field.inputValue();
    assert.match(token, /^cpit_/);
    await admin.getByRole('button', { name: 'Copy token' }).click();
    await admin.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), token, 'the copy button puts the token on the clipboard');
    await screenshot(admin, 'admin-token-once');
    const done = admin.getByRole('button', { name: 'Done' });
    assert.equal(await done.isDisabled(), true, 'Done waits for the confirmation');
    await admin.getByRole('checkbox', { name: /I understand/ }).check();
    await done.click();
    await admin.getByRole('heading', { name: 'Deploy Bot' }).waitFor();
    appId = new URL(admin.url()).pathname.split('/').pop()!;
    assert.match(appId, /^\d+$/);
    assert.equal(await admin.getByRole('textbox', { name: 'Access token' }).count(), 0, 'the token is gone after confirming');
    assert.ok(!(await admin.content()).includes(token), 'the token is nowhere on the detail page');

    await admin.reload();
    await admin.getByRole('heading', { name: 'Deploy Bot' }).waitFor();
    assert.ok(!(await admin.content()).includes(token), 'nor after a reload');
    const icon = admin.getByRole('img', { name: 'Deploy Bot picture' });
    await icon.waitFor();
    const natural = await icon.evaluate((img: HTMLImageElement) => new Promise<number[]>((resolve) => (img.complete ? resolve([img.naturalWidth, img.naturalHeight]) : img.addEventListener('load', () => resolve([img.naturalWidth, img.naturalHeight])))));
    assert.deepEqual(natural, [512, 512], 'the picture was cropped and resized to 512×512 on the server');
    await screenshot(admin, 'admin-integration-detail');

    await admin.getByRole('link', { name: '← Integrations' }).click();
    const row = admin.locator(`tr[data-app="${appId}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /Deploy Bot[\s\S]*read_group[\s\S]*1 group[\s\S]*Enabled/);
    await screenshot(admin, 'admin-integrations');
  });

  test('the token posts into the group through the Graph API', async () => {
    const bot = ts.client(token);
    const me = await bot.me<{ id: string; name: string }>();
    assert.equal(me.name, 'Deploy Bot');
    const posted = await bot.postToGroup(groupId, { message: 'Deployed **v1.2** to production :rocket:\n\n- api\n- web', formatting: 'MARKDOWN' });
    assert.match(posted.id, new RegExp(`^${groupId}_`));
  });

  test('a member sees the post under the bot name and picture', async () => {
    const { page, errors, context } = await personContext(browser, ts.base);
    await page.goto('/');
    await page.getByLabel('Email').fill(MEMBER.email);
    await page.getByLabel('Password').fill(MEMBER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Home' }).waitFor();
    await page.getByRole('link', { name: 'Deploys' }).first().click();
    await page.getByRole('heading', { name: 'Deploys' }).waitFor();
    const post = page.locator('article.post').filter({ hasText: 'to production' });
    await post.waitFor();
    await post.getByRole('link', { name: 'Deploy Bot' }).waitFor();
    assert.match(await post.innerText(), /BOT/);
    assert.equal(await post.locator('strong', { hasText: 'v1.2' }).count(), 1, 'Markdown bold renders');
    assert.equal(await post.locator('li').count(), 2, 'Markdown list renders');
    const avatar = post.getByRole('img', { name: 'Deploy Bot' });
    const src = await avatar.getAttribute('src');
    assert.match(src ?? '', /^\/media\/\d+\//, 'the avatar is the bot page picture, not the silhouette');
    const width = await avatar.evaluate((img: HTMLImageElement) => new Promise<number>((resolve) => (img.complete ? resolve(img.naturalWidth) : img.addEventListener('load', () => resolve(img.naturalWidth)))));
    assert.equal(width, 128, 'avatars are the 128 px resized copy of the 512 px picture');
    await screenshot(page, 'member-group-feed');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the admin rotates the token and the old token fails at once', async () => {
    await admin.getByRole('link', { name: 'Deploy Bot' }).click();
    await admin.getByRole('button', { name: 'Rotate token' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Rotate the access token?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Rotate token' }).click();
    const field = admin.getByRole('textbox', { name: 'Access token' });
    await field.waitFor();
    const fresh = await field.inputValue();
    assert.notEqual(fresh, token);
    await admin.getByRole('checkbox', { name: /I understand/ }).check();
    await admin.getByRole('button', { name: 'Done' }).click();
    await assert.rejects(ts.client(token).me(), (error: unknown) => isGraphApiError(error) && error.code === 190);
    assert.equal((await ts.client(fresh).me<{ name: string }>()).name, 'Deploy Bot');
    await admin.getByRole('cell', { name: 'integration.token_rotated' }).first().waitFor();
    assert.deepEqual(adminErrors, []);
  });
});
