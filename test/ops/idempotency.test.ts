import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { CORE, scimClient } from '../scim/helpers.js';

for (const dialect of await dialects()) {
  describe(`Idempotency-Key (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let group: string;
    const count = async (table: 'post' | 'audit_event' | 'outbox') => Number((await ts.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    before(async () => {
      ts = await startServer(dialect);
      token = (await ts.integration(['read_group', 'write_group', 'manage_group', 'manage_accounts'])).access_token;
      group = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Retries' } })).json.id;
    });
    after(() => ts.close());

    test('a retried Graph POST gets the stored answer and writes nothing', async () => {
      const before = { posts: await count('post'), audit: await count('audit_event'), outbox: await count('outbox') };
      const first = await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'only once' }, headers: { 'idempotency-key': 'post-1' } });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.headers.get('idempotent-replayed'), null);
      const again = await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'only once' }, headers: { 'idempotency-key': 'post-1' } });
      assert.equal(again.status, 200);
      assert.equal(again.text, first.text);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal(await count('post'), before.posts + 1);
      assert.equal(await count('audit_event'), before.audit + 1);
      assert.equal(await count('outbox'), before.outbox + 1);
    });

    test('the same key with a different body is refused with a clear error', async () => {
      await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'first body' }, headers: { 'idempotency-key': 'post-2' } });
      const other = await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'second body' }, headers: { 'idempotency-key': 'post-2' } });
      assert.equal(other.status, 422);
      assert.equal(other.json.error.code, 100);
      assert.match(other.json.error.message, /Idempotency-Key was already used with a different request/);
    });

    test('keys belong to the credentials that used them', async () => {
      const otherToken = (await ts.integration(['read_group', 'write_group'], { name: 'Other' })).access_token;
      const mine = await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'shared key' }, headers: { 'idempotency-key': 'same-key' } });
      const theirs = await http('POST', `${ts.graph}/${group}/feed`, { token: otherToken, form: { message: 'shared key' }, headers: { 'idempotency-key': 'same-key' } });
      assert.equal(theirs.status, 200, theirs.text);
      assert.notEqual(theirs.json.id, mine.json.id);
      assert.equal(theirs.headers.get('idempotent-replayed'), null);
    });

    test('an error answer is stored too (the retry does not run the write again)', async () => {
      const refused = await http('POST', `${ts.graph}/${group}/feed`, { token, form: {}, headers: { 'idempotency-key': 'empty-post' } });
      assert.equal(refused.status, 400);
      const again = await http('POST', `${ts.graph}/${group}/feed`, { token, form: {}, headers: { 'idempotency-key': 'empty-post' } });
      assert.equal(again.text, refused.text);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
    });

    test('a retried SCIM create returns the same user; a malformed key is refused', async () => {
      const scim = scimClient(ts, token);
      const user = { schemas: [CORE], userName: 'retry@example.com', name: { givenName: 'Re', familyName: 'Try' }, active: true };
      const first = await scim.post('/Users', user, { 'idempotency-key': 'scim-1' });
      assert.equal(first.status, 201, first.text);
      const again = await scim.post('/Users', user, { 'idempotency-key': 'scim-1' });
      assert.equal(again.status, 201);
      assert.equal(again.json.id, first.json.id);
      assert.equal(again.headers.get('location'), first.headers.get('location'));
      const changed = await scim.post('/Users', { ...user, userName: 'other@example.com' }, { 'idempotency-key': 'scim-1' });
      assert.equal(changed.status, 422);
      assert.deepEqual(changed.json.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
      const bad = await scim.post('/Users', user, { 'idempotency-key': 'x'.repeat(300) });
      assert.equal(bad.status, 400);
    });

    test('a key expires after 24 hours and can then be used again', async () => {
      await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'old key' }, headers: { 'idempotency-key': 'day-old' } });
      await ts.ctx.db.updateTable('idempotency_key').set({ created_time: Date.now() - 25 * 3_600_000 }).where('key', '=', 'day-old').execute();
      const fresh = await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'new use of the key' }, headers: { 'idempotency-key': 'day-old' } });
      assert.equal(fresh.status, 200, fresh.text);
      assert.equal(fresh.headers.get('idempotent-replayed'), null);
    });
  });
}
