import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IncomingWebhook } from '@slack/webhook';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

for (const dialect of await dialects()) {
  describe(`automation on the Graph API (${dialect})`, () => {
    let ts: TestServer;
    let groupId: string;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_AUTOMATION_WORKER: '0' } });
      groupId = (await ts.write((w) => groupCreator(w, { name: 'Builds', privacy: 'OPEN' }))).id;
    });
    after(() => ts.close());

    test('an integration holding write_group creates, lists and revokes incoming webhooks of a group', async () => {
      const bot = await ts.integration(['read_group', 'write_group'], { name: 'CI Bot' });
      assert.equal((await http('POST', `${ts.graph}/${groupId}/incoming_webhooks`)).json.error.code, 190, 'no token: 190');
      const reader = await ts.integration(['read_group'], { name: 'Reader' });
      assert.equal((await http('POST', `${ts.graph}/${groupId}/incoming_webhooks`, { token: reader.access_token })).json.error.code, 200, 'no write_group: 200');
      const other = await ts.write((w) => groupCreator(w, { name: 'Elsewhere', privacy: 'OPEN' }));
      const scoped = await ts.integration(['write_group'], { name: 'Scoped', groups: [groupId] });
      assert.equal((await http('POST', `${ts.graph}/${other.id}/incoming_webhooks`, { token: scoped.access_token })).json.error.code, 100, 'out of scope: 100');

      const created = await http('POST', `${ts.graph}/${groupId}/incoming_webhooks`, { token: bot.access_token, form: { name: 'CI Bot' } });
      assert.equal(created.status, 200, created.text);
      assert.match(created.json.url, /^http:\/\/127\.0\.0\.1:\d+\/hooks\/cphk_/);
      assert.equal((await new IncomingWebhook(created.json.url).send({ text: 'from *CI*' })).text, 'ok');
      const feed = await http('GET', `${ts.graph}/${groupId}/feed?fields=message,from{id}`, { token: bot.access_token });
      assert.deepEqual(feed.json.data.map((p: { message: string }) => p.message), ['from **CI**']);
      assert.equal(feed.json.data[0].from.id, bot.page_id, 'posts as the bot page');

      const list = await http('GET', `${ts.graph}/${groupId}/incoming_webhooks`, { token: bot.access_token });
      assert.deepEqual(list.json.data.map((h: { id: string }) => h.id), [created.json.id]);
      assert.ok(!list.text.includes(created.json.url.split('/hooks/')[1]), 'the key is never listed');
      assert.deepEqual((await http('GET', `${ts.graph}/${groupId}/incoming_webhooks`, { token: scoped.access_token })).json.data, [], "another integration's hooks are not listed");
      assert.equal((await http('DELETE', `${ts.graph}/${groupId}/incoming_webhooks/${created.json.id}`, { token: scoped.access_token })).json.error.code, 100);
      assert.deepEqual((await http('DELETE', `${ts.graph}/${groupId}/incoming_webhooks/${created.json.id}`, { token: bot.access_token })).json, { success: true });
      assert.equal((await http('POST', created.json.url, { json: { text: 'after revoke' } })).text, 'no_service');
    });

    test('auto_membership_rules: dry run, save, read back, delete', async () => {
      const admin = await ts.integration(['manage_group', 'read_group_membership'], { name: 'Groups admin' });
      const sales = await ts.member({ email: 'sam@example.com', name: 'Sam Sales', department: 'Sales' });
      const eng = await ts.member({ email: 'eve@example.com', name: 'Eve Eng', department: 'Engineering' });
      const group = await ts.write((w) => groupCreator(w, { name: 'Sales', privacy: 'CLOSED' }));
      await ts.write((w) => groupMemberAdder(w, group, eng.id, 'admin'));
      const dry = await http('POST', `${ts.graph}/${group.id}/auto_membership_rules`, { token: admin.access_token, form: { expression: 'department eq "Sales"', dry_run: 'true' } });
      assert.equal(dry.status, 200, dry.text);
      assert.deepEqual(dry.json.joins.map((p: { id: string }) => p.id), [sales.id]);
      const bad = await http('POST', `${ts.graph}/${group.id}/auto_membership_rules`, { token: admin.access_token, form: { expression: 'department equals "Sales"' } });
      assert.equal(bad.json.error.code, 100);
      const saved = await http('POST', `${ts.graph}/${group.id}/auto_membership_rules`, { token: admin.access_token, form: { expression: 'department eq "Sales"' } });
      assert.deepEqual(saved.json, { success: true, joined: [sales.id], left: [] });
      const read = await http('GET', `${ts.graph}/${group.id}/auto_membership_rules`, { token: admin.access_token });
      assert.equal(read.json.data[0].expression, 'department eq "Sales"');
      const reader = await ts.integration(['read_group'], { name: 'Plain reader' });
      assert.equal((await http('POST', `${ts.graph}/${group.id}/auto_membership_rules`, { token: reader.access_token, form: { expression: 'department eq "x"' } })).json.error.code, 200);
      assert.deepEqual((await http('DELETE', `${ts.graph}/${group.id}/auto_membership_rules`, { token: admin.access_token })).json, { success: true });
      assert.deepEqual((await http('GET', `${ts.graph}/${group.id}/auto_membership_rules`, { token: admin.access_token })).json.data, []);
    });
  });
}
