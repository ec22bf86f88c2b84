import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { subscribe } from '../webhooks/helpers.js';
import { change, Receiver } from '../webhooks/receiver.js';
import { launchBrowser, personContext, screenshot, testPicture } from './browser.js';

// Authenticated link previews in the browser: an admin registers the integration's domain in the
// admin panel, a member shares a URL of it in a group, and the preview the integration answers
// (through a real receiver on 127.0.0.1) appears on the post without a reload.

describe('link preview screens in the browser (sqlite)', { timeout: 180_000 }, () => {
  let ts: TestServer;
  let browser: Browser;
  let admin: Page;
  let member: Page;
  let errors: string[];
  let memberErrors: string[];
  let receiver: Receiver;
  let images: http.Server;
  let imageBase: string;
  let app: IssuedCredentials;
  let group: string;

  before(async () => {
    ts = await startServer('sqlite', { env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8' } });
    browser = await launchBrowser();
    const cover = await testPicture(280, 200, '#2f9e44');
    images = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(cover);
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
    receiver = await Receiver.start({
      status: (r) => {
        const link = change(r)?.value?.link as string;
        return {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            data: [{ link, title: 'Q3 roadmap', description: 'Priorities, owners and dates for the quarter. Last edited by the planning team.', type: 'doc', image: `${imageBase}/cover.png`, fields: [{ title: 'Status', value: 'In review' }, { title: 'Owner', value: 'Planning' }] }],
          }),
        };
      },
    });
    app = await ts.integration(['link_unfurling'], { name: 'Docs Hub' });
    await subscribe(ts, app, 'link', 'preview', receiver.url);
    const nina = await ts.member({ email: 'nina@example.com', name: 'Nina Notes', password: 'nina-Notes-pass-1234' });
    const g = await ts.write((w) => groupCreator(w, { name: 'Planning', privacy: 'OPEN' }));
    group = g.id;
    await ts.write((w) => groupMemberAdder(w, g, nina.id));
    ({ page: admin, errors } = await personContext(browser, ts.base));
    ({ page: member, errors: memberErrors } = await personContext(browser, ts.base));
  });
  after(async () => {
    await browser?.close();
    await ts?.close();
    await receiver?.close();
    images?.close();
  });

  test('admin: register the domains an integration unfurls', async () => {
    await admin.goto(`/admin/integrations/${app.app_id}`);
    await admin.getByLabel('Email').fill('admin@example.com');
    await admin.getByLabel('Password').fill('test-Admin-pass-1234');
    await admin.keyboard.press('Enter');
    const section = admin.getByRole('region', { name: 'Link previews' });
    await section.waitFor();
    await section.getByLabel('Domains').fill('docs.example.com\nwiki.example.com');
    await section.getByRole('button', { name: 'Save domains' }).click();
    await admin.getByText('Unfurls 2 domains').waitFor();
    const stored = await ts.ctx.db.selectFrom('link_domain').select('domain').where('app_id', '=', app.app_id).orderBy('domain').execute();
    assert.deepEqual(stored.map((d) => d.domain), ['docs.example.com', 'wiki.example.com']);
    assert.deepEqual(errors, []);
  });

  test('member: a shared URL gets its preview card on the post, then the admin sees the outcome', async () => {
    await member.goto('/');
    await member.getByLabel('Email').fill('nina@example.com');
    await member.getByLabel('Password').fill('nina-Notes-pass-1234');
    await member.getByRole('button', { name: 'Sign in' }).click();
    await member.getByRole('heading', { name: 'Home' }).waitFor();
    await member.goto(`/groups/${group}`);
    const link = 'https://docs.example.com/plans/q3-roadmap';
    await member.getByLabel('Write something to Planning').fill(`Draft roadmap for review: ${link}`);
    await member.getByRole('button', { name: 'Post', exact: true }).click();
    const post = member.locator('article.post').filter({ hasText: 'Draft roadmap' });
    await post.waitFor();
    const card = post.locator(`a.link-preview[data-preview="${link}"]`);
    await card.waitFor();
    assert.equal(await card.locator('strong').innerText(), 'Q3 roadmap');
    assert.match(await card.innerText(), /In review/);
    assert.equal(await card.getAttribute('rel'), 'noopener noreferrer nofollow');
    await card.locator('img').first().evaluate((img: HTMLImageElement) => (img.complete ? undefined : new Promise((r) => img.addEventListener('load', r, { once: true }))));
    assert.ok(await card.locator('img').first().evaluate((img: HTMLImageElement) => img.naturalWidth > 0), 'the preview image loaded');
    assert.match((await card.locator('img').first().getAttribute('src')) ?? '', /^\/media\/\d+\/\d+\.png\?ext=/, 'the image is the server\'s stored copy, allowed by the CSP');
    await screenshot(member, 'member-link-preview');
    assert.equal(receiver.posts().length, 1);
    assert.deepEqual(memberErrors, []);

    await admin.reload();
    const section = admin.getByRole('region', { name: 'Link previews' });
    await section.getByRole('cell', { name: link }).waitFor();
    await section.getByText('Q3 roadmap').waitFor();
    await section.scrollIntoViewIfNeeded();
    await screenshot(admin, 'admin-link-previews');
    assert.deepEqual(errors, []);
  });
});
