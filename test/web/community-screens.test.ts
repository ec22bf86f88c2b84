import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import ExcelJS from 'exceljs';
import { startServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, personContext, screenshot } from './browser.js';

// The admin panel's Community screen (custom badges, awards, the employee data export with its
// progress) and the member app's badges and skills on profiles, with search by skill.

describe('community screens in the browser (sqlite)', { timeout: 180_000 }, () => {
  let ts: TestServer;
  let browser: Browser;
  let admin: Page;
  let member: Page;
  let errors: string[];
  let memberErrors: string[];
  let ben: { id: string };

  before(async () => {
    ts = await startServer('sqlite');
    browser = await launchBrowser();
    ben = await ts.member({ email: 'ben@example.com', name: 'Ben Builder', title: 'Release manager', password: 'ben-Builder-pass-1234' });
    await ts.member({ email: 'cleo@example.com', name: 'Cleo Crafter', title: 'Designer' });
    ({ page: admin, errors } = await personContext(browser, ts.base));
    ({ page: member, errors: memberErrors } = await personContext(browser, ts.base));
  });
  after(async () => {
    await browser?.close();
    await ts?.close();
  });

  test('admin: create a custom badge, award it, export employee data with progress and download it', async () => {
    await admin.goto('/admin/community');
    await admin.getByLabel('Email').fill('admin@example.com');
    await admin.getByLabel('Password').fill('test-Admin-pass-1234');
    await admin.keyboard.press('Enter');
    await admin.getByRole('heading', { name: 'Community', level: 1 }).waitFor();
    const create = admin.getByRole('form', { name: 'New badge' });
    await create.getByLabel('Name').fill('Release Hero');
    await create.getByLabel('Description').fill('Shipped a release without a rollback');
    await create.getByLabel('Icon').selectOption('rocket');
    await create.getByRole('button', { name: 'Create badge' }).click();
    await admin.getByText('Badge created').waitFor();
    await admin.getByRole('cell', { name: /^Release Hero Shipped/ }).waitFor();
    const award = admin.getByRole('form', { name: 'Award a badge' });
    await award.getByLabel('Person').fill('Ben');
    await award.getByRole('button', { name: /Ben Builder/ }).click();
    await award.getByLabel('Badge').selectOption({ label: 'Release Hero' });
    await award.getByRole('button', { name: 'Award' }).click();
    await admin.getByText('Badge awarded to Ben Builder').waitFor();
    const held = await ts.ctx.db.selectFrom('member_badge').select('badge').where('member_id', '=', ben.id).execute();
    assert.match(held[0].badge, /^workplace_custom#\d+$/);

    await admin.getByRole('button', { name: 'Export employee data' }).click();
    const download = admin.getByRole('link', { name: /Download \(3 people\)/ });
    await download.waitFor();
    await screenshot(admin, 'admin-community');
    const url = await download.getAttribute('href');
    const file = await fetch(url!);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await file.arrayBuffer()) as never);
    assert.equal(workbook.getWorksheet('Employees')!.rowCount, 4);

    await admin.getByRole('button', { name: 'Retire Release Hero' }).click();
    await admin.getByRole('dialog').getByRole('button', { name: 'Retire' }).click();
    await admin.getByText('Release Hero retired').waitFor();
    assert.equal((await ts.ctx.db.selectFrom('member_badge').select('badge').where('member_id', '=', ben.id).execute()).length, 0, 'retiring takes it off profiles');
    assert.deepEqual(errors, []);
  });

  test('member: badges on a profile, editing your own skills, finding people by skill', async () => {
    await ts.write(async (w) => {
      const { badgeAwarder } = await import('../../src/domain/commands/badge.js');
      const row = (await w.trx.selectFrom('member').selectAll().where('id', '=', ben.id).executeTakeFirstOrThrow()) as never;
      await badgeAwarder(w, row, 'workplace_champion');
    });
    await member.goto('/');
    await member.getByLabel('Email').fill('ben@example.com');
    await member.getByLabel('Password').fill('ben-Builder-pass-1234');
    await member.getByRole('button', { name: 'Sign in' }).click();
    await member.getByRole('heading', { name: 'Home' }).waitFor();
    await member.goto(`/people/${ben.id}`);
    await member.getByRole('heading', { name: 'Ben Builder' }).waitFor();
    await member.getByRole('list', { name: 'Badges' }).getByText('Workplace Champion').waitFor();
    const add = member.getByRole('form', { name: 'Add a skill' });
    await add.getByLabel('New skill').fill('Release engineering');
    await add.getByRole('button', { name: 'Add' }).click();
    await member.getByRole('link', { name: 'Release engineering' }).waitFor();
    await add.getByLabel('New skill').fill('Kubernetes');
    await add.getByLabel('New skill').press('Enter');
    await member.getByRole('link', { name: 'Kubernetes' }).waitFor();
    await screenshot(member, 'member-profile-skills');
    await member.getByRole('button', { name: 'Remove Kubernetes' }).click();
    await member.getByRole('link', { name: 'Kubernetes' }).waitFor({ state: 'detached' });
    await member.getByRole('link', { name: 'Release engineering' }).click();
    await member.getByRole('heading', { name: 'People' }).waitFor();
    await member.locator('#main').getByRole('link', { name: 'Ben Builder' }).waitFor();
    await member.getByLabel('People with the skill').fill('knitting');
    await member.locator('#main').getByRole('link', { name: 'Ben Builder' }).waitFor({ state: 'detached' });
    const skills = await ts.ctx.db.selectFrom('member_skill').innerJoin('skill', 'skill.id', 'member_skill.skill_id').select('skill.name').where('member_id', '=', ben.id).execute();
    assert.deepEqual(skills.map((s) => s.name), ['Release engineering']);
    assert.deepEqual(memberErrors, []);
  });

  test('reporting: a member reports a post, the admin warns its author, the author sees the notice', async () => {
    const { groupCreator } = await import('../../src/domain/commands/group.js');
    const { groupMemberAdder } = await import('../../src/domain/commands/groupMembership.js');
    const { postCreator } = await import('../../src/domain/commands/post.js');
    const group = await ts.write((w) => groupCreator(w, { name: 'Release Train', privacy: 'OPEN' }));
    await ts.write((w) => groupMemberAdder(w, group, ben.id));
    await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: 'Ship it on Friday night, no tests needed' }), { kind: 'member', memberId: ben.id, isAdmin: false });
    const cleo = await personContext(browser, ts.base);
    await ts.write(async (w) => {
      const { hashPassword } = await import('../../src/domain/secrets.js');
      await w.trx.updateTable('member').set({ password_hash: await hashPassword('cleo-Crafter-pass-1234') }).where('email', '=', 'cleo@example.com').execute();
    });
    await cleo.page.goto('/');
    await cleo.page.getByLabel('Email').fill('cleo@example.com');
    await cleo.page.getByLabel('Password').fill('cleo-Crafter-pass-1234');
    await cleo.page.getByRole('button', { name: 'Sign in' }).click();
    await cleo.page.getByRole('heading', { name: 'Home' }).waitFor();
    await cleo.page.goto(`/groups/${group.id}`);
    await cleo.page.getByText('Ship it on Friday night').waitFor();
    await cleo.page.getByRole('button', { name: 'Report' }).click();
    await cleo.page.getByRole('dialog').getByLabel('What is wrong with it?').fill('Encourages skipping tests');
    await cleo.page.getByRole('dialog').getByRole('button', { name: 'Send report' }).click();
    await cleo.page.getByText('the admins will review this post').waitFor();
    assert.deepEqual(cleo.errors, []);
    await cleo.context.close();

    await admin.goto('/admin/community');
    const reports = admin.getByRole('list', { name: 'Reports' });
    await reports.getByText('Encourages skipping tests').waitFor();
    await screenshot(admin, 'admin-reported-content');
    await reports.getByRole('button', { name: 'Warn the author' }).click();
    await admin.getByRole('dialog').getByLabel('Note to the author').fill('Please follow the release checklist');
    await admin.getByRole('dialog').getByRole('button', { name: 'Warn the author' }).click();
    await admin.getByText('Report resolved: warn the author').waitFor();
    await admin.getByText('Nothing is waiting for review.').waitFor();

    await member.goto(`/people/${ben.id}`);
    await member.getByRole('heading', { name: 'Notices from the admins' }).waitFor();
    await member.getByText('Please follow the release checklist').waitFor();
    const post = await ts.ctx.db.selectFrom('post').select('id').where('feed_id', '=', group.id).executeTakeFirst();
    assert.ok(post, 'a warned post stays');
    assert.deepEqual(errors, []);
  });
});
