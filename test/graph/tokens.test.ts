import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { GraphApiError, GraphClient } from '@commonplace/sdk';
import { integrationDeleter, integrationEnabler, integrationTokenRotator, integrationUpdater } from '../../src/domain/commands/integration.js';
import { updateMember } from '../../src/db/repositories/member.js';
import { TOKEN_PREFIX } from '../../src/domain/secrets.js';
import { dialects } from '../helpers/dialects.js';
import { http, ManualClock, startServer, type TestServer } from '../helpers/server.js';

const proof = (secret: string, message: string) => createHmac('sha256', secret).update(message).digest('hex');

for (const dialect of await dialects()) {
  describe(`token lifecycle (${dialect})`, () => {
    let ts: TestServer;
    const clock = new ManualClock(Date.now());
    before(async () => {
      ts = await startServer(dialect, { clock });
    });
    after(() => ts.close());

    const me = (token: string, query = '') => http('GET', `${ts.graph}/me${query}`, { token });

    test('tokens are long, prefixed, and stored only as a hash', async () => {
      const app = await ts.integration(['read_group']);
      assert.ok(app.access_token.startsWith(TOKEN_PREFIX));
      assert.ok(app.access_token.length >= 150);
      assert.match(app.app_secret, /^[0-9a-f]{32}$/);
      const row = await ts.ctx.db.selectFrom('app').selectAll().where('id', '=', app.app_id).executeTakeFirstOrThrow();
      const stored = JSON.stringify(row);
      assert.ok(!stored.includes(app.access_token), 'token stored in clear');
      assert.ok(!stored.includes(app.app_secret), 'secret stored in clear');
      const audit = JSON.stringify(await ts.ctx.db.selectFrom('audit_event').selectAll().execute());
      assert.ok(!audit.includes(app.access_token) && !audit.includes(app.app_secret), 'secret in the audit log');
    });

    test('rotate: the old token fails at once, the new one works', async () => {
      const app = await ts.integration(['read_group']);
      assert.equal((await me(app.access_token)).status, 200);
      const fresh = await ts.write((w) => integrationTokenRotator(w, app.app_id));
      assert.notEqual(fresh.access_token, app.access_token);
      assert.equal(fresh.app_secret, app.app_secret, 'rotation keeps the app secret');
      const old = await me(app.access_token);
      assert.equal(old.json.error.code, 190);
      assert.equal((await me(fresh.access_token)).json.id, app.page_id);
    });

    test('disable: every request fails with 190/458 and a clear message; enable restores', async () => {
      const app = await ts.integration(['read_group']);
      await ts.write((w) => integrationEnabler(w, app.app_id, false));
      const r = await me(app.access_token);
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, 190);
      assert.equal(r.json.error.error_subcode, 458);
      assert.match(r.json.error.message, /disabled/);
      const viaApp = await http('GET', `${ts.graph}/app`, { token: `${app.app_id}|${app.app_secret}` });
      assert.equal(viaApp.json.error.code, 190);
      await ts.write((w) => integrationEnabler(w, app.app_id, true));
      assert.equal((await me(app.access_token)).status, 200);
    });

    test('delete: the token fails and the bot page is gone', async () => {
      const app = await ts.integration(['read_group']);
      await ts.write((w) => integrationDeleter(w, app.app_id));
      assert.equal((await me(app.access_token)).json.error.code, 190);
      const other = await ts.integration(['read_group']);
      assert.equal((await http('GET', `${ts.graph}/${app.page_id}`, { token: other.access_token })).json.error.code, 100);
    });

    test('the token is not tied to the admin who created it', async () => {
      const adminMember = await ts.member({ email: 'creator@example.com', name: 'Creator Admin', is_admin: true });
      const app = await ts.write(
        (w) => import('../../src/domain/commands/integration.js').then((m) => m.integrationCreator(w, { name: 'Survivor', permissions: ['read_group'], groupIds: null })),
        { kind: 'member', memberId: adminMember.id, isAdmin: true },
      );
      await updateMember(ts.ctx.db, adminMember.id, { state: 'deactivated', deactivated_time: clock.now(), is_admin: 0 });
      assert.equal((await me(app.access_token)).status, 200);
      await ts.ctx.db.deleteFrom('member').where('id', '=', adminMember.id).execute();
      assert.equal((await me(app.access_token)).status, 200);
    });

    test('appsecret_proof: both forms accepted, wrong, stale or missing ones refused when required', async () => {
      const app = await ts.integration(['read_group'], { requireProof: true });
      const t = app.access_token;
      const missing = await me(t);
      assert.equal(missing.json.error.code, 100);
      assert.match(missing.json.error.message, /appsecret_proof/);
      assert.equal((await me(t, `?appsecret_proof=${proof(app.app_secret, t)}`)).status, 200);
      const now = Math.floor(clock.now() / 1000);
      assert.equal((await me(t, `?appsecret_proof=${proof(app.app_secret, `${t}|${now}`)}&appsecret_time=${now}`)).status, 200);
      const wrong = await me(t, `?appsecret_proof=${proof('not-the-secret', t)}`);
      assert.equal(wrong.json.error.code, 100);
      const stale = now - 301;
      const old = await me(t, `?appsecret_proof=${proof(app.app_secret, `${t}|${stale}`)}&appsecret_time=${stale}`);
      assert.equal(old.json.error.code, 100);
      assert.match(old.json.error.message, /appsecret_time/);
      const mismatched = await me(t, `?appsecret_proof=${proof(app.app_secret, `${t}|${now}`)}&appsecret_time=${now + 1}`);
      assert.equal(mismatched.json.error.code, 100);
      const sdk = new GraphClient({ baseUrl: ts.graph, accessToken: t, appSecret: app.app_secret, appsecretProof: 'timed', clock: () => clock.now(), retry: { retries: 0 } });
      assert.equal((await sdk.me()).id, app.page_id);
      await ts.write((w) => integrationUpdater(w, app.app_id, { requireProof: false }));
      assert.equal((await me(t)).status, 200);
      assert.equal((await me(t, `?appsecret_proof=${'0'.repeat(64)}`)).json.error.code, 100, 'a wrong proof is refused even when not required');
    });

    test('app token APP_ID|APP_SECRET authenticates as the app; a wrong secret does not', async () => {
      const app = await ts.integration(['read_group'], { name: 'App Itself' });
      const ok = await http('GET', `${ts.graph}/app?fields=id,name`, { token: `${app.app_id}|${app.app_secret}` });
      assert.deepEqual(ok.json, { id: app.app_id, name: 'App Itself' });
      const bad = await http('GET', `${ts.graph}/app`, { token: `${app.app_id}|${'f'.repeat(32)}` });
      assert.equal(bad.json.error.code, 190);
      const unknown = await http('GET', `${ts.graph}/app`, { token: `999|${app.app_secret}` });
      assert.equal(unknown.json.error.code, 190);
    });

    test('no token, empty token and garbage are 190 with a trace id', async () => {
      for (const token of [undefined, '', 'Bearer', 'x'.repeat(5000)]) {
        const r = await http('GET', `${ts.graph}/me`, { headers: token === undefined ? {} : { authorization: token } });
        assert.equal(r.json.error.code, 190, String(token).slice(0, 20));
        assert.ok(r.json.error.fbtrace_id);
        assert.ok(r.status >= 400 && r.status < 500);
      }
    });

    test('usage: last request time and 7-day counts per integration', async () => {
      const app = await ts.integration(['read_group']);
      for (let i = 0; i < 3; i++) await me(app.access_token);
      await ts.server.services.usage.flush();
      const { listIntegrationViews } = await import('../../src/presenters/integration.js');
      const view = (await listIntegrationViews(ts.ctx.db, clock.now())).find((v) => v.app_id === app.app_id)!;
      assert.equal(view.requests_7d_total, 3);
      assert.equal(view.requests_7d.length, 7);
      assert.ok(view.last_request_time);
    });

    test('the SDK surfaces Graph errors as GraphApiError with code and trace id', async () => {
      const client = ts.client('cpit_wrong');
      await assert.rejects(client.me(), (e: unknown) => e instanceof GraphApiError && e.code === 190 && !!e.fbtrace_id);
    });
  });
}
