import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseExactJson } from '../../src/http/json.js';
import { IdGenerator } from '../../src/ids.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer, SIGN_IN } from '../helpers/server.js';

// Ids survive JavaScript: every id the server makes is at most 2^53 − 1, several processes on one
// database never make the same one, and JSON bodies keep long integer ids digit for digit.

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

describe('parseExactJson', () => {
  test('integers of 16 or more digits arrive as their exact digits; everything else as JSON.parse gives it', () => {
    assert.deepEqual(parseExactJson('{"recipient":{"ids":[12345678901234567,9007199254740993, 1234567890123456]}}'), {
      recipient: { ids: ['12345678901234567', '9007199254740993', '1234567890123456'] },
    });
    assert.deepEqual(parseExactJson('[-123456789012345678, 42, 1.2345678901234567, 12345678901234567e2, 1234567890123456.5]'), [
      '-123456789012345678',
      42,
      1.2345678901234567,
      12345678901234567e2,
      1234567890123456.5,
    ]);
    assert.deepEqual(parseExactJson('{"a":"12345678901234567 \\" 12345678901234567","b":12345678901234567}'), { a: '12345678901234567 " 12345678901234567', b: '12345678901234567' });
    assert.throws(() => parseExactJson('{"a":12345678901234567,}'), SyntaxError);
  });
});

for (const dialect of await dialects()) {
  describe(`ids (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      token = (await ts.integration(['read_group', 'write_group', 'manage_group', 'message', 'group_chat', 'manage_accounts', 'provision_user_accounts'])).access_token;
    });
    after(() => ts.close());

    test('no id the server creates is above 2^53 − 1, and ids rise in creation order', async () => {
      const group = await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Ids', privacy: 'OPEN' } });
      assert.equal(group.status, 200, group.text);
      const made: string[] = [group.json.id];
      for (let i = 0; i < 40; i++) {
        const post = await http('POST', `${ts.graph}/${group.json.id}/feed`, { token, form: { message: `post ${i}` } });
        const comment = await http('POST', `${ts.graph}/${post.json.id}/comments`, { token, form: { message: `comment ${i}` } });
        made.push(...String(post.json.id).split('_'), comment.json.id);
      }
      const member = await ts.member({ email: 'ids@example.com', name: 'Ida Ids' });
      made.push(member.id);
      for (const id of made) assert.match(id, /^\d{16}$/);
      const posts = made.filter((_, i) => i > 0 && i % 3 === 2);
      assert.deepEqual([...posts].sort(), posts, 'post ids rise with creation');
      // Every id column of every row written so far, whatever wrote it (audit events, outbox, media…).
      for (const table of ['community', 'member', 'work_group', 'page', 'app', 'post', 'comment', 'audit_event', 'outbox']) {
        const rows = (await ts.ctx.db.selectFrom(table as 'post').select('id').execute()) as { id: string }[];
        for (const row of rows) assert.ok(/^\d+$/.test(row.id) && BigInt(row.id) <= MAX_SAFE, `${table} id ${row.id}`);
      }
    });

    test('two processes on one database hold different nodes and never make the same id; a released node is handed on past its last id', async () => {
      let now = Date.UTC(2026, 5, 1);
      const clock = () => now;
      const a = new IdGenerator(clock);
      const b = new IdGenerator(clock);
      await a.attach(ts.ctx.db);
      await b.attach(ts.ctx.db);
      assert.notEqual(a.nodeNumber, b.nodeNumber);
      const seen = new Set<string>();
      // 3,000 ids each within one clock tick: both borrow ticks ahead, neither meets the other.
      for (let i = 0; i < 3000; i++) {
        for (const id of [a.next(), b.next()]) {
          assert.ok(!seen.has(id), `duplicate ${id}`);
          assert.ok(BigInt(id) <= MAX_SAFE);
          seen.add(id);
        }
      }
      const lastOfA = a.next();
      const node = a.nodeNumber;
      await a.detach(ts.ctx.db);
      assert.throws(() => a.next(), /No id node lease/);
      const c = new IdGenerator(clock);
      await c.attach(ts.ctx.db);
      assert.equal(c.nodeNumber, node, 'the released node is taken again');
      const first = c.next();
      assert.ok(BigInt(first) > BigInt(lastOfA), `${first} starts after ${lastOfA}`);
      assert.ok(!seen.has(first));
      // A lease nobody renews expires; until then its node is not handed out.
      const d = new IdGenerator(clock);
      await d.attach(ts.ctx.db);
      assert.ok(![b.nodeNumber, c.nodeNumber].includes(d.nodeNumber));
      now += 6 * 60_000;
      assert.throws(() => b.next(), /expired/);
      await b.renew();
      assert.ok(b.next());
      for (const g of [b, c, d]) await g.detach(ts.ctx.db);
    });

    test('a JSON body with 17-digit integer ids reaches Graph, SCIM and the admin API digit for digit', async () => {
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const send = await fetch(`${ts.graph}/me/messages`, { method: 'POST', headers, body: '{"recipient":{"ids":[12345678901234567]},"message":{"text":"x"}}' });
      const sent = await send.json();
      assert.equal(send.status, 400);
      assert.match(sent.error.message, /recipient 12345678901234567\b/);
      // Real (16-digit) ids sent unquoted work.
      const m1 = await ts.member({ email: 'n1@example.com', name: 'Num One' });
      const m2 = await ts.member({ email: 'n2@example.com', name: 'Num Two' });
      const group = await fetch(`${ts.graph}/me/messages`, { method: 'POST', headers, body: `{"recipient":{"ids":[${m1.id},${m2.id}]},"message":{"text":"hello"}}` });
      assert.equal(group.status, 200, await group.clone().text());
      assert.match((await group.json()).message_id, /^m_/);
      // The same inside a form field holding JSON, as Meta's samples send it.
      const form = await http('POST', `${ts.graph}/me/messages`, { token, form: { recipient: '{"id":12345678901234567}', message: '{"text":"x"}' } });
      assert.match(form.json.error.message, /recipient 12345678901234567\b/);

      const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
      const scim = await fetch(`${ts.base}/scim/v2/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
        body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","${ENT}"],"userName":"big.manager@example.com","name":{"formatted":"Big Manager"},"${ENT}":{"manager":{"managerId":12345678901234567}}}`,
      });
      const scimBody = await scim.json();
      assert.equal(scim.status, 400, JSON.stringify(scimBody));
      assert.match(scimBody.detail, /12345678901234567\b/);

      const signIn = await http('POST', `${ts.base}/admin/api/session`, { json: { email: 'admin@example.com', password: 'test-Admin-pass-1234' }, headers: SIGN_IN });
      const admin = { cookie: signIn.headers.get('set-cookie')!.split(';')[0], 'x-csrf-token': signIn.json.csrf_token, 'content-type': 'application/json' };
      const edited = await http('PATCH', `${ts.base}/admin/api/people/${m1.id}`, { headers: admin, body: '{"manager_id":12345678901234567}' });
      assert.equal(edited.status, 400);
      assert.match(edited.text, /12345678901234567\b/);
      const managed = await http('PATCH', `${ts.base}/admin/api/people/${m1.id}`, { headers: admin, body: `{"manager_id":${m2.id}}` });
      assert.equal(managed.status, 200, managed.text);
      assert.equal(managed.json.manager.id, m2.id);
    });
  });
}
