import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { GraphClient, verifySignature, verificationChallenge } from '@commonplace/sdk';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, personContext, screenshot } from './browser.js';
import { startImageHost } from '../helpers/images.js';

// Template images are fetched by the server from a real image host on 127.0.0.1.
const images = await startImageHost();
after(() => images.close());

// A member chats with a bot in Work Chat: the bot is a small webhook receiver written with the
// SDK (signature check, then the Send API). It answers with quick replies; the member taps one
// and gets the answer, then taps a button of a template and gets the postback's answer. New
// messages arrive live over the member's event stream.

const ADMIN = { email: 'admin@example.com', password: 'test-Admin-pass-1234' };
const MEMBER = { email: 'sam@example.com', password: 'sam-Member-pass-1234' };
const VERIFY = 'helper-verify-token';

interface Messaging {
  sender: { id: string };
  message?: { text?: string; quick_reply?: { payload: string } };
  postback?: { payload: string; title: string };
}

/** The bot: answers "hi" with quick replies, a quick reply with a button template, a postback with text. */
async function startBot(graph: () => GraphClient, secret: () => string): Promise<{ url: string; seen: Messaging[]; close(): Promise<void> }> {
  const seen: Messaging[] = [];
  const answer = async (m: Messaging) => {
    const to = { id: m.sender.id };
    if (m.postback?.payload === 'SHOW_LOGS') return graph().post('me/messages', { recipient: to, message: { text: 'Logs: build 812 passed 1,204 tests in 3 min.' } });
    if (m.message?.quick_reply?.payload === 'DEPLOY_STATUS') {
      return graph().post('me/messages', {
        recipient: to,
        message: { attachment: { type: 'template', payload: { template_type: 'button', text: 'All green: v1.2 is live in production.', buttons: [{ type: 'postback', title: 'Show logs', payload: 'SHOW_LOGS' }] } } },
      });
    }
    if (m.message?.text) {
      return graph().post('me/messages', {
        recipient: to,
        message: {
          text: 'Hi! What do you need?',
          quick_replies: [
            { content_type: 'text', title: 'Deploy status', payload: 'DEPLOY_STATUS' },
            { content_type: 'text', title: 'On-call', payload: 'ON_CALL' },
          ],
        },
      });
    }
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'GET') {
        const challenge = verificationChallenge(url.searchParams, VERIFY);
        res.writeHead(challenge === null ? 403 : 200, { 'content-type': 'text/plain' });
        return res.end(challenge ?? 'no');
      }
      const raw = Buffer.concat(chunks);
      if (!verifySignature({ appSecret: secret(), rawBody: raw, headers: req.headers })) {
        res.writeHead(401);
        return res.end('bad signature');
      }
      res.end('ok');
      const body = JSON.parse(raw.toString('utf8')) as { entry: { messaging?: Messaging[] }[] };
      for (const entry of body.entry) {
        for (const m of entry.messaging ?? []) {
          seen.push(m);
          void answer(m);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('Work Chat with a bot in the browser (sqlite)', { timeout: 180_000 }, () => {
  let ts: TestServer;
  let browser: Browser;
  let bot: IssuedCredentials;
  let receiver: Awaited<ReturnType<typeof startBot>>;
  let member: Page;
  let memberErrors: string[];

  before(async () => {
    ts = await startServer('sqlite', { env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8' } });
    browser = await launchBrowser();
    await ts.member({ email: MEMBER.email, name: 'Sam Member', password: MEMBER.password });
    bot = await ts.integration(['message', 'bot_mention'], { name: 'Helper Bot' });
    receiver = await startBot(
      () => ts.client(bot.access_token),
      () => bot.app_secret,
    );
  });
  after(async () => {
    await browser?.close();
    await receiver?.close();
    await ts?.close();
  });

  test('the admin subscribes the bot to page messages in the admin panel', async () => {
    const { page, errors, context } = await personContext(browser, ts.base);
    await page.goto('/admin');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Helper Bot' }).click();
    await page.getByText('Add or replace a subscription').click();
    await page.getByLabel('Topic').selectOption('page');
    await page.getByRole('checkbox', { name: 'messages', exact: true }).check();
    await page.getByRole('checkbox', { name: 'messaging_postbacks' }).check();
    await page.getByLabel('Callback URL').fill(receiver.url);
    await page.getByLabel('Verify token').fill(VERIFY);
    await page.getByRole('button', { name: 'Verify and save' }).click();
    await page.getByRole('cell', { name: receiver.url }).waitFor();
    assert.match(await page.locator('section[aria-labelledby="webhooks"]').innerText(), /healthy/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a member chats with the bot, taps a quick reply and a button, and gets the answers live', async () => {
    ({ page: member, errors: memberErrors } = await personContext(browser, ts.base));
    await member.goto('/chat');
    await member.getByLabel('Email').fill(MEMBER.email);
    await member.getByLabel('Password').fill(MEMBER.password);
    await member.getByRole('button', { name: 'Sign in' }).click();
    await member.getByRole('button', { name: 'New' }).click();
    const dialog = member.getByRole('dialog', { name: 'New conversation' });
    await dialog.getByLabel('To').fill('Helper');
    await dialog.getByRole('button', { name: /Helper Bot/ }).click();
    await dialog.getByRole('button', { name: 'Start chat' }).click();
    await member.getByRole('heading', { name: 'Helper Bot' }).waitFor();

    await member.getByLabel('Message', { exact: true }).fill('hi');
    await member.getByRole('button', { name: 'Send' }).click();
    const replies = member.getByRole('group', { name: 'Quick replies' });
    await replies.getByRole('button', { name: 'Deploy status' }).waitFor();
    assert.equal(await replies.getByRole('button').count(), 2);
    await member.getByRole('log', { name: 'Messages' }).getByText('Hi! What do you need?').waitFor();
    await screenshot(member, 'member-chat-quick-replies');

    await replies.getByRole('button', { name: 'Deploy status' }).click();
    await member.getByRole('log', { name: 'Messages' }).getByText('All green: v1.2 is live in production.').waitFor();
    const tapped = receiver.seen.find((m) => m.message?.quick_reply);
    assert.equal(tapped?.message?.quick_reply?.payload, 'DEPLOY_STATUS', 'the bot received the quick reply payload');
    assert.equal(tapped?.message?.text, 'Deploy status', "the member's message is the quick reply's title");
    assert.equal(await member.getByRole('group', { name: 'Quick replies' }).count(), 0, 'quick replies disappear once answered');

    await member.getByRole('button', { name: 'Show logs' }).click();
    await member.getByRole('log', { name: 'Messages' }).getByText('Logs: build 812 passed 1,204 tests in 3 min.').waitFor();
    assert.equal(receiver.seen.find((m) => m.postback)?.postback?.payload, 'SHOW_LOGS');
    await screenshot(member, 'member-chat');
    assert.deepEqual(memberErrors, []);
  });

  test('a message the bot sends on its own appears without a reload', async () => {
    const sam = await ts.ctx.db.selectFrom('member').select('id').where('email_lower', '=', MEMBER.email).executeTakeFirstOrThrow();
    await ts.client(bot.access_token).post('me/messages', { recipient: { id: sam.id }, message: { text: 'Heads-up: deploy freeze starts at 17:00.' } });
    await member.getByRole('log', { name: 'Messages' }).getByText('Heads-up: deploy freeze starts at 17:00.').waitFor({ timeout: 10_000 });
  });

  test("a generic template's image and a quick reply's icon show from the server's own store; a failing image is left out", async () => {
    const sam = await ts.ctx.db.selectFrom('member').select('id').where('email_lower', '=', MEMBER.email).executeTakeFirstOrThrow();
    await ts.client(bot.access_token).post('me/messages', {
      recipient: { id: sam.id },
      message: {
        attachment: {
          type: 'template',
          payload: { template_type: 'generic', elements: [{ title: 'Release 9', subtitle: 'All tests passed', image_url: images.url('build.png') }, { title: 'Release 8', subtitle: 'Image gone', image_url: images.url('gone.png') }] },
        },
        quick_replies: [{ content_type: 'text', title: 'Thanks', payload: 'THANKS', image_url: images.url('thanks.png') }],
      },
    });
    const log = member.getByRole('log', { name: 'Messages' });
    await log.getByText('Release 9').waitFor({ timeout: 10_000 });
    const cards = log.locator('.template');
    const shown = cards.filter({ hasText: 'Release 9' }).locator('img');
    await member.waitForFunction((el) => el instanceof HTMLImageElement && el.complete && el.naturalWidth > 0, await shown.elementHandle());
    assert.equal(await shown.evaluate((el) => (el as HTMLImageElement).naturalWidth), 30, 'the stored image loads under the CSP');
    assert.ok((await shown.getAttribute('src'))!.startsWith(`${ts.base}/chat-files/`));
    assert.equal(await cards.filter({ hasText: 'Release 8' }).locator('img').count(), 0, 'an image that could not be fetched is left out');
    const icon = member.getByRole('group', { name: 'Quick replies' }).getByRole('button', { name: 'Thanks' }).locator('img');
    await member.waitForFunction((el) => el instanceof HTMLImageElement && el.complete && el.naturalWidth > 0, await icon.elementHandle());
    assert.ok((await icon.getAttribute('src'))!.startsWith(`${ts.base}/chat-files/`));
    await screenshot(member, 'member-chat-template-image');
    assert.deepEqual(memberErrors, []);
  });
});
