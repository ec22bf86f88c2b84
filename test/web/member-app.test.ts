import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { groupCreator } from '../../src/domain/commands/group.js';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, personContext, screenshot, testPicture } from './browser.js';

// The member app: an invited person claims the account through the claim link, joins groups
// as join_setting allows, posts Markdown with @mentions of a person and a bot and a photo,
// comments, replies and reacts, reads profiles and the org chart — on a desktop and at phone
// width. Script and HTML payloads in posts and comments stay inert text.

const ADMIN = { email: 'admin@example.com', password: 'test-Admin-pass-1234' };
const PAYLOADS = [
  `<script>window.__xss = 'script'</script>`,
  `<img src="x" onerror="window.__xss = 'img'">`,
  `[click me](javascript:window.__xss='link')`,
  `<svg onload="window.__xss = 'svg'"></svg>`,
  `<a href="javascript:window.__xss='a'">anchor</a>`,
].join('\n\n');

describe('member app in the browser (sqlite)', { timeout: 240_000 }, () => {
  let ts: TestServer;
  let browser: Browser;
  let olga: { id: string };
  let bot: IssuedCredentials;
  let groups: Record<string, string>;
  let nora: Page;
  let noraErrors: string[];
  let noraId: string;

  before(async () => {
    ts = await startServer('sqlite');
    browser = await launchBrowser();
    olga = await ts.member({ email: 'olga@example.com', name: 'Olga Owner', title: 'Head of Platform', department: 'Engineering', password: 'olga-Owner-pass-1234' });
    const make = (name: string, privacy: 'OPEN' | 'CLOSED' | 'SECRET', join: 'NONE' | 'ANYONE' | 'ADMIN_ONLY') => ts.write((w) => groupCreator(w, { name, privacy, join_setting: join, adminId: olga.id }));
    groups = {
      lounge: (await make('Open Lounge', 'OPEN', 'NONE')).id,
      club: (await make('Closed Club', 'CLOSED', 'NONE')).id,
      guild: (await make('Closed Guild', 'CLOSED', 'ANYONE')).id,
      secret: (await make('Secret Ops', 'SECRET', 'NONE')).id,
    };
    bot = await ts.integration(['read_group', 'write_group'], { name: 'Deploy Bot' });
  });
  after(async () => {
    await browser?.close();
    await ts?.close();
  });

  test('an admin invites a person; the claim link sets the password and signs them in', async () => {
    const { page: admin, context } = await personContext(browser, ts.base);
    await admin.goto('/admin/people');
    await admin.getByLabel('Email').fill(ADMIN.email);
    await admin.getByLabel('Password').fill(ADMIN.password);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.getByRole('button', { name: 'Invite person' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Invite a person' });
    await dialog.getByLabel('Full name').fill('Nora New');
    await dialog.getByLabel('Email').fill('nora@example.com');
    await dialog.getByLabel('Title').fill('Platform engineer');
    await dialog.getByRole('button', { name: 'Invite' }).click();
    await admin.getByRole('heading', { name: 'Nora New' }).waitFor();
    noraId = new URL(admin.url()).pathname.split('/').pop()!;
    await admin.getByLabel('Set manager').fill('Olga');
    await admin.getByRole('button', { name: /Olga Owner/ }).click();
    await admin.getByRole('link', { name: 'Olga Owner' }).waitFor();
    const link = await admin.getByRole('textbox', { name: 'Claim link' }).inputValue();
    assert.match(link, /\/claim\/[\w-]+$/);
    await screenshot(admin, 'admin-person');
    await context.close();

    ({ page: nora, errors: noraErrors } = await personContext(browser, ts.base));
    await nora.goto(new URL(link).pathname);
    await nora.getByText('Welcome, Nora New').waitFor();
    await nora.getByLabel('New password').fill('nora-New-pass-1234');
    await nora.getByLabel('Repeat the password').fill('nora-New-pass-1234');
    await screenshot(nora, 'member-claim');
    await nora.getByRole('button', { name: 'Claim account' }).click();
    await nora.getByRole('heading', { name: 'Home' }).waitFor();
    const again = await http('GET', `${ts.base}/api/invitations/${link.split('/').pop()}`);
    assert.equal(again.status, 404, 'a claim link works once');
  });

  test('groups show by privacy and take members by join_setting', async () => {
    await nora.getByRole('link', { name: 'Groups', exact: true }).click();
    const discover = nora.getByRole('region', { name: 'Discover' });
    await discover.getByRole('link', { name: 'Open Lounge' }).waitFor();
    assert.equal(await discover.getByRole('link', { name: 'Secret Ops' }).count(), 0, 'secret groups are invisible to non-members');
    assert.equal(await discover.getByRole('button', { name: 'Join Closed Club' }).count(), 0, 'a closed group with join_setting NONE takes no self-joins');
    await discover.getByRole('button', { name: 'Join Closed Guild' }).waitFor();
    const refused = await nora.evaluate(async (id) => (await fetch(`/api/groups/${id}/join`, { method: 'POST' })).status, groups.club);
    assert.equal(refused, 403, 'without the CSRF token a change is refused');
    await discover.getByRole('button', { name: 'Join Open Lounge' }).click();
    await nora.getByRole('region', { name: 'Your groups' }).getByRole('link', { name: 'Open Lounge' }).waitFor();
    await screenshot(nora, 'member-groups');
    const secret = await http('GET', `${ts.base}/api/groups/${groups.secret}`);
    assert.equal(secret.status, 401);
  });

  test('a post with Markdown, @mentions of a person and a bot, and a photo', async () => {
    await nora.goto(`/groups/${groups.lounge}`);
    const box = nora.getByLabel('Write something to Open Lounge');
    await box.fill('Hello **team**, ping @Olg');
    await nora.getByRole('option', { name: /Olga Owner/ }).click();
    await box.pressSequentially('and @Deplo');
    await nora.getByRole('option', { name: /Deploy Bot/ }).waitFor();
    await box.press('Enter');
    await box.pressSequentially('for the `v1.3` rollout');
    await nora.locator('input[type=file]').setInputFiles({ name: 'rollout.png', mimeType: 'image/png', buffer: await testPicture(320, 200, '#1971c2') });
    await nora.getByRole('img', { name: 'Attached photo' }).waitFor();
    await nora.getByRole('button', { name: 'Post', exact: true }).click();
    const post = nora.locator('article.post').filter({ hasText: 'rollout' });
    await post.waitFor();
    assert.equal(await post.locator('strong', { hasText: 'team' }).count(), 1);
    assert.equal(await post.locator('code', { hasText: 'v1.3' }).count(), 1);
    assert.equal(await post.locator(`a.mention[href="/people/${olga.id}"]`).innerText(), 'Olga Owner');
    assert.equal(await post.locator(`a.mention-page[href="/people/${bot.page_id}"]`).innerText(), 'Deploy Bot');
    await post.getByRole('img', { name: 'Photo posted by Nora New' }).waitFor();
    const mentioned = await ts.client(bot.access_token).get<{ data: { message_tags: { id: string }[] }[] }>(`${groups.lounge}/feed`, { fields: 'message_tags' });
    assert.deepEqual(mentioned.data[0].message_tags.map((t) => t.id).sort(), [olga.id, bot.page_id].sort(), 'the API sees both mentions');
  });

  test('comments, replies and reactions', async () => {
    const post = nora.locator('article.post').filter({ hasText: 'rollout' });
    await post.getByLabel('Write a comment').fill('First comment');
    await post.getByRole('button', { name: 'Comment', exact: true }).click();
    await post.getByText('First comment').waitFor();
    await post.getByRole('button', { name: 'Reply' }).click();
    await post.getByLabel('Reply to Nora New').fill('A reply');
    await post.getByRole('button', { name: 'Reply', exact: true }).last().click();
    await post.locator('li.comment.reply').filter({ hasText: 'A reply' }).waitFor();
    await post.getByRole('button', { name: 'React…' }).first().click();
    await post.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: 'Love' }).click();
    await post.getByText('1 Love').waitFor();
    assert.equal(await post.getByRole('button', { name: 'Love', pressed: true }).count(), 1);
    await screenshot(nora, 'member-post-comments');
  });

  test('script and HTML in posts and comments stay inert text', async () => {
    await ts.client(bot.access_token).postToGroup(groups.lounge, { message: `Bot says ${PAYLOADS}`, formatting: 'MARKDOWN' });
    await nora.reload();
    const box = nora.getByLabel('Write something to Open Lounge');
    await box.fill(`Member says ${PAYLOADS}`);
    await nora.getByRole('button', { name: 'Post', exact: true }).click();
    const memberPost = nora.locator('article.post').filter({ hasText: 'Member says' });
    await memberPost.waitFor();
    await memberPost.getByLabel('Write a comment').fill(`Comment says ${PAYLOADS}`);
    await memberPost.getByRole('button', { name: 'Comment', exact: true }).click();
    await memberPost.getByText('Comment says').waitFor();
    const botPost = nora.locator('article.post').filter({ hasText: 'Bot says' });
    await botPost.waitFor();
    for (const article of [memberPost, botPost]) {
      const text = await article.innerText();
      assert.match(text, /<script>window.__xss = 'script'<\/script>/, 'the script tag shows as text');
      assert.match(text, /<img src="x" onerror=/, 'the img tag shows as text');
      assert.equal(await article.locator('script, svg, iframe, object, embed').count(), 0);
      assert.equal(await article.locator('img[src="x"], [onerror], [onload]').count(), 0);
      assert.equal(await article.locator('a[href^="javascript" i]').count(), 0, 'javascript: links never become links');
    }
    await nora.getByText('click me').first().click();
    await nora.waitForTimeout(300);
    assert.equal(await nora.evaluate(() => (window as unknown as { __xss?: string }).__xss), undefined, 'nothing executed');
    assert.deepEqual(noraErrors, []);
  });

  test('profiles show work fields and the org chart', async () => {
    await nora.goto(`/people/${olga.id}`);
    await nora.getByRole('heading', { name: 'Olga Owner' }).waitFor();
    await nora.getByText('Head of Platform').first().waitFor();
    const chart = nora.getByRole('region', { name: 'Org chart' });
    await chart.getByRole('link', { name: /Nora New/ }).waitFor();
    await chart.getByRole('link', { name: /Nora New/ }).click();
    await nora.getByRole('heading', { name: 'Nora New' }).waitFor();
    await nora.getByRole('region', { name: 'Org chart' }).getByRole('link', { name: /Olga Owner/ }).waitFor();
    await screenshot(nora, 'member-profile');
    assert.equal(noraId.length > 0, true);
  });

  test('usable at phone width: no sideways scrolling, the feed and chat fit', async () => {
    const { page, context, errors } = await personContext(browser, ts.base, { phone: true });
    await page.goto('/');
    await page.getByLabel('Email').fill('nora@example.com');
    await page.getByLabel('Password').fill('nora-New-pass-1234');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Home' }).waitFor();
    for (const path of ['/', `/groups/${groups.lounge}`, '/groups', '/chat', `/people/${olga.id}`]) {
      await page.goto(path);
      await page.locator('h1').first().waitFor({ state: 'attached' });
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `${path} scrolls sideways by ${overflow}px at 390px`);
    }
    await page.goto(`/groups/${groups.lounge}`);
    await page.locator('article.post').first().waitFor();
    await screenshot(page, 'member-phone');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
