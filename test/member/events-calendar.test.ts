import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder, groupMemberRemover } from '../../src/domain/commands/groupMembership.js';
import type { GroupRow } from '../../src/db/repositories/group.js';
import { dialects } from '../helpers/dialects.js';
import { http, SIGN_IN, startServer, type TestServer } from '../helpers/server.js';

// The member app's events (list, create, RSVP, cancel) and calendar feeds: signed .ics links per
// member and per group, rotated and revoked.

/** Unfolds RFC 5545 lines (a CRLF followed by a space continues the line). */
const unfold = (ics: string) => ics.replace(/\r\n[ \t]/g, '');

for (const dialect of await dialects()) {
  describe(`member app events and calendar feeds (${dialect})`, () => {
    let ts: TestServer;
    type Session = { cookie: string; csrf: string };
    let eve: Session;
    let sam: Session;
    let samId: string;
    let eng: GroupRow;
    let secret: GroupRow;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      const e = await ts.member({ name: 'Eve Engineer', email: 'eve@example.com', password: 'eve-pass-123456' });
      const s = await ts.member({ name: 'Sam Sales', email: 'sam@example.com', password: 'sam-pass-123456' });
      samId = s.id;
      eng = await ts.write((w) => groupCreator(w, { name: 'Engineering', privacy: 'CLOSED' }));
      secret = await ts.write((w) => groupCreator(w, { name: 'Board; "private", \\ notes', privacy: 'SECRET' }));
      await ts.write((w) => groupMemberAdder(w, eng, e.id));
      await ts.write((w) => groupMemberAdder(w, eng, s.id));
      await ts.write((w) => groupMemberAdder(w, secret, e.id));
      eve = await signIn('eve@example.com', 'eve-pass-123456');
      sam = await signIn('sam@example.com', 'sam-pass-123456');
    });
    after(() => ts.close());

    async function signIn(email: string, password: string): Promise<Session> {
      const r = await http('POST', `${ts.base}/api/session`, { json: { email, password }, headers: SIGN_IN });
      assert.equal(r.status, 200, r.text);
      return { cookie: r.headers.get('set-cookie')!.split(';')[0], csrf: r.json.csrf_token as string };
    }
    const api = (s: Session, method: string, path: string, json?: unknown) => http(method, `${ts.base}/api${path}`, { json, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    const count = async (table: 'audit_event' | 'event' | 'calendar_feed') => Number((await ts.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

    test('create, list upcoming with cursors, RSVP, cancel; bad input writes nothing; outsiders see nothing', async () => {
      const made = await api(eve, 'POST', `/groups/${eng.id}/events`, { name: 'Design review', start_time: '2030-03-01T10:00:00Z', end_time: '2030-03-01T11:00:00Z', timezone: 'Europe/Berlin', place: 'Room 4' });
      assert.equal(made.status, 200, made.text);
      assert.equal(made.json.name, 'Design review');
      assert.equal(made.json.can_edit, true);
      assert.deepEqual(made.json.counts, { attending: 0, declined: 0, maybe: 0, interested: 0, noreply: 2 });
      for (let i = 0; i < 3; i++) await api(eve, 'POST', `/groups/${eng.id}/events`, { name: `Later ${i}`, start_time: `2030-04-0${i + 1}T10:00:00Z` });
      const before = [await count('event'), await count('audit_event')];
      for (const [body, message] of [
        [{ start_time: '2030-03-01T10:00:00Z' }, /name is required/],
        [{ name: 'x', start_time: 'whenever' }, /start_time must be/],
        [{ name: 'x', start_time: '2030-03-01T10:00:00Z', end_time: '2030-03-01T09:00:00Z' }, /must not be before/],
        [{ name: 'x', start_time: '2030-03-01T10:00:00Z', guest_list_enabled: 'yes' }, /true or false/],
      ] as const) {
        const r = await api(eve, 'POST', `/groups/${eng.id}/events`, body);
        assert.equal(r.status, 400, r.text);
        assert.match(r.json.error.message, message);
      }
      assert.deepEqual([await count('event'), await count('audit_event')], before);
      const first = await api(sam, 'GET', `/groups/${eng.id}/events?limit=2`);
      assert.deepEqual(first.json.data.map((e: { name: string }) => e.name), ['Design review', 'Later 0']);
      const second = await api(sam, 'GET', `/groups/${eng.id}/events?limit=2&after=${first.json.next}`);
      assert.deepEqual(second.json.data.map((e: { name: string }) => e.name), ['Later 1', 'Later 2']);
      assert.equal(second.json.next, null);
      const rsvp = await api(sam, 'POST', `/events/${made.json.id}/rsvp`, { rsvp_status: 'attending' });
      assert.equal(rsvp.json.my_rsvp, 'attending');
      assert.deepEqual([rsvp.json.counts.attending, rsvp.json.counts.noreply], [1, 1]);
      assert.equal(rsvp.json.can_edit, false);
      assert.equal((await api(sam, 'POST', `/events/${made.json.id}/rsvp`, { rsvp_status: 'sure' })).status, 400);
      assert.equal((await api(sam, 'POST', `/events/${made.json.id}`, { name: 'Mine now' })).status, 403);
      const canceled = await api(eve, 'POST', `/events/${made.json.id}`, { is_canceled: true });
      assert.equal(canceled.json.is_canceled, true);
      assert.equal((await api(sam, 'POST', `/events/${made.json.id}/rsvp`, { rsvp_status: 'maybe' })).status, 400);
      const hidden = await api(sam, 'GET', `/groups/${secret.id}/events`);
      assert.equal(hidden.status, 404);
      const secretEvent = await api(eve, 'POST', `/groups/${secret.id}/events`, { name: 'Board meeting', start_time: '2030-05-01T10:00:00Z' });
      assert.equal((await api(sam, 'POST', `/events/${secretEvent.json.id}/rsvp`, { rsvp_status: 'attending' })).status, 404);
    });

    test('calendar feeds: one .ics per member and per group, escaped and folded; rotation and revocation end the old link', async () => {
      const mine = await api(eve, 'POST', '/calendar-feeds', {});
      assert.equal(mine.status, 200, mine.text);
      assert.match(mine.json.url, /\/calendar\/\d+\/[A-Za-z0-9_-]{40,}\.ics$/);
      const group = await api(eve, 'POST', '/calendar-feeds', { group_id: secret.id });
      assert.equal((await api(sam, 'POST', '/calendar-feeds', { group_id: secret.id })).status, 404, 'no feed of a group one cannot read');
      await api(eve, 'POST', `/groups/${secret.id}/events`, { name: 'Budget; "final", part\\two, with a very long name that must be folded across several lines of the calendar', start_time: '2030-06-01T08:00:00Z', description: 'Line one\nLine two', place: 'HQ, floor 3' });

      const ics = await http('GET', mine.json.url);
      assert.equal(ics.status, 200);
      assert.match(ics.headers.get('content-type')!, /^text\/calendar/);
      assert.ok(ics.text.startsWith('BEGIN:VCALENDAR\r\n'));
      for (const line of ics.text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `line longer than 75 octets: ${line}`);
      const text = unfold(ics.text);
      assert.match(text, /SUMMARY:Budget\\; "final"\\, part\\\\two\\, with a very long name/);
      assert.match(text, /DESCRIPTION:Line one\\nLine two/);
      assert.match(text, /LOCATION:HQ\\, floor 3/);
      assert.match(text, /DTSTART:20300601T080000Z/);
      assert.match(text, /STATUS:CANCELLED/, 'the canceled design review is in the feed, marked');
      assert.match(text, /SUMMARY:Later 0/);
      const groupIcs = unfold((await http('GET', group.json.url)).text);
      assert.match(groupIcs, /SUMMARY:Board meeting/);
      assert.doesNotMatch(groupIcs, /Later 0/, 'a group feed holds that group only');

      const listed = await api(eve, 'GET', '/calendar-feeds');
      assert.equal(listed.json.data.length, 2);
      assert.ok(listed.json.data.every((f: Record<string, unknown>) => !('url' in f)), 'the link is shown once');
      assert.ok(listed.json.data.some((f: { last_used_time: string | null }) => f.last_used_time));

      const rotated = await api(eve, 'POST', '/calendar-feeds', {});
      assert.equal((await http('GET', mine.json.url)).status, 404, 'the rotated link stops working');
      assert.equal((await http('GET', rotated.json.url)).status, 200);
      const wrong = rotated.json.url.replace(/\/([A-Za-z0-9_-]+)\.ics$/, '/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics');
      assert.equal((await http('GET', wrong)).status, 404);
      assert.equal((await api(sam, 'DELETE', `/calendar-feeds/${rotated.json.id}`)).status, 404, "someone else's feed");
      assert.equal((await api(eve, 'DELETE', `/calendar-feeds/${rotated.json.id}`)).json.success, true);
      assert.equal((await http('GET', rotated.json.url)).status, 404, 'a revoked link stops working');
      const audit = await ts.ctx.db.selectFrom('audit_event').select('action').where('target_type', '=', 'calendar_feed').execute();
      assert.deepEqual(audit.map((a) => a.action).sort(), ['calendar_feed.created', 'calendar_feed.created', 'calendar_feed.created', 'calendar_feed.revoked']);
      const stored = await ts.ctx.db.selectFrom('calendar_feed').select('token_hash').execute();
      assert.ok(stored.every((f) => !group.json.url.includes(f.token_hash)), 'only the hash is stored');
    });

    test("a member's feed follows their access: leaving a group removes its events", async () => {
      const feed = await api(sam, 'POST', '/calendar-feeds', {});
      assert.match(unfold((await http('GET', feed.json.url)).text), /SUMMARY:Later 0/);
      await ts.write((w) => groupMemberRemover(w, eng, samId));
      assert.doesNotMatch(unfold((await http('GET', feed.json.url)).text), /Later 0|Design review/);
    });
  });
}
