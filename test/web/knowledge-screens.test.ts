import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { categoryCreator, knowledgeEditorSetter } from '../../src/domain/commands/knowledge.js';
import { findMemberById } from '../../src/db/repositories/member.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, personContext, screenshot } from './browser.js';

// The member app's Knowledge Library: an editor writes a page and a subpage, a reader finds it
// in the tree and by search, and sees a json_content page rendered as elements, never as HTML.

describe('Knowledge Library in the browser (sqlite)', { timeout: 180_000 }, () => {
  let ts: TestServer;
  let browser: Browser;
  before(async () => {
    ts = await startServer('sqlite');
    browser = await launchBrowser();
    const edda = await ts.member({ email: 'edda@example.com', name: 'Edda Editor', password: 'edda-pass-123456' });
    await ts.member({ email: 'rita@example.com', name: 'Rita Reader', password: 'rita-pass-123456' });
    await ts.write(async (w) => knowledgeEditorSetter(w, (await findMemberById(w.trx, edda.id))!, true));
    await ts.write((w) =>
      categoryCreator(w, null, {
        title: 'Security basics',
        color: 'Red',
        json_content: [{ type: 'text_block', children: [{ type: 'p', children: [{ type: 'text', text: '<img src=x onerror=alert(1)> Lock your screen', bold: true }] }] }],
      }),
    );
  });
  after(async () => {
    await browser?.close();
    await ts?.close();
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

  test('an editor writes a page and a subpage; a reader browses the tree, searches, and reads them', async () => {
    const { page: ed, errors: edErrors } = await signIn('edda@example.com', 'edda-pass-123456');
    await ed.getByRole('link', { name: 'Knowledge' }).click();
    await ed.getByRole('heading', { name: 'Knowledge Library' }).waitFor();
    await ed.getByRole('button', { name: 'New page' }).click();
    const form = ed.getByRole('form', { name: 'New page' });
    await form.getByLabel('Title').fill('Travel policy');
    await form.getByLabel(/Content/).fill('Book trains over **flights** under 500 km.\n\n- Economy class\n- Receipts within 30 days');
    await form.getByLabel('Colour').selectOption('TEAL');
    await form.getByRole('button', { name: 'Create' }).click();
    await ed.getByRole('heading', { name: 'Travel policy' }).waitFor();
    await ed.locator('.document strong', { hasText: 'flights' }).waitFor();
    await ed.getByRole('button', { name: 'Add subpage' }).click();
    const sub = ed.getByRole('form', { name: 'New page' });
    await sub.getByLabel('Title').fill('Per diem rates');
    await sub.getByLabel(/Content/).fill('Rates by city.');
    await sub.getByRole('button', { name: 'Create' }).click();
    await ed.getByRole('heading', { name: 'Per diem rates' }).waitFor();
    await screenshot(ed, 'member-knowledge-editor');
    assert.deepEqual(edErrors, []);

    const { page: rita, errors } = await signIn('rita@example.com', 'rita-pass-123456');
    await rita.goto('/knowledge');
    const tree = rita.getByRole('navigation', { name: 'Knowledge Library pages' });
    await tree.getByRole('link', { name: 'Per diem rates' }).waitFor();
    assert.equal(await rita.getByRole('button', { name: 'New page' }).count(), 0, 'readers get no editor');
    await rita.getByLabel('Search the Knowledge Library').fill('receipts');
    await rita.getByRole('list', { name: 'Search results' }).getByRole('link', { name: 'Travel policy' }).click();
    await rita.getByRole('heading', { name: 'Travel policy' }).waitFor();
    await rita.locator('.document li', { hasText: 'Economy class' }).waitFor();
    await tree.getByRole('link', { name: 'Security basics' }).click();
    const strong = rita.locator('.document strong');
    await strong.waitFor();
    assert.equal(await strong.textContent(), '<img src=x onerror=alert(1)> Lock your screen');
    assert.equal(await rita.locator('.document img').count(), 0, 'markup in json_content stays text');
    await screenshot(rita, 'member-knowledge');
    assert.equal(await rita.getByRole('button', { name: 'Edit' }).count(), 0);
    assert.deepEqual(errors, []);
  });
});
