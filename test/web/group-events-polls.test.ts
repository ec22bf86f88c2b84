import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { groupCreator } from '../../src/domain/commands/group.js';
import { eventCreator } from '../../src/domain/commands/groupEvent.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import type { GroupRow } from '../../src/db/repositories/group.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, personContext, screenshot } from './browser.js';

// The group page's Events tab (upcoming and past, create, answer, cancel, the group's calendar
// link) and polls in the feed (written in the composer, answered, changed, taken back), by two
// people in their own browsers.

describe('group events and polls in the browser (sqlite)', { timeout: 240_000 }, () => {
  let ts: TestServer;
  let browser: Browser;
  let team: GroupRow;
  let eve: { page: Page; errors: string[] };
  let sam: { page: Page; errors: string[] };
  const asMember = (memberId: string) => ({ kind: 'member' as const, memberId, isAdmin: false });

  before(async () => {
    ts = await startServer('sqlite');
    browser = await launchBrowser();
    const e = await ts.member({ email: 'eve@example.com', name: 'Eve Engineer', password: 'eve-pass-123456' });
    const s = await ts.member({ email: 'sam@example.com', name: 'Sam Sales', password: 'sam-pass-123456' });
    team = await ts.write((w) => groupCreator(w, { name: 'Platform Team', privacy: 'CLOSED', adminId: e.id }));
    await ts.write((w) => groupMemberAdder(w, team, s.id));
    const day = 86_400_000;
    const soon = Date.now() + 3 * day;
    await ts.write((w) => eventCreator(w, team, { name: 'Design review', start_time: soon, end_time: soon + 3_600_000, place: 'Room 4', timezone: 'UTC' }), asMember(s.id));
    await ts.write((w) => eventCreator(w, team, { name: 'Team dinner', start_time: soon + 7 * day, place: 'Chez Marie', description: 'Bring your appetite.' }), asMember(e.id));
    await ts.write((w) => eventCreator(w, team, { name: 'Kick-off', start_time: Date.now() - 30 * day, end_time: Date.now() - 30 * day + 7_200_000 }), asMember(e.id));
    eve = await signIn('eve@example.com', 'eve-pass-123456');
    sam = await signIn('sam@example.com', 'sam-pass-123456');
  });
  after(async () => {
    await browser?.close();
    await ts?.close();
  });

  async function signIn(email: string, password: string) {
    const { page, errors } = await personContext(browser, ts.base);
    await page.goto('/');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Home' }).waitFor();
    return { page, errors };
  }
  const card = (page: Page, name: string) => page.locator('.event-card', { has: page.getByRole('heading', { name, exact: true }) });

  test('Events tab: upcoming and past, create with the form, answer, the calendar link, cancel', async () => {
    const { page } = eve;
    await page.goto(`/groups/${team.id}`);
    await page.getByRole('navigation', { name: 'Platform Team sections' }).getByRole('link', { name: 'Events' }).click();
    await page.getByRole('heading', { name: 'Upcoming events' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/groups/${team.id}/events`);
    assert.deepEqual(await page.locator('.event-card h3').allTextContents(), ['Design review', 'Team dinner']);

    await page.getByRole('button', { name: 'Create event' }).click();
    const form = page.getByRole('form', { name: 'New event' });
    await form.getByLabel('Name').fill('Quarterly planning');
    await form.getByLabel('Starts').fill('2031-05-14T10:00');
    await form.getByLabel('Ends (optional)').fill('2031-05-14T12:30');
    await form.getByLabel('Where (optional)').fill('Main hall');
    await form.getByLabel('Details (optional)').fill('Goals for the next quarter.');
    await form.getByRole('button', { name: 'Create event' }).click();
    await card(page, 'Quarterly planning').waitFor();
    assert.deepEqual(await page.locator('.event-card h3').allTextContents(), ['Design review', 'Team dinner', 'Quarterly planning']);
    const made = await ts.ctx.db.selectFrom('event').selectAll().where('name', '=', 'Quarterly planning').executeTakeFirstOrThrow();
    assert.equal(made.place, 'Main hall');
    assert.equal(made.end_time! - made.start_time, 150 * 60_000);

    const review = card(page, 'Design review');
    await review.getByRole('button', { name: 'Going' }).click();
    await review.getByRole('button', { name: 'Going', pressed: true }).waitFor();
    await review.getByText('1 going').waitFor();
    await review.getByRole('button', { name: 'Going' }).click();
    await review.getByText('0 going').waitFor();
    await review.getByRole('button', { name: 'Maybe' }).click();
    await review.getByText('1 maybe').waitFor();

    await sam.page.goto(`/groups/${team.id}/events`);
    const samReview = card(sam.page, 'Design review');
    await samReview.getByRole('button', { name: 'Going' }).click();
    await samReview.getByText('1 going · 1 maybe').waitFor();
    assert.equal(await card(sam.page, 'Team dinner').getByRole('button', { name: 'Cancel event' }).count(), 0, 'only the host and group admins cancel');
    await card(sam.page, 'Team dinner').getByRole('button', { name: "Can't go" }).click();
    await card(sam.page, 'Team dinner').getByText("1 can't go").waitFor();

    await page.getByRole('button', { name: 'Copy calendar link' }).click();
    const link = await page.getByLabel('Calendar link').inputValue();
    assert.match(link, /\/calendar\/\d+\/[A-Za-z0-9_-]+\.ics$/);
    const ics = await http('GET', link);
    assert.equal(ics.status, 200);
    assert.match(ics.headers.get('content-type')!, /text\/calendar/);
    assert.match(ics.text, /SUMMARY:Quarterly planning/);
    assert.match(ics.text, /X-WR-CALNAME:Platform Team: events/);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);

    await page.reload();
    await card(page, 'Design review').getByText('1 going · 1 maybe').waitFor();
    await screenshot(page, 'member-group-events');

    await card(page, 'Team dinner').getByRole('button', { name: 'Cancel event' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel Team dinner?' });
    await dialog.getByRole('button', { name: 'Cancel event' }).click();
    await card(page, 'Team dinner').getByText('Canceled').waitFor();
    assert.equal(await card(page, 'Team dinner').getByRole('button', { name: 'Going' }).count(), 0, 'a canceled event takes no answers');
    assert.equal((await ts.ctx.db.selectFrom('event').select('is_canceled').where('name', '=', 'Team dinner').executeTakeFirstOrThrow()).is_canceled, 1);

    await page.getByRole('button', { name: 'Past' }).click();
    await page.getByRole('heading', { name: 'Past events' }).waitFor();
    assert.deepEqual(await page.locator('.event-card h3').allTextContents(), ['Kick-off']);
    assert.deepEqual(eve.errors, []);
    assert.deepEqual(sam.errors, []);
  });

  test('polls: written in the composer, answered with counts and shares, changed and taken back', async () => {
    const { page } = eve;
    await page.goto(`/groups/${team.id}`);
    const composer = page.locator('form.composer').first();
    await composer.getByLabel('Write something to Platform Team').fill('Help me pick the offsite venue.');
    await composer.getByRole('button', { name: 'Poll' }).click();
    await composer.getByLabel('Question').fill('Where should the offsite be?');
    await composer.getByLabel('Option 1', { exact: true }).fill('Lisbon');
    assert.equal(await composer.getByRole('button', { name: 'Post' }).isDisabled(), true, 'a poll needs two options');
    await composer.getByLabel('Option 2', { exact: true }).fill('Kraków');
    await composer.getByRole('button', { name: 'Add option' }).click();
    await composer.getByLabel('Option 3', { exact: true }).fill('Porto');
    await composer.getByRole('button', { name: 'Post' }).click();
    const poll = page.locator('.post fieldset.poll', { hasText: 'Where should the offsite be?' });
    await poll.waitFor();
    await poll.getByText('0 people answered').waitFor();
    assert.equal(await composer.locator('fieldset.poll-editor').count(), 0, 'the composer is empty again');

    await sam.page.goto(`/groups/${team.id}`);
    const samPoll = sam.page.locator('.post fieldset.poll', { hasText: 'Where should the offsite be?' });
    await samPoll.getByRole('radio', { name: /Lisbon/ }).check();
    await samPoll.getByText('1 person answered').waitFor();
    await samPoll.getByRole('radio', { name: /Lisbon.*100% · 1 vote/ }).waitFor();
    await samPoll.getByRole('radio', { name: /Porto/ }).check();
    await samPoll.getByRole('radio', { name: /Porto.*100% · 1 vote/ }).waitFor();
    await samPoll.getByRole('radio', { name: /Lisbon.*0% · 0 votes/ }).waitFor();

    await page.reload();
    await poll.getByRole('radio', { name: /Lisbon/ }).check();
    await poll.getByText('2 people answered').waitFor();
    await poll.getByRole('radio', { name: /Lisbon.*50% · 1 vote/ }).waitFor();
    await poll.getByRole('radio', { name: /Porto.*50% · 1 vote/ }).waitFor();
    await page.locator('.post', { hasText: 'Where should the offsite be?' }).getByRole('button', { name: 'Like' }).click();
    await screenshot(page, 'member-poll');

    await poll.getByRole('button', { name: 'Take back my answer' }).click();
    await poll.getByText('1 person answered').waitFor();
    assert.equal(await poll.getByRole('radio', { checked: true }).count(), 0);

    await composer.getByRole('button', { name: 'Poll' }).click();
    await composer.getByLabel('Question').fill('Which days work?');
    await composer.getByLabel('Option 1', { exact: true }).fill('Monday');
    await composer.getByLabel('Option 2', { exact: true }).fill('Tuesday');
    await composer.getByLabel('Allow several answers').check();
    await composer.getByRole('button', { name: 'Post' }).click();
    const days = page.locator('.post fieldset.poll', { hasText: 'Which days work?' });
    await days.getByText('Choose one or more').waitFor();
    await days.getByRole('checkbox', { name: /Monday/ }).check();
    await days.getByRole('checkbox', { name: /Monday.*1 vote/ }).waitFor();
    await days.getByRole('checkbox', { name: /Tuesday/ }).check();
    await days.getByRole('checkbox', { name: /Tuesday.*100% · 1 vote/ }).waitFor();
    await days.getByRole('checkbox', { name: /Monday/ }).uncheck();
    await days.getByRole('checkbox', { name: /Monday.*0 votes/ }).waitFor();
    const votes = await ts.ctx.db.selectFrom('poll_vote').innerJoin('poll_option', 'poll_option.id', 'poll_vote.option_id').select('poll_option.name').execute();
    assert.deepEqual(votes.map((v) => v.name).sort(), ['Porto', 'Tuesday']);
    assert.deepEqual(eve.errors, []);
    assert.deepEqual(sam.errors, []);
  });
});
