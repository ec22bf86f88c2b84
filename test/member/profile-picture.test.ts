import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { dialects } from '../helpers/dialects.js';
import { http, SIGN_IN, startServer, type TestServer } from '../helpers/server.js';

// The member app's own profile picture (PUT/DELETE /api/me/picture), the admin panel's
// (/admin/api/people/:id/picture), and the resized avatar links the app shows, on every dialect.

const png = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#e0702a' } }).png().toBuffer();
const dataUrl = (b: Buffer) => `data:image/png;base64,${b.toString('base64')}`;

for (const dialect of await dialects()) {
  describe(`member profile picture (${dialect})`, () => {
    let ts: TestServer;
    let pia: { id: string };
    let other: { id: string };
    let session: { cookie: string; csrf: string };
    let admin: { cookie: string; csrf: string };
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      pia = await ts.member({ email: 'pia@example.com', name: 'Pia Picture', password: 'pia-pass-12345' });
      other = await ts.member({ email: 'olaf@example.com', name: 'Olaf Other', password: 'olaf-pass-1234' });
      session = await signIn('/api/session', 'pia@example.com', 'pia-pass-12345');
      admin = await signIn('/admin/api/session', 'admin@example.com', 'test-Admin-pass-1234');
    });
    after(() => ts.close());

    async function signIn(path: string, email: string, password: string) {
      const r = await http('POST', `${ts.base}${path}`, { json: { email, password }, headers: SIGN_IN });
      assert.equal(r.status, 200, r.text);
      return { cookie: r.headers.get('set-cookie')!.split(';')[0], csrf: r.json.csrf_token as string };
    }
    const api = (method: string, path: string, json?: unknown, s = session) => http(method, `${ts.base}${path}`, { json, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    const audits = (action: string, id = pia.id) => ts.ctx.db.selectFrom('audit_event').selectAll().where('target_id', '=', id).where('action', '=', action).execute();
    const pictureOf = async (id: string) => (await ts.ctx.db.selectFrom('member').select('picture_media_id').where('id', '=', id).executeTakeFirstOrThrow()).picture_media_id;
    const sizeOf = async (url: string) => {
      const r = await fetch(`${ts.base}${url}`, { headers: { cookie: session.cookie } });
      assert.equal(r.status, 200, url);
      const meta = await sharp(Buffer.from(await r.arrayBuffer())).metadata();
      return [meta.width, meta.height];
    };

    test('needs a session, and the CSRF token', async () => {
      const image = dataUrl(await png(300, 200));
      assert.equal((await http('PUT', `${ts.base}/api/me/picture`, { json: { picture: image } })).status, 401);
      assert.equal((await http('PUT', `${ts.base}/api/me/picture`, { json: { picture: image }, headers: { cookie: session.cookie } })).status, 403);
      assert.equal(await pictureOf(pia.id), null);
    });

    test('bad input is a clear 400 that writes nothing', async () => {
      for (const [body, message] of [
        [{}, /picture .* is required/],
        [{ picture: 42 }, /picture must be/],
        [{ picture: 'data:text/plain;base64,aGVsbG8gd29ybGQ=' }, /not a JPEG, PNG, GIF or WebP/],
        [{ picture: 'not base64 at all!' }, /base64/],
        [{ picture: dataUrl(Buffer.concat([await png(10, 10), Buffer.alloc(11 * 1024 * 1024)])) }, /at most 10485760 bytes/],
      ] as const) {
        const r = await api('PUT', '/api/me/picture', body);
        assert.equal(r.status, 400, r.text);
        assert.match(r.json.error.message, message);
      }
      assert.equal(await pictureOf(pia.id), null);
      assert.equal((await audits('account.picture_changed')).length, 0);
    });

    test('upload sets the picture with one audit event; avatars everywhere are resized squares', async () => {
      const r = await api('PUT', '/api/me/picture', { picture: dataUrl(await png(900, 600)) });
      assert.equal(r.status, 200, r.text);
      assert.match(r.json.picture_url, /^\/media\/\d+\/s128\//);
      assert.match(r.json.picture_large_url, /^\/media\/\d+\/s200\//);
      assert.deepEqual(await sizeOf(r.json.picture_url), [128, 128]);
      assert.deepEqual(await sizeOf(r.json.picture_large_url), [200, 200]);
      const events = await audits('account.picture_changed');
      assert.equal(events.length, 1);
      assert.equal(events[0].actor_id, pia.id);
      const profile = await api('GET', `/api/people/${pia.id}`);
      assert.equal(profile.json.picture_url, r.json.picture_url);
      assert.equal(profile.json.picture_large_url, r.json.picture_large_url);
      assert.equal((await api('GET', '/api/session')).json.member.picture_url, r.json.picture_url, 'the header shows it');
      const people = await api('GET', '/api/people?q=Pia');
      assert.equal(people.json.data[0].picture_url, r.json.picture_url);
      const thread = await api('POST', '/api/threads', { participants: [other.id] });
      assert.equal(thread.status, 200, thread.text);
      assert.equal((await api('POST', `/api/threads/${thread.json.id}/messages`, { text: 'hello' })).status, 200);
      const messages = await api('GET', `/api/threads/${thread.json.id}/messages`);
      assert.equal(messages.json.data.find((m: { from: { id: string } }) => m.from.id === pia.id).from.picture_url, r.json.picture_url, 'chat shows it on messages');
      const threads = await api('GET', '/api/threads');
      assert.equal(threads.json.data[0].participants.find((p: { id: string }) => p.id === pia.id).picture_url, r.json.picture_url);
      assert.equal(threads.json.data[0].participants.find((p: { id: string }) => p.id === other.id).picture_url, null);
    });

    test('a change replaces it; remove goes back to none with one audit event; removing again writes nothing', async () => {
      const before = await pictureOf(pia.id);
      const r = await api('PUT', '/api/me/picture', { picture: dataUrl(await png(64, 64)) });
      assert.equal(r.status, 200, r.text);
      assert.notEqual(await pictureOf(pia.id), before);
      assert.deepEqual(await sizeOf(r.json.picture_url), [64, 64], 'a small picture is never enlarged');
      const removed = await api('DELETE', '/api/me/picture');
      assert.equal(removed.status, 200, removed.text);
      assert.deepEqual(removed.json, { picture_url: null, picture_large_url: null });
      assert.equal(await pictureOf(pia.id), null);
      assert.equal((await api('GET', `/api/people/${pia.id}`)).json.picture_url, null);
      assert.equal((await audits('account.picture_removed')).length, 1);
      assert.equal((await api('DELETE', '/api/me/picture')).status, 200);
      assert.equal((await audits('account.picture_removed')).length, 1, 'a no-op writes no audit event');
    });

    test('admin panel: an admin sets and removes a person’s picture; a member session cannot', async () => {
      const image = dataUrl(await png(400, 400));
      assert.equal((await api('PUT', `/admin/api/people/${other.id}/picture`, { picture: image })).status, 401, 'a member session is no admin session');
      assert.equal((await http('PUT', `${ts.base}/admin/api/people/${other.id}/picture`, { json: { picture: image } })).status, 401);
      assert.equal((await api('PUT', `/admin/api/people/99999999/picture`, { picture: image }, admin)).status, 404);
      assert.equal((await api('PUT', `/admin/api/people/${other.id}/picture`, { picture: 'data:image/png;base64,AAAA' }, admin)).status, 400);
      const set = await api('PUT', `/admin/api/people/${other.id}/picture`, { picture: image }, admin);
      assert.equal(set.status, 200, set.text);
      assert.ok(set.json.picture_url);
      assert.ok(await pictureOf(other.id));
      const events = await audits('account.picture_changed', other.id);
      assert.equal(events.length, 1);
      assert.notEqual(events[0].actor_id, other.id, 'the admin is the actor');
      assert.match((await api('GET', `/api/people/${other.id}`)).json.picture_url, /\/s128\//, 'members see it');
      const removed = await api('DELETE', `/admin/api/people/${other.id}/picture`, undefined, admin);
      assert.equal(removed.status, 200, removed.text);
      assert.equal(removed.json.picture_url, null);
      assert.equal((await audits('account.picture_removed', other.id)).length, 1);
    });
  });
}
