import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.js';
import { http, SIGN_IN, startServer, type TestServer } from '../helpers/server.js';

const PASSWORD = 'test-Admin-pass-1234';

for (const dialect of await dialects()) {
  describe(`admin API (${dialect})`, () => {
    let ts: TestServer;
    let cookie: string;
    let csrf: string;
    before(async () => {
      ts = await startServer(dialect);
      const r = await http('POST', `${ts.base}/admin/api/session`, { json: { email: 'admin@example.com', password: PASSWORD }, headers: SIGN_IN });
      assert.equal(r.status, 200, r.text);
      cookie = r.headers.get('set-cookie')!.split(';')[0];
      csrf = r.json.csrf_token;
    });
    after(() => ts.close());

    const api = (method: string, path: string, json?: unknown, headers: Record<string, string> = {}) =>
      http(method, `${ts.base}/admin/api${path}`, { json, headers: { cookie, 'x-csrf-token': csrf, ...headers } });

    test('the session cookie is HttpOnly and SameSite', async () => {
      const r = await http('POST', `${ts.base}/admin/api/session`, { json: { email: 'admin@example.com', password: PASSWORD }, headers: SIGN_IN });
      const set = r.headers.get('set-cookie')!;
      assert.match(set, /HttpOnly/);
      assert.match(set, /SameSite=Strict/);
      assert.ok(!JSON.stringify(r.json).includes(set.split(';')[0].split('=')[1]), 'the session token is only in the cookie');
    });

    test('wrong passwords are refused alike, then backed off', async () => {
      const email = 'admin@example.com';
      const wrong = await http('POST', `${ts.base}/admin/api/session`, { json: { email, password: 'nope' }, headers: { ...SIGN_IN, 'x-forwarded-for': '1.2.3.4' } });
      const unknown = await http('POST', `${ts.base}/admin/api/session`, { json: { email: 'ghost@example.com', password: 'nope' }, headers: SIGN_IN });
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      assert.equal(wrong.json.error.message, unknown.json.error.message);
      for (let i = 0; i < 5; i++) await http('POST', `${ts.base}/admin/api/session`, { json: { email: 'locked@example.com', password: 'nope' }, headers: SIGN_IN });
      const blocked = await http('POST', `${ts.base}/admin/api/session`, { json: { email: 'locked@example.com', password: 'nope' }, headers: SIGN_IN });
      assert.equal(blocked.status, 429);
      assert.ok(Number(blocked.headers.get('retry-after')) > 0);
      const failures = await ts.ctx.db.selectFrom('audit_event').selectAll().where('action', '=', 'admin.sign_in_failed').execute();
      assert.ok(failures.length >= 2);
      assert.ok(!JSON.stringify(failures).includes('nope'), 'passwords never reach the audit log');
    });

    test('every change needs the CSRF token; reads need the session', async () => {
      assert.equal((await http('GET', `${ts.base}/admin/api/integrations`)).status, 401);
      const noCsrf = await http('POST', `${ts.base}/admin/api/integrations`, { json: { name: 'X' }, headers: { cookie } });
      assert.equal(noCsrf.status, 403);
      assert.equal(noCsrf.json.error.code, 'csrf_failed');
    });

    test('create, list, update, rotate, disable, enable, reveal secret and delete an integration', async () => {
      const created = await api('POST', '/integrations', { name: 'Deploy Bot', description: 'Posts deploys', permissions: ['read_group', 'write_group'] });
      assert.equal(created.status, 200, created.text);
      const { app_id, access_token, app_secret, page_id } = created.json;
      assert.ok(app_id && access_token && app_secret && page_id);
      assert.equal(created.json.integration.groups, 'all');
      const me = await http('GET', `${ts.graph}/me`, { token: access_token });
      assert.equal(me.json.name, 'Deploy Bot');

      const list = await api('GET', '/integrations');
      const listed = list.json.data.find((i: { app_id: string }) => i.app_id === app_id);
      assert.deepEqual(listed.permissions, ['read_group', 'write_group']);
      assert.ok(!JSON.stringify(list.json).includes(access_token) && !JSON.stringify(list.json).includes(app_secret), 'lists never show the token or the secret');

      const updated = await api('PATCH', `/integrations/${app_id}`, { name: 'Deploy Bot 2', permissions: ['read_group'] });
      assert.equal(updated.json.name, 'Deploy Bot 2');
      assert.equal((await http('GET', `${ts.graph}/me`, { token: access_token })).json.name, 'Deploy Bot 2', 'the bot page follows the name');
      const denied = await http('POST', `${ts.graph}/community/groups`, { token: access_token, form: { name: 'x' } });
      assert.equal(denied.json.error.code, 200);

      const rotated = await api('POST', `/integrations/${app_id}/rotate`);
      assert.ok(rotated.json.access_token && rotated.json.access_token !== access_token);
      assert.equal(rotated.json.app_secret, undefined, 'rotation does not re-show the secret');
      assert.equal((await http('GET', `${ts.graph}/me`, { token: access_token })).json.error.code, 190);

      assert.equal((await api('POST', `/integrations/${app_id}/disable`)).json.enabled, false);
      assert.equal((await http('GET', `${ts.graph}/me`, { token: rotated.json.access_token })).json.error.error_subcode, 458);
      assert.equal((await api('POST', `/integrations/${app_id}/enable`)).json.enabled, true);

      assert.equal((await api('POST', `/integrations/${app_id}/secret`, { password: 'wrong' })).status, 401);
      assert.equal((await api('POST', `/integrations/${app_id}/secret`, { password: PASSWORD })).json.app_secret, app_secret);

      const audit = await api('GET', `/audit?target=${app_id}`);
      const actions = audit.json.data.map((e: { action: string }) => e.action).sort();
      assert.deepEqual(actions, ['integration.created', 'integration.disabled', 'integration.enabled', 'integration.secret_revealed', 'integration.token_rotated', 'integration.updated']);
      assert.ok(audit.json.data.every((e: { actor: { type: string } }) => e.actor.type === 'admin'));

      assert.equal((await api('DELETE', `/integrations/${app_id}`)).json.success, true);
      assert.equal((await api('GET', `/integrations/${app_id}`)).status, 404);
      assert.equal((await http('GET', `${ts.graph}/me`, { token: rotated.json.access_token })).json.error.code, 190);
    });

    test('bad input is a clear 400, never a 500, and writes nothing', async () => {
      const before = (await ts.ctx.db.selectFrom('audit_event').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n;
      for (const body of [{ name: '' }, { name: 'X', permissions: ['fly'] }, { name: 'X', permissions: 'read_group' }, { name: 'X', groups: ['123'] }, { name: 42 }]) {
        const r = await api('POST', '/integrations', body);
        assert.equal(r.status, 400, JSON.stringify(body) + r.text);
        assert.ok(r.json.error.message);
      }
      const garbage = await http('POST', `${ts.base}/admin/api/integrations`, { body: '{not json', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' } });
      assert.equal(garbage.status, 400);
      const afterCount = (await ts.ctx.db.selectFrom('audit_event').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n;
      assert.equal(Number(afterCount), Number(before));
    });

    test('a scoped integration needs existing groups and shows them', async () => {
      const group = await http('POST', `${ts.graph}/community/groups`, {
        token: (await ts.integration(['manage_group'])).access_token,
        form: { name: 'Scoped Target' },
      });
      const created = await api('POST', '/integrations', { name: 'Scoped', permissions: ['read_group'], groups: [group.json.id] });
      assert.deepEqual(created.json.integration.groups, [group.json.id]);
    });

    test('sign out ends the session', async () => {
      const r = await http('POST', `${ts.base}/admin/api/session`, { json: { email: 'admin@example.com', password: PASSWORD }, headers: SIGN_IN });
      const c = r.headers.get('set-cookie')!.split(';')[0];
      const out = await http('DELETE', `${ts.base}/admin/api/session`, { headers: { cookie: c, 'x-csrf-token': r.json.csrf_token } });
      assert.equal(out.status, 200);
      assert.equal((await http('GET', `${ts.base}/admin/api/integrations`, { headers: { cookie: c } })).status, 401);
    });
  });
}
