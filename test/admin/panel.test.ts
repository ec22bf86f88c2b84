import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { dialects } from '../helpers/dialects.js';
import { http, SIGN_IN, startServer, type TestServer } from '../helpers/server.js';

// The admin panel's own API: integration pictures (resized on the server), People, Groups and
// the Security log with its CSV export, on every dialect.

for (const dialect of await dialects()) {
  describe(`admin panel API (${dialect})`, () => {
    let ts: TestServer;
    let cookie: string;
    let csrf: string;
    before(async () => {
      ts = await startServer(dialect);
      const r = await http('POST', `${ts.base}/admin/api/session`, { json: { email: 'admin@example.com', password: 'test-Admin-pass-1234' }, headers: SIGN_IN });
      cookie = r.headers.get('set-cookie')!.split(';')[0];
      csrf = r.json.csrf_token;
    });
    after(() => ts.close());
    const api = (method: string, path: string, json?: unknown) => http(method, `${ts.base}/admin/api${path}`, { json, headers: { cookie, 'x-csrf-token': csrf } });

    test('a picture given at creation is cropped to a 512×512 square and served', async () => {
      const picture = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#336699' } }).jpeg().toBuffer();
      const created = await api('POST', '/integrations', { name: 'Pic Bot', permissions: ['read_group'], picture: `data:image/jpeg;base64,${picture.toString('base64')}` });
      assert.equal(created.status, 200, created.text);
      const redirect = await api('GET', `/integrations/${created.json.app_id}/picture`);
      assert.equal(redirect.status, 302);
      const image = await fetch(`${ts.base}${redirect.headers.get('location')}`);
      const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 512, 512]);
      const bad = await api('POST', '/integrations', { name: 'Bad Pic', permissions: [], picture: Buffer.from('not an image').toString('base64') });
      assert.equal(bad.status, 400);
      const none = await api('POST', '/integrations', { name: 'No Pic', permissions: [] });
      assert.equal((await api('GET', `/integrations/${none.json.app_id}/picture`)).headers.get('location'), '/media/silhouette.svg');
      const activity = await api('GET', `/integrations/${created.json.app_id}/activity`);
      assert.equal(activity.json.requests_30d.length, 30);
    });

    test('people: search, invite with a claim link, edit, manager, deactivate, admin role', async () => {
      await ts.member({ email: 'zed@example.com', name: 'Zed Zimmer', title: 'Analyst' });
      const invited = await api('POST', '/people', { name: 'Ivy Invite', email: 'ivy@example.com', title: 'Writer' });
      assert.equal(invited.status, 200, invited.text);
      assert.equal(invited.json.state, 'invited');
      assert.match(invited.json.invite.claim_link, new RegExp(`^${ts.base}/claim/`));
      assert.match(invited.json.invite.access_code, /^[A-Z2-9]{10}$/);
      const search = await api('GET', '/people?q=ZIMM');
      assert.deepEqual(search.json.data.map((p: { name: string }) => p.name), ['Zed Zimmer']);
      assert.equal(search.json.total, 1);
      const zed = search.json.data[0];
      const edited = await api('PATCH', `/people/${invited.json.id}`, { department: 'Docs', manager_id: zed.id });
      assert.equal(edited.json.department, 'Docs');
      assert.equal(edited.json.manager.name, 'Zed Zimmer');
      assert.deepEqual((await api('GET', `/people/${zed.id}`)).json.reports.map((r: { name: string }) => r.name), ['Ivy Invite']);
      assert.equal((await api('POST', `/people/${zed.id}/deactivate`)).json.state, 'deactivated');
      assert.equal((await api('GET', '/people?state=deactivated')).json.total, 1);
      assert.equal((await api('POST', `/people/${zed.id}/admin`, { admin: true })).status, 409, 'deactivated accounts are not made admins');
      assert.equal((await api('POST', `/people/${zed.id}/reactivate`)).json.state, 'claimed');
      assert.equal((await api('POST', `/people/${zed.id}/admin`, { admin: true })).json.is_admin, true);
      const me = (await api('GET', '/people?state=admins&q=admin@example.com')).json.data[0];
      assert.equal((await api('POST', `/people/${zed.id}/admin`, { admin: false })).json.is_admin, false);
      assert.equal((await api('POST', `/people/${me.id}/admin`, { admin: false })).status, 409, 'the last admin keeps the role');
      const log = await api('GET', `/security-log?type=account.&target=${zed.id}`);
      assert.deepEqual(log.json.data.map((e: { action: string }) => e.action), ['account.admin_revoked', 'account.admin_granted', 'account.reactivated', 'account.deactivated']);
    });

    test('groups: create, settings, members and roles', async () => {
      const owner = await ts.member({ email: 'gail@example.com', name: 'Gail Group' });
      const created = await api('POST', '/groups', { name: 'Ops', privacy: 'SECRET', join_setting: 'ADMIN_ONLY' });
      assert.equal(created.status, 200, created.text);
      assert.equal((await api('PUT', `/groups/${created.json.id}/members/${owner.id}`, { role: 'admin' })).status, 200);
      assert.equal((await api('PATCH', `/groups/${created.json.id}`, { name: 'Operations', post_permissions: 'ADMIN_ONLY' })).json.name, 'Operations');
      let detail = await api('GET', `/groups/${created.json.id}`);
      assert.deepEqual(detail.json.members.map((m: { name: string; role: string }) => `${m.name}:${m.role}`), ['Gail Group:admin']);
      await api('PUT', `/groups/${created.json.id}/members/${owner.id}`, { role: 'member' });
      detail = await api('GET', `/groups/${created.json.id}`);
      assert.equal(detail.json.members[0].role, 'member');
      const list = await api('GET', '/group-list?q=operat');
      assert.deepEqual(list.json.data.map((x: { name: string; member_count: number }) => `${x.name}:${x.member_count}`), ['Operations:1']);
      assert.equal((await api('PATCH', `/groups/${created.json.id}`, { privacy: 'PUBLIC' })).status, 400);
    });

    test('security log: filters, paging and a CSV export that defuses formulas', async () => {
      await api('POST', '/groups', { name: '=HYPERLINK("http://evil")', privacy: 'OPEN' });
      const page1 = await api('GET', '/security-log?limit=2');
      assert.equal(page1.json.data.length, 2);
      const page2 = await api('GET', `/security-log?limit=2&before=${page1.json.next}`);
      assert.notEqual(page2.json.data[0].id, page1.json.data[0].id);
      const future = await api('GET', `/security-log?since=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`);
      assert.equal(future.json.data.length, 0);
      const csv = await http('GET', `${ts.base}/admin/api/security-log.csv?type=group.created`, { headers: { cookie } });
      assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="security-log-/);
      assert.match(csv.text, /"'=HYPERLINK/);
      assert.equal((await http('GET', `${ts.base}/admin/api/security-log.csv`)).status, 401);
    });
  });
}
