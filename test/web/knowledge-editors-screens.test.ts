import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { categoryCreator } from '../../src/domain/commands/knowledge.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, personContext, screenshot, testPicture } from './browser.js';

// The admin panel's Knowledge Library editors, then the new editor at work in the member app:
// moving a page under another one and adding a photo to it.

describe('Knowledge Library editors and page tools in the browser (sqlite)', { timeout: 180_000 }, () => {
  let ts: TestServer;
  let browser: Browser;
  let admin: Page;
  let member: Page;
  let errors: string[];
  let memberErrors: string[];
  let kai: { id: string };
  let onboarding: string;

  before(async () => {
    ts = await startServer('sqlite');
    browser = await launchBrowser();
    kai = await ts.member({ email: 'kai@example.com', name: 'Kai Keeper', title: 'Office manager', password: 'kai-Keeper-pass-1234' });
    await ts.write((w) => categoryCreator(w, null, { title: 'Office', content: 'Everything about the office.' }));
    onboarding = (await ts.write((w) => categoryCreator(w, null, { title: 'Onboarding', content: 'Your first week.' }))).id;
    ({ page: admin, errors } = await personContext(browser, ts.base));
    ({ page: member, errors: memberErrors } = await personContext(browser, ts.base));
  });
  after(async () => {
    await browser?.close();
    await ts?.close();
  });

  test('admin: make a member a Knowledge Library editor', async () => {
    await admin.goto('/admin/community');
    await admin.getByLabel('Email').fill('admin@example.com');
    await admin.getByLabel('Password').fill('test-Admin-pass-1234');
    await admin.keyboard.press('Enter');
    const section = admin.getByRole('region', { name: 'Knowledge Library editors' });
    await section.getByText('No editors besides the system admins.').waitFor();
    await section.getByLabel('Add an editor').fill('Kai');
    await section.getByRole('button', { name: /Kai Keeper/ }).click();
    await admin.getByText('Kai Keeper can now edit the Knowledge Library').waitFor();
    await section.getByRole('list', { name: 'Editors' }).getByText('Kai Keeper').waitFor();
    assert.ok(await ts.ctx.db.selectFrom('knowledge_editor').selectAll().where('member_id', '=', kai.id).executeTakeFirst());
    await section.scrollIntoViewIfNeeded();
    await screenshot(admin, 'admin-knowledge-editors');
    assert.deepEqual(errors, []);
  });

  test('editor: move a page under another and add a photo to it', async () => {
    await member.goto('/');
    await member.getByLabel('Email').fill('kai@example.com');
    await member.getByLabel('Password').fill('kai-Keeper-pass-1234');
    await member.getByRole('button', { name: 'Sign in' }).click();
    await member.getByRole('heading', { name: 'Home' }).waitFor();
    await member.goto(`/knowledge/${onboarding}`);
    await member.getByRole('heading', { name: 'Onboarding' }).waitFor();
    await member.getByRole('button', { name: 'Edit' }).click();
    const form = member.getByRole('form', { name: 'Edit page' });
    await form.getByLabel('Place under').selectOption({ label: 'Office' });
    await form.getByRole('button', { name: 'Save' }).click();
    await member.getByText('Page saved').waitFor();
    const nav = member.getByRole('navigation', { name: 'Knowledge Library pages' });
    await nav.locator('.kl-tree .kl-tree a', { hasText: 'Onboarding' }).waitFor();
    const row = await ts.ctx.db.selectFrom('knowledge_category').selectAll().where('id', '=', onboarding).executeTakeFirstOrThrow();
    const office = await ts.ctx.db.selectFrom('knowledge_category').selectAll().where('title', '=', 'Office').executeTakeFirstOrThrow();
    assert.equal(row.parent_id, office.id);

    await member.locator('input[type=file]').setInputFiles({ name: 'front-desk.png', mimeType: 'image/png', buffer: await testPicture(360, 240, '#5f3dc4') });
    await member.getByText('Photo added').waitFor();
    const photo = member.getByRole('img', { name: 'front-desk' });
    await photo.waitFor();
    assert.ok(await photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 'the stored photo is served');
    await screenshot(member, 'member-knowledge-photos');
    assert.deepEqual(memberErrors, []);
  });
});
