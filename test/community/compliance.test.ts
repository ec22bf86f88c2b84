import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

for (const dialect of await dialects()) {
  describe(`Work Chat compliance: DELETE /{message-id}?user=, GET /t_{id}/threadname (${dialect})`, () => {
    let ts: TestServer;
    let bot: string;
    let compliance: string;
    let member: { id: string };
    let outsider: { id: string };
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      bot = (await ts.integration(['message'])).access_token;
      compliance = (await ts.integration(['read_all_messages'])).access_token;
      member = await ts.member({ name: 'Dana Data', email: 'dana@example.com' });
      outsider = await ts.member({ name: 'Olly Outside', email: 'olly@example.com' });
    });
    after(() => ts.close());

    const send = async (text: string) => {
      const r = await http('POST', `${ts.graph}/me/messages`, { token: bot, json: { recipient: { id: member.id }, message: { text } } });
      assert.equal(r.status, 200, r.text);
      return r.json.message_id as string;
    };
    const call = (method: string, path: string, token: string | undefined) => http(method, `${ts.graph}${path}`, { token });

    test('triad, then the message is gone with one audit event; a wrong user is refused and deletes nothing', async () => {
      const messageId = await send('Quarterly numbers: do not forward');
      assert.equal((await call('DELETE', `/${messageId}?user=${member.id}`, undefined)).json.error.code, 190);
      assert.equal((await call('DELETE', `/${messageId}?user=${member.id}`, bot)).json.error.code, 200, 'the bot itself needs read_all_messages');
      assert.equal((await call('DELETE', `/${messageId}`, compliance)).json.error.code, 100);
      const wrong = await call('DELETE', `/${messageId}?user=${outsider.id}`, compliance);
      assert.equal(wrong.json.error.code, 100);
      assert.match(wrong.json.error.message, /not a participant/);
      const id = messageId.replace(/^m_/, '');
      assert.ok(await ts.ctx.db.selectFrom('chat_message').select('id').where('id', '=', id).executeTakeFirst());
      const done = await call('DELETE', `/${messageId}?user=${member.id}`, compliance);
      assert.deepEqual(done.json, { success: true }, done.text);
      assert.equal(await ts.ctx.db.selectFrom('chat_message').select('id').where('id', '=', id).executeTakeFirst(), undefined);
      const events = await ts.ctx.db.selectFrom('audit_event').selectAll().where('target_id', '=', messageId).orderBy('time').orderBy('id').execute();
      assert.deepEqual(events.map((e) => e.action), ['chat.message_sent', 'chat.message_deleted'], 'the refused attempts wrote nothing');
      assert.equal(events[1].actor_type, 'integration');
      assert.equal(JSON.parse(events[1].old_value!).text, 'Quarterly numbers: do not forward');
      assert.equal((await call('GET', `/${messageId}`, compliance)).json.error.code, 100, 'a deleted message is unknown');
      assert.equal((await call('DELETE', `/${messageId}?user=${member.id}`, compliance)).json.error.code, 100);
    });

    test('GET /t_{id}/threadname: participants and read_all_messages read it; others get 100', async () => {
      const messageId = await send('hello');
      const threadRow = await ts.ctx.db.selectFrom('chat_message').select('thread_id').where('id', '=', messageId.replace(/^m_/, '')).executeTakeFirstOrThrow();
      const thread = `t_${threadRow.thread_id}`;
      assert.equal((await call('GET', `/${thread}/threadname`, undefined)).json.error.code, 190);
      assert.deepEqual((await call('GET', `/${thread}/threadname`, compliance)).json, { name: '' });
      assert.deepEqual((await call('GET', `/${thread}/threadname`, bot)).json, { name: '' });
      const stranger = (await ts.integration(['message'])).access_token;
      assert.equal((await call('GET', `/${thread}/threadname`, stranger)).json.error.code, 100);
    });
  });
}
