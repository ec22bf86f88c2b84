import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { groupCreator } from '../../../domain/commands/group.js';
import { groupMemberAdder } from '../../../domain/commands/groupMembership.js';
import type { GroupRow } from '../../../db/repositories/group.js';
import { dialects } from '../../../../test/helpers/dialects.js';
import { http, startServer, type TestServer } from '../../../../test/helpers/server.js';

const ALL_FIELDS =
  'id,name,description,start_time,end_time,timezone,event_times,place,cover,owner,parent_group,is_canceled,is_draft,is_page_owned,can_guests_invite,guest_list_enabled,category,type,updated_time,attending_count,declined_count,interested_count,maybe_count,noreply_count';

for (const dialect of await dialects()) {
  describe(`Graph events (${dialect})`, () => {
    let ts: TestServer;
    let writer: string;
    let reader: string;
    let manager: string;
    let scopedOut: string;
    let other: string;
    let g1: GroupRow;
    let g2: GroupRow;
    let alice: { id: string; name: string };
    let bob: { id: string; name: string };
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      alice = await ts.member({ name: 'Alice Anders', email: 'alice@example.com' });
      bob = await ts.member({ name: 'Bob Brown', email: 'bob@example.com' });
      g1 = await ts.write((w) => groupCreator(w, { name: 'Engineering' }));
      g2 = await ts.write((w) => groupCreator(w, { name: 'Sales' }));
      await ts.write((w) => groupMemberAdder(w, g1, alice.id));
      await ts.write((w) => groupMemberAdder(w, g1, bob.id));
      writer = (await ts.integration(['read_group', 'write_group'])).access_token;
      other = (await ts.integration(['read_group', 'write_group'], { name: 'Other Bot' })).access_token;
      reader = (await ts.integration(['read_group'])).access_token;
      manager = (await ts.integration(['read_group', 'manage_group'])).access_token;
      scopedOut = (await ts.integration(['read_group', 'write_group'], { groups: [g2.id] })).access_token;
    });
    after(() => ts.close());

    const call = (method: string, path: string, token: string | undefined, form?: Record<string, string>) => http(method, `${ts.graph}${path}`, { token, form });
    const count = async (table: 'audit_event' | 'outbox' | 'event' | 'event_rsvp') =>
      Number((await ts.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const create = async (form: Record<string, string>, group = g1.id, token = writer) => {
      const res = await call('POST', `/${group}/events`, token, form);
      assert.equal(res.status, 200, res.text);
      return res.json.id as string;
    };

    test('POST /{group}/events: 190 without a token, 200 without write_group, 100 outside the scope; one audit event', async () => {
      const form = { name: 'Launch party', start_time: '2026-12-04T10:00:00+0000' };
      assert.equal((await call('POST', `/${g1.id}/events`, undefined, form)).json.error.code, 190);
      const denied = await call('POST', `/${g1.id}/events`, reader, form);
      assert.equal(denied.json.error.code, 200);
      assert.match(denied.json.error.message, /write_group/);
      const hidden = await call('POST', `/${g1.id}/events`, scopedOut, form);
      assert.equal(hidden.json.error.code, 100);
      const audits = await count('audit_event');
      const outbox = await count('outbox');
      const id = await create(form);
      assert.match(id, /^\d{16}$/);
      assert.equal(await count('audit_event'), audits + 1);
      assert.equal(await count('outbox'), outbox, "a bot page's event sends no user/events webhook");
      const audit = await ts.ctx.db.selectFrom('audit_event').selectAll().where('target_id', '=', id).executeTakeFirstOrThrow();
      assert.equal(audit.action, 'event.created');
    });

    test('the event node answers every field, times in the event zone as Graph gives them', async () => {
      const id = await create({
        name: 'Offsite',
        description: 'Two days in the hills',
        start_time: '2026-07-01T09:00:00Z',
        end_time: '2026-07-01T17:30:00Z',
        timezone: 'Europe/Paris',
        location: 'Chalet Bleu',
        cover_url: 'https://example.com/cover.png',
        category: 'WORKSHOP',
        type: 'group',
        guest_list_enabled: 'false',
        can_guests_invite: '0',
        event_times: JSON.stringify([{ start_time: '2026-07-08T09:00:00Z', end_time: '2026-07-08T17:30:00Z' }]),
      });
      const got = await call('GET', `/${id}?fields=${ALL_FIELDS}`, reader);
      assert.equal(got.status, 200, got.text);
      const e = got.json;
      assert.equal(e.name, 'Offsite');
      assert.equal(e.description, 'Two days in the hills');
      assert.equal(e.start_time, '2026-07-01T11:00:00+0200');
      assert.equal(e.end_time, '2026-07-01T19:30:00+0200');
      assert.equal(e.timezone, 'Europe/Paris');
      assert.equal(e.event_times.length, 1);
      assert.equal(e.event_times[0].start_time, '2026-07-08T11:00:00+0200');
      assert.deepEqual(e.place, { name: 'Chalet Bleu' });
      assert.equal(e.cover.source, 'https://example.com/cover.png');
      assert.equal(e.owner.name, 'Test Bot');
      assert.deepEqual(e.parent_group, { id: g1.id, name: 'Engineering', privacy: g1.privacy });
      assert.equal(e.is_canceled, false);
      assert.equal(e.is_draft, false);
      assert.equal(e.is_page_owned, true);
      assert.equal(e.can_guests_invite, false);
      assert.equal(e.guest_list_enabled, false);
      assert.equal(e.category, 'WORKSHOP');
      assert.equal(e.type, 'group');
      assert.match(e.updated_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
      assert.deepEqual([e.attending_count, e.declined_count, e.interested_count, e.maybe_count, e.noreply_count], [0, 0, 0, 0, 2]);
      const plain = await call('GET', `/${id}`, reader);
      assert.deepEqual(Object.keys(plain.json).sort(), ['description', 'end_time', 'id', 'name', 'place', 'start_time']);
      assert.equal((await call('GET', `/${id}`, scopedOut)).json.error.code, 100, 'an event outside the scope is an unknown object');
      assert.equal((await call('GET', `/${id}`, undefined)).json.error.code, 190);
      const noRead = (await ts.integration(['write_group'])).access_token;
      assert.equal((await call('GET', `/${id}`, noRead)).json.error.code, 200);
    });

    test('bad input is error 100 with a clear message and writes nothing', async () => {
      const before = [await count('event'), await count('audit_event')];
      const cases: [Record<string, string>, RegExp][] = [
        [{ start_time: '2026-12-04T10:00:00Z' }, /name is required/],
        [{ name: 'x' }, /start_time is required/],
        [{ name: 'x', start_time: 'soon-ish' }, /start_time must be a unix timestamp or a date/],
        [{ name: 'x', start_time: '2026-12-04T10:00:00Z', end_time: '2026-12-04T09:00:00Z' }, /end_time must not be before start_time/],
        [{ name: 'x', start_time: '2026-12-04T10:00:00Z', timezone: 'Mars/Olympus' }, /IANA time zone/],
        [{ name: 'x', start_time: '2026-12-04T10:00:00Z', type: 'public' }, /type must be group/],
        [{ name: 'x', start_time: '2026-12-04T10:00:00Z', cover_url: 'ftp://x' }, /cover_url must be an http/],
        [{ name: 'x', start_time: '2026-12-04T10:00:00Z', owner: '123' }, /owner must be a member of the group/],
        [{ name: 'x', start_time: '2026-12-04T10:00:00Z', event_times: '[{"end_time":"2026-12-05"}]' }, /needs a start_time/],
        [{ name: 'x', start_time: '2026-12-04T10:00:00Z', guest_list_enabled: 'perhaps' }, /guest_list_enabled must be a boolean/],
        [{ name: 'x'.repeat(300), start_time: '2026-12-04T10:00:00Z' }, /name takes at most 256/],
      ];
      for (const [form, message] of cases) {
        const res = await call('POST', `/${g1.id}/events`, writer, form);
        assert.equal(res.status, 400, `${JSON.stringify(form)}: ${res.text}`);
        assert.equal(res.json.error.code, 100);
        assert.match(res.json.error.message, message);
      }
      assert.deepEqual([await count('event'), await count('audit_event')], before);
    });

    test('an event owned by a member sends user/events (add, edit, delete) in the same transaction', async () => {
      const outbox = await count('outbox');
      const id = await create({ name: 'Book club', start_time: '2026-12-10T18:00:00Z', owner: alice.id });
      const rows = await ts.ctx.db.selectFrom('outbox').selectAll().orderBy('created_time').execute();
      assert.equal(rows.length, outbox + 1);
      const row = rows[rows.length - 1];
      assert.deepEqual([row.topic, row.field, row.entry_id], ['user', 'events', alice.id]);
      const value = JSON.parse(row.payload);
      assert.equal(value.verb, 'add');
      assert.equal(value.event_id, id);
      assert.equal(value.group_id, g1.id);
      assert.deepEqual(value.from, { id: alice.id, name: 'Alice Anders' });
      const got = await call('GET', `/${id}?fields=owner{id,name},is_page_owned`, reader);
      assert.deepEqual(got.json.owner, { id: alice.id, name: 'Alice Anders' });
      assert.equal(got.json.is_page_owned, false);
      assert.equal((await call('POST', `/${id}`, writer, { name: 'Book club (moved)' })).json.error.code, 200, "another's event needs manage_group");
      assert.equal((await call('POST', `/${id}`, manager, { name: 'Book club (moved)' })).json.success, true);
      assert.equal((await call('POST', `/${id}`, manager, { name: 'Book club (moved)' })).json.success, true);
      const verbs = (await ts.ctx.db.selectFrom('outbox').select('payload').where('field', '=', 'events').execute()).map((r) => JSON.parse(r.payload).verb);
      assert.deepEqual(verbs, ['add', 'edit'], 'a no-op update writes nothing');
      assert.equal((await call('DELETE', `/${id}`, manager)).json.success, true);
      assert.equal((await call('GET', `/${id}`, reader)).json.error.code, 100);
    });

    test('RSVP edges: POST and DELETE for the caller, counts, lists with summary, noreply of the group members', async () => {
      const id = await create({ name: 'Retro', start_time: '2026-12-05T15:00:00Z' });
      const audits = await count('audit_event');
      assert.equal((await call('POST', `/${id}/attending`, reader)).json.error.code, 200);
      assert.equal((await call('POST', `/${id}/attending`, scopedOut)).json.error.code, 100);
      assert.equal((await call('POST', `/${id}/attending`, writer)).json.success, true);
      assert.equal((await call('POST', `/${id}/attending`, writer)).json.success, true);
      assert.equal(await count('audit_event'), audits + 1, 'answering the same twice records once');
      assert.equal((await call('POST', `/${id}/maybe`, other)).json.success, true);
      let e = (await call('GET', `/${id}?fields=attending_count,maybe_count,declined_count,noreply_count,rsvp_status`, writer)).json;
      assert.deepEqual([e.attending_count, e.maybe_count, e.declined_count, e.noreply_count, e.rsvp_status], [1, 1, 0, 2, 'attending']);
      const attending = await call('GET', `/${id}/attending?summary=true`, reader);
      assert.equal(attending.json.data.length, 1);
      assert.equal(attending.json.data[0].name, 'Test Bot');
      assert.equal(attending.json.data[0].rsvp_status, 'attending');
      assert.equal(attending.json.summary.count, 1);
      const noreply = await call('GET', `/${id}/noreply?limit=1`, reader);
      assert.equal(noreply.json.data.length, 1);
      assert.equal(noreply.json.data[0].rsvp_status, 'not_replied');
      const next = await call('GET', noreply.json.paging.next.replace(ts.graph, ''), reader);
      assert.deepEqual([...noreply.json.data, ...next.json.data].map((g: { id: string }) => g.id).sort(), [alice.id, bob.id].sort());
      const nested = await call('GET', `/${g1.id}?fields=events.limit(5){name,attending.limit(3){name},noreply.limit(1).summary(true)}`, reader);
      const retro = nested.json.events.data.find((x: { id: string }) => x.id === id);
      assert.equal(retro.attending.data[0].name, 'Test Bot');
      assert.equal(retro.noreply.summary.count, 2);
      assert.equal((await call('DELETE', `/${id}/declined`, writer)).json.success, true);
      e = (await call('GET', `/${id}?fields=attending_count`, reader)).json;
      assert.equal(e.attending_count, 1, 'DELETE of another answer keeps the answer');
      assert.equal((await call('POST', `/${id}/declined`, writer)).json.success, true);
      e = (await call('GET', `/${id}?fields=attending_count,declined_count`, reader)).json;
      assert.deepEqual([e.attending_count, e.declined_count], [0, 1]);
      assert.equal((await call('DELETE', `/${id}/declined`, writer)).json.success, true);
      e = (await call('GET', `/${id}?fields=declined_count,rsvp_status`, writer)).json;
      assert.deepEqual([e.declined_count, e.rsvp_status], [0, 'not_replied']);
      assert.deepEqual((await call('GET', `/${id}/admins`, reader)).json.data.map((x: { name: string }) => x.name), ['Test Bot']);
      assert.equal((await call('GET', `/${id}/roles?fields=name,role`, reader)).json.data[0].role, 'HOST');
    });

    test('cancel: is_canceled=true, then no answers; include_canceled=false leaves it out; DELETE removes answers too', async () => {
      const id = await create({ name: 'Picnic', start_time: '2026-06-01T12:00:00Z' });
      await call('POST', `/${id}/attending`, writer);
      assert.equal((await call('POST', `/${id}`, other, { is_canceled: 'true' })).json.error.code, 200);
      assert.equal((await call('POST', `/${id}`, writer, { is_canceled: 'true' })).json.success, true);
      const audit = await ts.ctx.db.selectFrom('audit_event').selectAll().where('target_id', '=', id).orderBy('time', 'desc').executeTakeFirstOrThrow();
      assert.equal(audit.action, 'event.canceled');
      assert.equal((await call('GET', `/${id}?fields=is_canceled`, reader)).json.is_canceled, true);
      const refused = await call('POST', `/${id}/maybe`, writer);
      assert.equal(refused.json.error.code, 100);
      assert.match(refused.json.error.message, /canceled/);
      const listed = async (q: string) => (await call('GET', `/${g1.id}/events?limit=100${q}`, reader)).json.data.map((x: { id: string }) => x.id);
      assert.ok((await listed('')).includes(id));
      assert.ok(!(await listed('&include_canceled=false')).includes(id));
      const rsvps = await count('event_rsvp');
      assert.equal((await call('DELETE', `/${id}`, other)).json.error.code, 200);
      assert.equal((await call('DELETE', `/${id}`, writer)).json.success, true);
      assert.equal(await count('event_rsvp'), rsvps - 1);
      assert.equal((await call('GET', `/${id}`, reader)).json.error.code, 100);
    });

    test('GET /{group}/events pages with cursors both ways; /community/events keeps to the scope; time_filter', async () => {
      const g3 = await ts.write((w) => groupCreator(w, { name: 'Paging' }));
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push(await create({ name: `E${i}`, start_time: String(Date.UTC(2027, 0, 1 + i) / 1000) }, g3.id));
      const seen: string[] = [];
      let url: string | undefined = `/${g3.id}/events?limit=3&fields=name`;
      const pages: string[][] = [];
      while (url) {
        const res = await call('GET', url, reader);
        assert.equal(res.status, 200, res.text);
        pages.push(res.json.data.map((x: { id: string }) => x.id));
        seen.push(...pages[pages.length - 1]);
        url = res.json.paging?.next?.replace(ts.graph, '');
      }
      assert.deepEqual(seen, [...ids].reverse(), 'newest start first, each once');
      const chrono = await call('GET', `/${g3.id}/events?order=chronological&limit=2`, reader);
      assert.deepEqual(chrono.json.data.map((x: { id: string }) => x.id), ids.slice(0, 2));
      const back = await call('GET', chrono.json.paging.next.replace(ts.graph, ''), reader);
      const prev = await call('GET', back.json.paging.previous.replace(ts.graph, ''), reader);
      assert.deepEqual(prev.json.data.map((x: { id: string }) => x.id), ids.slice(0, 2));
      const bad = await call('GET', `/${g3.id}/events?time_filter=someday`, reader);
      assert.equal(bad.json.error.code, 100);
      assert.equal((await call('GET', `/${g3.id}/events?time_filter=past`, reader)).json.data.length, 0);
      assert.equal((await call('GET', `/${g3.id}/events?time_filter=upcoming&limit=50`, reader)).json.data.length, 7);
      const inScope = await call('GET', `/community/events?limit=100`, scopedOut);
      assert.deepEqual(inScope.json.data, [], 'no events in the scoped group');
      const sales = await create({ name: 'Sales kickoff', start_time: '2027-02-01T09:00:00Z' }, g2.id, scopedOut);
      assert.deepEqual((await call('GET', `/community/events`, scopedOut)).json.data.map((x: { id: string }) => x.id), [sales]);
      const all = (await call('GET', `/community/events?limit=100`, reader)).json.data.map((x: { id: string }) => x.id);
      assert.ok(all.includes(sales) && ids.every((id) => all.includes(id)));
      assert.equal((await call('GET', `/${g1.id}/events`, scopedOut)).json.error.code, 100);
    });

    test('/{member}/events?type=attending|created|declined|maybe|not_replied', async () => {
      const g4 = await ts.write((w) => groupCreator(w, { name: 'Members' }));
      await ts.write((w) => groupMemberAdder(w, g4, bob.id));
      const mine = await create({ name: 'Bob hosts', start_time: '2027-03-01T09:00:00Z', owner: bob.id }, g4.id);
      const open = await create({ name: 'Open house', start_time: '2027-03-02T09:00:00Z' }, g4.id);
      const going = await create({ name: 'Standup', start_time: '2027-03-03T09:00:00Z' }, g4.id);
      const { rsvpSetter } = await import('../../../domain/commands/groupEvent.js');
      const { findEventsByIds } = await import('../../../db/repositories/groupEvent.js');
      const [row] = await findEventsByIds(ts.ctx.db, [going]);
      await ts.write((w) => rsvpSetter(w, row, 'attending'), { kind: 'member', memberId: bob.id, isAdmin: false });
      const list = async (type: string) => (await call('GET', `/${bob.id}/events?limit=100${type ? `&type=${type}` : ''}`, reader)).json;
      assert.deepEqual((await list('attending')).data.map((x: { id: string }) => x.id), [going]);
      assert.deepEqual((await list('')).data.map((x: { id: string }) => x.id), [going]);
      assert.deepEqual((await list('created')).data.map((x: { id: string }) => x.id), [mine]);
      const notReplied = (await list('not_replied')).data.map((x: { id: string }) => x.id);
      assert.ok(notReplied.includes(open) && notReplied.includes(mine) && !notReplied.includes(going));
      assert.deepEqual((await list('declined')).data, []);
      assert.equal((await list('sometimes')).error.code, 100);
      const nested = await call('GET', `/${bob.id}?fields=events.type(created){name}`, reader);
      assert.deepEqual(nested.json.events.data, [{ id: mine, name: 'Bob hosts' }]);
      assert.deepEqual((await call('GET', `/${bob.id}/events?type=created`, scopedOut)).json.data, [], 'outside the scope nothing is listed');
    });

    test('drafts are seen by their owner only until published; deleting a group deletes its events', async () => {
      const id = await create({ name: 'Secret plan', start_time: '2027-04-01T09:00:00Z', is_draft: 'true' });
      assert.equal((await call('GET', `/${id}?fields=is_draft`, writer)).json.is_draft, true);
      assert.equal((await call('GET', `/${id}`, other)).json.error.code, 100);
      assert.ok(!(await call('GET', `/${g1.id}/events?limit=100`, other)).json.data.some((x: { id: string }) => x.id === id));
      assert.equal((await call('POST', `/${id}`, writer, { is_draft: 'false' })).json.success, true);
      assert.equal((await call('GET', `/${id}?fields=name`, other)).json.name, 'Secret plan');
      assert.equal((await call('POST', `/${id}`, writer, { is_draft: 'true' })).json.error.code, 100);
      const temp = await ts.write((w) => groupCreator(w, { name: 'Temporary' }));
      const gone = await create({ name: 'Soon gone', start_time: '2027-05-01T09:00:00Z' }, temp.id);
      await call('POST', `/${gone}/attending`, writer);
      const { groupDeleter } = await import('../../../domain/commands/group.js');
      await ts.write((w) => groupDeleter(w, temp.id));
      assert.equal((await ts.ctx.db.selectFrom('event').select('id').where('group_id', '=', temp.id).execute()).length, 0);
      assert.equal((await ts.ctx.db.selectFrom('event_rsvp').select('event_id').where('event_id', '=', gone).execute()).length, 0);
    });
  });
}
