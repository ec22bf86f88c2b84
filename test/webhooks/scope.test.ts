import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { commentCreator } from '../../src/domain/commands/comment.js';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import { integrationUpdater, type IssuedCredentials } from '../../src/domain/commands/integration.js';
import { postCreator } from '../../src/domain/commands/post.js';
import type { GroupRow } from '../../src/db/repositories/group.js';
import { dialects } from '../helpers/dialects.js';
import { http, ManualClock, startServer, type TestServer } from '../helpers/server.js';
import { subscribe } from './helpers.js';
import { change, Receiver } from './receiver.js';

// Only events an integration may see are delivered (or listed by catch-up): its permissions,
// its group scope, its own bot page.

for (const dialect of await dialects()) {
  describe(`webhook scope and catch-up (${dialect})`, () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 1, 9, 0, 0));
    let ts: TestServer;
    let inScope: GroupRow;
    let outOfScope: GroupRow;
    let scoped: IssuedCredentials;
    let everywhere: IssuedCredentials;
    let mentionBot: IssuedCredentials;
    let scopedHook: Receiver;
    let wideHook: Receiver;
    let mentionHook: Receiver;
    let alice: { id: string };
    let bob: { id: string };
    const asAlice = () => ({ kind: 'member' as const, memberId: alice.id, isAdmin: false });
    const run = () => ts.server.webhooks.runOnce();
    const post = (group: GroupRow, message: string) => ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message }), asAlice());
    const messages = (r: Receiver) => r.posts().map((p) => change(p)?.value?.message ?? `${change(p)?.field}`);

    before(async () => {
      ts = await startServer(dialect, { clock, env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8', COMMONPLACE_WEBHOOK_WORKER: '0' } });
      alice = await ts.member({ email: 'alice@example.com', name: 'Alice' });
      bob = await ts.member({ email: 'bob@example.com', name: 'Bob' });
      inScope = await ts.write((w) => groupCreator(w, { name: 'In scope', adminId: alice.id }));
      outOfScope = await ts.write((w) => groupCreator(w, { name: 'Out of scope', adminId: alice.id }));
      scoped = await ts.integration(['read_group', 'read_group_membership'], { name: 'Scoped', groups: [inScope.id] });
      everywhere = await ts.integration(['read_group'], { name: 'Everywhere' });
      mentionBot = await ts.integration(['bot_mention'], { name: 'Mention', groups: [inScope.id] });
      [scopedHook, wideHook, mentionHook] = await Promise.all([Receiver.start(), Receiver.start(), Receiver.start()]);
      clock.advance(1000);
      await subscribe(ts, scoped, 'group', 'posts,comments,membership', scopedHook.url);
      await subscribe(ts, everywhere, 'group', 'posts', wideHook.url);
      await subscribe(ts, mentionBot, 'page', 'mention', mentionHook.url);
    });
    after(async () => {
      await Promise.all([scopedHook.close(), wideHook.close(), mentionHook.close()]);
      await ts.close();
    });

    test('a scoped integration never receives events of groups outside its scope', async () => {
      const p = await post(inScope, 'inside');
      await post(outOfScope, 'outside');
      await ts.write((w) => commentCreator(w, { post: p, message: 'a comment inside' }), asAlice());
      await ts.write((w) => groupMemberAdder(w, outOfScope, bob.id));
      await ts.write((w) => groupMemberAdder(w, inScope, bob.id));
      await run();
      assert.deepEqual(messages(scopedHook), ['inside', 'a comment inside', 'membership']);
      assert.ok(scopedHook.posts().every((r) => r.json.entry[0].id === inScope.id));
      assert.deepEqual(messages(wideHook), ['inside', 'outside']);
    });

    test('a mention reaches only the mentioned bot, and only inside its scope', async () => {
      await post(inScope, `hey @[${mentionBot.page_id}] in scope`);
      await post(outOfScope, `hey @[${mentionBot.page_id}] out of scope`);
      await post(inScope, `hey @[${everywhere.page_id}] other bot`);
      await run();
      const got = mentionHook.posts().map((r) => r.json);
      assert.equal(got.length, 1);
      assert.equal(got[0].object, 'page');
      assert.equal(got[0].entry[0].id, mentionBot.page_id);
      assert.equal(got[0].entry[0].changes[0].field, 'mention');
      assert.equal(got[0].entry[0].changes[0].value.message, 'hey Mention in scope');
      assert.equal(got[0].entry[0].changes[0].value.item, 'post');
    });

    test('without the permission an event is never delivered, even one already queued', async () => {
      const before = wideHook.posts().length;
      await post(inScope, 'queued before the permission went');
      await ts.server.webhooks.fanOut();
      await ts.write((w) => integrationUpdater(w, everywhere.app_id, { permissions: ['read_user_email'] }));
      await post(inScope, 'after the permission went');
      await run();
      assert.equal(wideHook.posts().length, before);
      const logged = await ts.ctx.db.selectFrom('webhook_delivery').selectAll().where('app_id', '=', everywhere.app_id).where('state', '=', 'cancelled').execute();
      assert.equal(logged.length, 1);
      assert.match(logged[0].last_error!, /may no longer see this event/);
      await ts.write((w) => integrationUpdater(w, everywhere.app_id, { permissions: ['read_group'] }));
    });

    test('catch-up pages through what was (or would have been) sent, in order, within scope', async () => {
      const token = `${scoped.app_id}|${scoped.app_secret}`;
      const first = await http('GET', `${ts.graph}/app/events?limit=2`, { token });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.json.data.length, 2);
      assert.ok(first.json.paging.next);
      const all: any[] = [...first.json.data];
      let next: string | undefined = first.json.paging.next;
      while (next) {
        const page = await http('GET', next, { token });
        all.push(...page.json.data);
        next = page.json.paging.next;
      }
      const seen = all.map((e) => `${e.field}:${e.payload.entry[0].changes[0].value.message ?? ''}`);
      assert.deepEqual(seen, [
        'membership:',
        'posts:inside',
        'comments:a comment inside',
        'membership:',
        'posts:hey Mention in scope',
        'posts:hey Everywhere other bot',
        'posts:queued before the permission went',
        'posts:after the permission went',
      ]);
      assert.ok(all.every((e) => e.payload.entry[0].id === inScope.id));
      assert.ok(all.every((e, i) => i === 0 || e.seq > all[i - 1].seq));
      assert.deepEqual(all[0].deliveries, [], 'the group was created before the subscription: listed, never sent');
      assert.equal(all[1].deliveries[0].state, 'delivered');
      assert.equal(all[0].object, 'group');
      // The cursor is a place to come back to: nothing new yet, then one more event.
      const cursor = (await http('GET', `${ts.graph}/app/events?limit=100`, { token })).json.paging.cursors.after;
      const empty = await http('GET', `${ts.graph}/app/events?after=${cursor}`, { token });
      assert.deepEqual(empty.json.data, []);
      assert.equal(empty.json.paging.next, undefined);
      await post(inScope, 'while the receiver was down');
      await post(outOfScope, 'never for the scoped one');
      await ts.server.webhooks.fanOut();
      const later = await http('GET', `${ts.graph}/app/events?after=${cursor}`, { token });
      assert.deepEqual(later.json.data.map((e: any) => e.payload.entry[0].changes[0].value.message), ['while the receiver was down']);
      // A filter by object and field, and without a subscription for that topic.
      const members = await http('GET', `${ts.graph}/app/events?object=group&fields=membership`, { token });
      assert.deepEqual(members.json.data.map((e: any) => e.field), ['membership', 'membership']);
      const user = await http('GET', `${ts.graph}/app/events?object=user&fields=status`, { token });
      assert.deepEqual(user.json.data, []);
    });

    test('events older than 7 days are not listed', async () => {
      clock.advance(8 * 86_400_000);
      const token = `${scoped.app_id}|${scoped.app_secret}`;
      const r = await http('GET', `${ts.graph}/app/events`, { token });
      assert.deepEqual(r.json.data, []);
      // Pruning drops them with their finished deliveries and attempts; an event still waiting to go out stays.
      await ts.server.webhooks.prune();
      const left = await ts.ctx.db.selectFrom('outbox').select('id').where('created_time', '<', clock.now() - 7 * 86_400_000).execute();
      const pending = await ts.ctx.db.selectFrom('webhook_delivery').select('event_id').where('state', '=', 'pending').execute();
      assert.deepEqual(left.map((e) => e.id).sort(), [...new Set(pending.map((d) => d.event_id))].sort());
      assert.ok(left.length >= 1);
      assert.deepEqual(await ts.ctx.db.selectFrom('webhook_attempt').select('id').execute(), []);
      assert.deepEqual(await ts.ctx.db.selectFrom('webhook_delivery').select('id').where('state', '!=', 'pending').execute(), []);
    });
  });
}
