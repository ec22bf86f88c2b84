import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { IncomingWebhook } from '@slack/webhook';
import type { Browser, Page } from 'playwright-core';
import { groupCreator } from '../../src/domain/commands/group.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, personContext, screenshot } from './browser.js';

// The admin panel's Automation section: an incoming webhook created with its URL shown once,
// used by Slack's client, its request log and test-send; a feed followed and polled; a
// membership rule previewed and saved.

describe('admin panel Automation section in the browser (sqlite)', { timeout: 180_000 }, () => {
  let ts: TestServer;
  let browser: Browser;
  let admin: Page;
  let errors: string[];
  let feedServer: http.Server;
  let feedUrl: string;

  before(async () => {
    ts = await startServer('sqlite', { env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8', COMMONPLACE_AUTOMATION_WORKER: '0' } });
    await ts.write((w) => groupCreator(w, { name: 'Deployments', privacy: 'OPEN' }));
    await ts.member({ email: 'sara@example.com', name: 'Sara Seller', title: 'Account Executive', department: 'Sales' });
    await ts.member({ email: 'sam@example.com', name: 'Sam Sales', title: 'Sales Contractor', department: 'Sales' });
    await ts.member({ email: 'eli@example.com', name: 'Eli Engineer', title: 'Engineer', department: 'Engineering' });
    feedServer = http.createServer((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end('<?xml version="1.0"?><rss version="2.0"><channel><title>Status page</title><item><guid>1</guid><title>Scheduled maintenance</title><link>https://status.example.com/1</link><description>Database upgrade on Sunday</description></item></channel></rss>'),
    );
    await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', () => resolve()));
    feedUrl = `http://127.0.0.1:${(feedServer.address() as { port: number }).port}/status.xml`;
    browser = await launchBrowser();
    ({ page: admin, errors } = await personContext(browser, ts.base));
    await admin.goto('/admin');
    await admin.getByLabel('Email').fill('admin@example.com');
    await admin.getByLabel('Password').fill('test-Admin-pass-1234');
    await admin.getByLabel('Password').press('Enter');
    await admin.getByRole('heading', { name: 'Integrations' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await ts?.close();
    feedServer?.close();
  });

  test('incoming webhook: create, copy the URL once, post with @slack/webhook, see the request log, test-send', async () => {
    await admin.getByRole('link', { name: 'Automation' }).click();
    await admin.getByRole('heading', { name: 'Automation' }).waitFor();
    const form = admin.getByRole('form', { name: 'New incoming webhook' });
    await form.getByLabel('Group').selectOption({ label: 'Deployments' });
    await form.getByLabel('Name', { exact: true }).fill('Deploy notices');
    await form.getByRole('button', { name: 'Create webhook' }).click();
    const url = await admin.getByLabel('Webhook URL', { exact: true }).inputValue();
    assert.match(url, /\/hooks\/cphk_/);
    await admin.getByRole('button', { name: 'Copy URL' }).click();
    assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), url);
    await admin.getByRole('button', { name: 'Done' }).click();
    await admin.getByLabel('Webhook URL', { exact: true }).waitFor({ state: 'detached' });

    const sent = await new IncomingWebhook(url).send({ text: 'Deployed *api v2.3* to production', attachments: [{ color: 'good', title: 'Checks', fields: [{ title: 'passed', value: '412', short: true }] }] });
    assert.equal(sent.text, 'ok');
    await admin.reload();
    await admin.getByRole('link', { name: 'Deploy notices' }).waitFor();
    await screenshot(admin, 'admin-automation-hooks');
    await admin.getByRole('link', { name: 'Deploy notices' }).click();
    await admin.getByRole('heading', { name: 'Deploy notices' }).waitFor();
    await admin.locator('.rendered strong', { hasText: 'api v2.3' }).waitFor();
    await admin.locator('.rendered', { hasText: 'passed: 412' }).waitFor();
    await admin.getByLabel('Test message').fill('Hello from the *test* button');
    await admin.getByRole('button', { name: 'Send test' }).click();
    await admin.getByText('Test message posted').waitFor();
    await admin.locator('.rendered strong', { hasText: /^test$/ }).waitFor();
    await screenshot(admin, 'admin-automation-hook');
    const posts = await ts.ctx.db.selectFrom('post').select('message').orderBy('created_time').execute();
    assert.deepEqual(
      posts.map((p) => p.message!.split('\n')[0]),
      ['Deployed **api v2.3** to production', 'Hello from the **test** button'],
    );
  });

  test('feeds: follow a feed, see its status and last item after a poll; pause it', async () => {
    await admin.getByRole('link', { name: 'Automation' }).click();
    await admin.getByRole('link', { name: 'Feeds' }).click();
    const form = admin.getByRole('form', { name: 'Follow a feed' });
    await form.getByLabel('Group').selectOption({ label: 'Deployments' });
    await form.getByLabel('Feed URL').fill(feedUrl);
    await form.getByRole('button', { name: 'Follow feed' }).click();
    await admin.getByText('Feed added: the first poll is due now').waitFor();
    assert.equal((await ts.server.automation.runOnce()).posted, 1);
    await admin.reload();
    await admin.getByText('Scheduled maintenance').waitFor();
    await admin.getByText('Active', { exact: true }).waitFor();
    await screenshot(admin, 'admin-automation-feeds');
    await admin.getByRole('button', { name: 'Pause' }).click();
    await admin.getByText('paused by an admin').waitFor();
    await admin.getByRole('button', { name: 'Resume' }).click();
    await admin.getByRole('button', { name: 'Pause' }).waitFor();
  });

  test('membership rules: write a rule, preview who joins, save it', async () => {
    await admin.getByRole('link', { name: 'Membership rules' }).click();
    const editor = admin.getByRole('form', { name: 'Rule editor' });
    await editor.getByLabel('Group').selectOption({ label: 'Deployments' });
    await editor.getByLabel('Rule', { exact: true }).fill('department eq "Sales" and not (title co "Contractor")');
    assert.equal(await editor.getByRole('button', { name: 'Save rule' }).isDisabled(), true, 'saving waits for a preview');
    await editor.getByRole('button', { name: 'Preview' }).click();
    const preview = admin.getByRole('region', { name: 'Preview' });
    await preview.getByText('Will join (1)').waitFor();
    await preview.getByText('Sara Seller').waitFor();
    await screenshot(admin, 'admin-automation-rules');
    await editor.getByRole('button', { name: 'Save rule' }).click();
    await admin.getByText('Rule saved: 1 joined, 0 left').waitFor();
    await admin.getByRole('cell', { name: 'department eq "Sales" and not (title co "Contractor")' }).waitFor();
    const group = await ts.ctx.db.selectFrom('work_group').select('id').where('name', '=', 'Deployments').executeTakeFirstOrThrow();
    const members = await ts.ctx.db.selectFrom('group_member').innerJoin('member', 'member.id', 'group_member.member_id').select('member.name').where('group_id', '=', group.id).execute();
    assert.deepEqual(members.map((m) => m.name), ['Sara Seller']);
    assert.deepEqual(errors, []);
  });
});
