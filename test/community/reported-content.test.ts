import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { subscribe } from '../webhooks/helpers.js';
import { change, Receiver } from '../webhooks/receiver.js';

async function until<T>(probe: () => T | undefined): Promise<T> {
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const dialect of await dialects()) {
  describe(`Graph reported content (${dialect})`, () => {
    let ts: TestServer;
    let reporter: string;
    let moderator: string;
    let writer: string;
    let scoped: string;
    let nothing: string;
    let group: string;
    let other: string;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0', COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8' } });
      const manager = (await ts.integration(['manage_group'])).access_token;
      group = (await http('POST', `${ts.graph}/community/groups`, { token: manager, form: { name: 'Reported' } })).json.id;
      other = (await http('POST', `${ts.graph}/community/groups`, { token: manager, form: { name: 'Elsewhere' } })).json.id;
      reporter = (await ts.integration(['report_content'])).access_token;
      moderator = (await ts.integration(['report_content', 'write_group'])).access_token;
      writer = (await ts.integration(['write_group', 'read_group'])).access_token;
      scoped = (await ts.integration(['report_content'], { groups: [other] })).access_token;
      nothing = (await ts.integration(['read_group'])).access_token;
    });
    after(() => ts.close());

    const call = (method: string, path: string, token: string | undefined, form?: Record<string, string>) => http(method, `${ts.graph}${path}`, { token, form });
    const postIn = async (groupId: string, message: string) => (await call('POST', `/${groupId}/feed`, writer, { message })).json.id as string;
    const outbox = (field: string) => ts.ctx.db.selectFrom('outbox').selectAll().where('topic', '=', 'group').where('field', '=', field).orderBy('created_time').orderBy('id').execute();
    const audits = (id: string) => ts.ctx.db.selectFrom('audit_event').selectAll().where('target_id', '=', id).orderBy('time').orderBy('id').execute();

    test('POST /community/reported_content: 190, 200 without report_content, 100 out of scope; one report, one audit event, one group event; again is the same report', async () => {
      const postId = await postIn(group, 'Something rude');
      assert.equal((await call('POST', '/community/reported_content', undefined, { id: postId })).json.error.code, 190);
      assert.equal((await call('POST', '/community/reported_content', nothing, { id: postId })).json.error.code, 200);
      assert.equal((await call('POST', '/community/reported_content', scoped, { id: postId })).json.error.code, 100, 'a group out of scope is unknown');
      assert.equal((await call('POST', '/community/reported_content', reporter, {})).json.error.code, 100);
      assert.equal((await call('POST', '/community/reported_content', reporter, { id: '1_2' })).json.error.code, 100);
      const before = (await outbox('reported_content')).length;
      const r = await call('POST', '/community/reported_content', reporter, { id: postId, reason: 'Harassment' });
      assert.equal(r.status, 200, r.text);
      assert.match(r.json.id, /^\d+$/);
      const [event] = await audits(r.json.id);
      assert.equal(event.action, 'report.created');
      const events = await outbox('reported_content');
      assert.equal(events.length, before + 1);
      assert.equal(events.at(-1)!.entry_id, group);
      assert.deepEqual(
        (({ verb, report_id, object_id, reason, status }) => ({ verb, report_id, object_id, reason, status }))(JSON.parse(events.at(-1)!.payload)),
        { verb: 'add', report_id: r.json.id, object_id: postId, reason: 'Harassment', status: 'OPEN' },
      );
      const again = await call('POST', '/community/reported_content', reporter, { id: postId, reason: 'Again' });
      assert.equal(again.json.id, r.json.id);
      assert.equal((await audits(r.json.id)).length, 1, 'a repeated report writes nothing');
      assert.equal((await outbox('reported_content')).length, before + 1);

      const list = await call('GET', '/community/reported_content?fields=id,object_id,object_type,reason,status,group,reporter,message', reporter);
      assert.equal(list.status, 200, list.text);
      const mine = list.json.data.find((x: { id: string }) => x.id === r.json.id);
      assert.deepEqual(mine.group, { id: group });
      assert.equal(mine.object_type, 'post');
      assert.equal(mine.message, 'Something rude');
      assert.equal((await call('GET', '/community/reported_content', nothing)).json.error.code, 200);
      assert.deepEqual((await call('GET', '/community/reported_content', scoped)).json.data, [], 'a scoped integration sees only its groups');
      assert.equal((await call('GET', `/${r.json.id}`, scoped)).json.error.code, 100);
      assert.equal((await call('GET', `/${r.json.id}`, reporter)).json.status, 'OPEN');
    });

    test('comments can be reported; resolving: keep, warn with a note, remove (needs write_group too); a resolved report cannot be resolved again', async () => {
      const postId = await postIn(group, 'A post with a bad comment');
      const comment = (await call('POST', `/${postId}/comments`, writer, { message: 'A bad comment' })).json.id as string;
      const onComment = (await call('POST', '/community/reported_content', reporter, { id: comment, reason: 'Spam' })).json.id as string;
      assert.equal((await call('GET', `/${onComment}?fields=object_type,post_id`, reporter)).json.object_type, 'comment');

      assert.equal((await call('POST', `/${onComment}`, reporter, { resolution: 'delete' })).json.error.code, 100);
      assert.equal((await call('POST', `/${onComment}`, nothing, { resolution: 'keep' })).json.error.code, 200);
      const denied = await call('POST', `/${onComment}`, reporter, { resolution: 'remove' });
      assert.equal(denied.json.error.code, 200, 'removing content needs write_group');
      assert.deepEqual((await call('POST', `/${onComment}`, moderator, { resolution: 'Remove' })).json, { success: true });
      assert.equal(await ts.ctx.db.selectFrom('comment').select('id').where('id', '=', comment).executeTakeFirst(), undefined, 'the comment is gone');
      const resolved = (await call('GET', `/${onComment}?fields=status,resolution`, reporter)).json;
      assert.deepEqual({ status: resolved.status, resolution: resolved.resolution }, { status: 'RESOLVED', resolution: 'REMOVE' });
      const again = await call('POST', `/${onComment}`, moderator, { resolution: 'keep' });
      assert.equal(again.status, 409);

      const kept = (await call('POST', '/community/reported_content', reporter, { id: postId })).json.id as string;
      const count = (await audits(kept)).length;
      assert.deepEqual((await call('POST', `/${kept}`, reporter, { resolution: 'warn', note: 'Please keep it civil' })).json, { success: true });
      assert.equal((await audits(kept)).length, count + 1);
      const warned = (await call('GET', `/${kept}?fields=resolution,resolution_note`, reporter)).json;
      assert.deepEqual({ r: warned.resolution, n: warned.resolution_note }, { r: 'WARN', n: 'Please keep it civil' });
      assert.ok(await ts.ctx.db.selectFrom('post').select('id').where('id', '=', postId.split('_')[1]).executeTakeFirst(), 'a warned post stays');
      const resolveEvent = (await outbox('reported_content')).at(-1)!;
      assert.equal(JSON.parse(resolveEvent.payload).verb, 'resolve');
      const open = await call('GET', '/community/reported_content?filter=open&fields=id', reporter);
      assert.ok(!open.json.data.some((x: { id: string }) => x.id === kept || x.id === onComment));
    });

    test('a subscriber of group/reported_content receives the report, signed, only for groups in its scope', async () => {
      const receiver = await Receiver.start();
      try {
        const app = await ts.integration(['report_content'], { groups: [group] });
        await subscribe(ts, app, 'group', 'reported_content', `${receiver.url}/hook`);
        const elsewhere = await postIn(other, 'Out of scope');
        await call('POST', '/community/reported_content', reporter, { id: elsewhere });
        const postId = await postIn(group, 'In scope');
        const report = (await call('POST', '/community/reported_content', reporter, { id: postId, reason: 'Off topic' })).json.id as string;
        const got = await until(() => receiver.posts().find((r) => change(r)?.value?.report_id === report));
        assert.equal(got.json.object, 'group');
        assert.equal(got.json.entry[0].id, group);
        assert.match(String(got.headers['x-hub-signature-256']), /^sha256=[0-9a-f]{64}$/);
        assert.deepEqual(
          receiver.posts().filter((r) => change(r)?.field === 'reported_content').map((r) => change(r)!.value.object_id),
          [postId],
          'the out-of-scope report was not delivered',
        );
      } finally {
        await receiver.close();
      }
    });
  });
}
