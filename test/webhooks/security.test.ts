import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import { dialects } from '../helpers/dialects.js';
import { http, ManualClock, startServer, type TestServer } from '../helpers/server.js';
import { adminSession, subscribe } from './helpers.js';
import { change, Receiver } from './receiver.js';

// The workplace_security topic: audit-log security events (sign-ins, admin activity such as a
// deactivation through SCIM) reach integrations with read_security_logs, in order.

for (const dialect of await dialects()) {
  describe(`workplace_security webhooks (${dialect})`, () => {
    const clock = new ManualClock(Date.UTC(2026, 9, 1));
    let ts: TestServer;
    let auditor: IssuedCredentials;
    let hook: Receiver;

    before(async () => {
      ts = await startServer(dialect, { clock, env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8', COMMONPLACE_WEBHOOK_WORKER: '0' } });
      hook = await Receiver.start();
      auditor = await ts.integration(['read_security_logs'], { name: 'Auditor' });
      clock.advance(1000);
      await subscribe(ts, auditor, 'workplace_security', 'admin_activity,login_activity', hook.url);
    });
    after(async () => {
      await hook.close();
      await ts.close();
    });

    test('sign-ins, integration changes and a SCIM deactivation arrive as security events', async () => {
      await adminSession(ts);
      await ts.integration(['read_group'], { name: 'Newcomer' });
      const scim = await ts.integration(['manage_accounts'], { name: 'IdP' });
      const created = await http('POST', `${ts.base}/scim/v2/Users`, {
        token: scim.access_token,
        headers: { 'content-type': 'application/scim+json' },
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'leaver@example.com', name: { formatted: 'Lee Vers' } }),
      });
      assert.equal(created.status, 201, created.text);
      const patched = await http('PATCH', `${ts.base}/scim/v2/Users/${created.json.id}`, {
        token: scim.access_token,
        headers: { 'content-type': 'application/scim+json' },
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] }),
      });
      assert.equal(patched.status, 200, patched.text);
      await ts.server.webhooks.runOnce();
      const events = hook.posts().map((r) => ({ object: r.json.object, field: change(r)!.field, event: change(r)!.value.event, email: change(r)!.value.target_email, entry: r.json.entry[0].id }));
      assert.ok(events.every((e) => e.object === 'workplace_security'));
      const community = (await ts.ctx.db.selectFrom('community').select('id').executeTakeFirstOrThrow()).id;
      assert.ok(events.every((e) => e.entry === community));
      const names = events.map((e) => `${e.field}:${e.event}`);
      assert.ok(names.includes('login_activity:LOGIN'), names.join(' '));
      assert.ok(names.includes('admin_activity:ADMIN_CREATE_INTEGRATION'), names.join(' '));
      const deactivation = events.find((e) => e.event === 'ADMIN_DEACTIVATE_ACCOUNT');
      assert.ok(deactivation, names.join(' '));
      assert.equal(deactivation.email, 'leaver@example.com');
      assert.ok(names.indexOf('admin_activity:ADMIN_CREATE_ACCOUNT') < names.indexOf('admin_activity:ADMIN_DEACTIVATE_ACCOUNT'), 'in the order recorded');
    });

    test('the topic needs read_security_logs', async () => {
      const other = await ts.integration(['read_group'], { name: 'Nosy' });
      const r = await http('POST', `${ts.graph}/app/subscriptions`, { token: `${other.app_id}|${other.app_secret}`, form: { object: 'workplace_security', fields: 'admin_activity', callback_url: hook.url, verify_token: 'verify-me' } });
      assert.equal(r.status, 403);
      assert.match(r.json.error.message, /read_security_logs/);
    });
  });
}
