import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, personContext, screenshot } from './browser.js';

// The admin panel beyond integrations: People (search, edit, deactivate and reactivate, grant
// admin), Groups (create, edit, members and roles, archive), the Security log (filters, CSV).
// Sign-in works from the keyboard alone.

describe('admin panel screens in the browser (sqlite)', { timeout: 180_000 }, () => {
  let ts: TestServer;
  let browser: Browser;
  let admin: Page;
  let errors: string[];
  let ben: { id: string };

  before(async () => {
    ts = await startServer('sqlite');
    browser = await launchBrowser();
    ben = await ts.member({ email: 'ben@example.com', name: 'Ben Builder', title: 'Release manager', department: 'Engineering', password: 'ben-Builder-pass-1234' });
    await ts.member({ email: 'cleo@example.com', name: 'Cleo Crafter', title: 'Designer', department: 'Design' });
    ({ page: admin, errors } = await personContext(browser, ts.base));
  });
  after(async () => {
    await browser?.close();
    await ts?.close();
  });

  test('signing in works from the keyboard alone', async () => {
    await admin.goto('/admin');
    await admin.getByLabel('Email').waitFor();
    assert.equal(await admin.evaluate(() => document.activeElement?.getAttribute('name')), 'email', 'the email field has focus');
    await admin.keyboard.type('admin@example.com');
    await admin.keyboard.press('Tab');
    await admin.keyboard.type('wrong-password');
    await admin.keyboard.press('Enter');
    await admin.getByRole('alert').waitFor();
    await admin.getByLabel('Password').fill('test-Admin-pass-1234');
    await admin.keyboard.press('Enter');
    await admin.getByRole('heading', { name: 'Integrations' }).waitFor();
  });

  test('People: search, edit a profile, deactivate and reactivate, grant admin', async () => {
    await admin.getByRole('link', { name: 'People' }).click();
    await admin.getByRole('link', { name: 'Cleo Crafter' }).waitFor();
    await admin.getByLabel('Search').fill('release');
    await admin.getByRole('link', { name: 'Cleo Crafter' }).waitFor({ state: 'detached' });
    await screenshot(admin, 'admin-people');
    await admin.getByRole('link', { name: 'Ben Builder' }).click();
    await admin.getByRole('heading', { name: 'Ben Builder' }).waitFor();
    await admin.getByLabel('Department').fill('Release Engineering');
    await admin.getByRole('button', { name: 'Save profile' }).click();
    await admin.getByText('Profile saved').waitFor();
    await admin.getByRole('button', { name: 'Deactivate' }).click();
    await admin.getByRole('dialog').getByRole('button', { name: 'Deactivate' }).click();
    await admin.getByText('Deactivated', { exact: true }).first().waitFor();
    const signIn = await fetch(`${ts.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': 'sign-in' }, body: JSON.stringify({ email: 'ben@example.com', password: 'ben-Builder-pass-1234' }) });
    assert.equal(signIn.status, 401, 'a deactivated person cannot sign in');
    await admin.getByRole('button', { name: 'Reactivate' }).click();
    await admin.getByRole('button', { name: 'Make system admin' }).click();
    await admin.getByRole('dialog').getByRole('button', { name: 'Make admin' }).click();
    await admin.getByText('System admin', { exact: true }).waitFor();
    const row = await ts.ctx.db.selectFrom('member').select(['is_admin', 'state', 'department']).where('id', '=', ben.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { is_admin: 1, state: 'claimed', department: 'Release Engineering' });
  });

  test('Groups: create, edit, members and roles, archive', async () => {
    await admin.getByRole('link', { name: 'Groups' }).click();
    await admin.getByRole('button', { name: 'Create group' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Create a group' });
    await dialog.getByLabel('Name').fill('Release Train');
    await dialog.getByLabel('Privacy').selectOption('OPEN');
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await admin.getByRole('heading', { name: 'Release Train' }).waitFor();
    await admin.getByLabel('Add a member').fill('Ben');
    await admin.getByRole('button', { name: /Ben Builder/ }).click();
    await admin.getByLabel('Role of Ben Builder').selectOption('admin');
    await admin.getByText('Ben Builder is now an admin').waitFor();
    await admin.getByLabel('Add a member').fill('Cleo');
    await admin.getByRole('button', { name: /Cleo Crafter/ }).click();
    await admin.getByLabel('Role of Cleo Crafter').waitFor();
    await admin.getByLabel('Who can post').selectOption('ADMIN_ONLY');
    await admin.getByRole('button', { name: 'Save settings' }).click();
    await admin.getByText('Group saved').waitFor();
    await screenshot(admin, 'admin-group');
    await admin.getByRole('button', { name: 'Archive' }).click();
    await admin.getByRole('button', { name: 'Restore' }).waitFor();
    const group = await ts.ctx.db.selectFrom('work_group').select(['id', 'privacy', 'post_permissions', 'archived']).where('name', '=', 'Release Train').executeTakeFirstOrThrow();
    assert.deepEqual({ ...group, id: undefined }, { id: undefined, privacy: 'OPEN', post_permissions: 'ADMIN_ONLY', archived: 1 });
    const roles = await ts.ctx.db.selectFrom('group_member').select(['member_id', 'role']).where('group_id', '=', group.id).orderBy('role').execute();
    assert.deepEqual(roles.map((r) => r.role), ['admin', 'member']);
  });

  test('Security log: filter by actor, type and time; export CSV', async () => {
    await admin.getByRole('link', { name: 'Security log' }).click();
    await admin.getByRole('cell', { name: 'group.created' }).first().waitFor();
    await admin.getByLabel('Event type').selectOption('account.');
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    await admin.getByRole('cell', { name: 'account.deactivated' }).waitFor();
    assert.equal(await admin.getByRole('cell', { name: 'group.created' }).count(), 0);
    await admin.getByLabel('Actor').fill('admin@example.com');
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    await admin.getByRole('cell', { name: 'account.admin_granted' }).waitFor();
    await screenshot(admin, 'admin-security-log');
    const download = admin.waitForEvent('download');
    await admin.getByRole('link', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const csv = fs.readFileSync(file, 'utf8');
    assert.match(csv.split('\r\n')[0], /^time,actor_type,actor_id,actor_name,action,/);
    assert.match(csv, /account\.deactivated/);
    assert.doesNotMatch(csv, /group\.created/, 'the export keeps the filters');
    await admin.getByLabel('From', { exact: true }).fill('2000-01-01T00:00');
    await admin.getByLabel('To', { exact: true }).fill('2000-01-02T00:00');
    await admin.getByLabel('Actor').fill('');
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    await admin.getByText('No events match.').waitFor();
    assert.deepEqual(errors, []);
  });
});
