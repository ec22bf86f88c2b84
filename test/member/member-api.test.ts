import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import { userProvisioner } from '../../src/domain/commands/account.js';
import { findInvitesOf } from '../../src/db/repositories/account.js';
import { openInvite } from '../../src/domain/commands/account.js';
import { dialects } from '../helpers/dialects.js';
import { http, SIGN_IN, startServer, type TestServer } from '../helpers/server.js';

// The member app's JSON API (/api groups, feed, posts, comments, reactions, photos, people,
// claim, events) and its rules from policies/member.ts, on every dialect.

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

for (const dialect of await dialects()) {
  describe(`member app API (${dialect})`, () => {
    let ts: TestServer;
    let owner: { id: string };
    let mia: { id: string };
    let g: Record<string, string>;
    let session: { cookie: string; csrf: string };
    before(async () => {
      ts = await startServer(dialect);
      owner = await ts.member({ email: 'owner@example.com', name: 'Oscar Owner', password: 'owner-pass-1234' });
      mia = await ts.member({ email: 'mia@example.com', name: 'Mia Member', title: 'Engineer', password: 'mia-pass-12345', manager_id: owner.id });
      const make = (name: string, privacy: 'OPEN' | 'CLOSED' | 'SECRET', join: 'NONE' | 'ANYONE' | 'ADMIN_ONLY', post: 'NONE' | 'ADMIN_ONLY' = 'NONE') =>
        ts.write((w) => groupCreator(w, { name, privacy, join_setting: join, post_permissions: post, adminId: owner.id })).then((r) => r.id);
      g = { open: await make('Open', 'OPEN', 'NONE'), closed: await make('Closed', 'CLOSED', 'NONE'), guild: await make('Guild', 'CLOSED', 'ANYONE'), secret: await make('Secret', 'SECRET', 'ANYONE'), news: await make('News', 'OPEN', 'ANYONE', 'ADMIN_ONLY') };
      session = await signIn('mia@example.com', 'mia-pass-12345');
    });
    after(() => ts.close());

    async function signIn(email: string, password: string) {
      const r = await http('POST', `${ts.base}/api/session`, { json: { email, password }, headers: SIGN_IN });
      assert.equal(r.status, 200, r.text);
      return { cookie: r.headers.get('set-cookie')!.split(';')[0], csrf: r.json.csrf_token as string };
    }
    const api = (method: string, path: string, json?: unknown, s = session) => http(method, `${ts.base}/api${path}`, { json, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });

    test('needs a member session, and the CSRF token for changes', async () => {
      assert.equal((await http('GET', `${ts.base}/api/groups`)).status, 401);
      assert.equal((await http('POST', `${ts.base}/api/groups/${g.open}/join`, { headers: { cookie: session.cookie } })).status, 403);
    });

    test('groups: SECRET ones are invisible, join follows join_setting', async () => {
      const list = await api('GET', '/groups');
      assert.deepEqual(list.json.data.map((x: { name: string }) => x.name).sort(), ['Closed', 'Guild', 'News', 'Open']);
      assert.equal((await api('GET', `/groups/${g.secret}`)).status, 404, 'a secret group answers like a missing one');
      assert.equal((await api('POST', `/groups/${g.secret}/join`)).status, 404);
      assert.equal((await api('POST', `/groups/${g.closed}/join`)).status, 403);
      assert.equal((await api('GET', `/groups/${g.closed}/feed`)).status, 403, 'closed feeds are for members');
      assert.equal((await api('GET', `/groups/${g.open}/feed`)).status, 200, 'open feeds are for everyone');
      assert.equal((await api('POST', `/groups/${g.open}/posts`, { message: 'not a member yet' })).status, 403);
      for (const id of [g.open, g.guild, g.news]) assert.equal((await api('POST', `/groups/${id}/join`)).status, 200);
      const joined = await api('GET', '/groups?filter=joined');
      assert.deepEqual(joined.json.data.map((x: { name: string }) => x.name).sort(), ['Guild', 'News', 'Open']);
      assert.equal((await api('POST', `/groups/${g.news}/posts`, { message: 'members cannot post here' })).status, 403, 'post_permissions ADMIN_ONLY');
    });

    test('posts, comments, replies, reactions, photos and the home feed', async () => {
      const photo = await api('POST', '/photos', { data: `data:image/png;base64,${PNG.toString('base64')}`, group_id: g.open });
      assert.equal(photo.status, 200, photo.text);
      const created = await api('POST', `/groups/${g.open}/posts`, { message: `Hi @[${owner.id}] **all**`, photo_ids: [photo.json.id] });
      assert.equal(created.status, 200, created.text);
      const post = created.json;
      assert.equal(post.message, 'Hi Oscar Owner **all**');
      assert.deepEqual(post.message_tags.map((t: { id: string }) => t.id), [owner.id]);
      assert.match(post.photos[0].url, /^\/media\//);
      const c1 = await api('POST', `/posts/${post.id}/comments`, { message: 'first' });
      const commentId = c1.json.comments[0].id;
      const c2 = await api('POST', `/posts/${post.id}/comments`, { message: 'reply', parent_id: commentId });
      assert.equal(c2.json.comments[1].parent_id, commentId);
      assert.equal((await api('PUT', `/posts/${post.id}/reaction`, { type: 'LOVE' })).json.reactions.mine, 'LOVE');
      assert.equal((await api('PUT', `/comments/${commentId}/reaction`, { type: 'LIKE' })).json.comments[0].reactions.total, 1);
      assert.equal((await api('DELETE', `/posts/${post.id}/reaction`)).json.reactions.total, 0);
      const home = await api('GET', '/feed');
      assert.equal(home.json.data[0].id, post.id);
      assert.equal(home.json.data[0].group_name, 'Open');
      const ownerSession = await signIn('owner@example.com', 'owner-pass-1234');
      assert.equal((await api('PATCH', `/posts/${post.id}`, { message: 'edited by someone else' }, ownerSession)).status, 403, 'only the author edits');
      assert.equal((await api('DELETE', `/comments/${commentId}`, undefined, ownerSession)).status, 200, 'group admins moderate');
      assert.equal((await api('DELETE', `/posts/${post.id}`)).status, 200, 'authors delete their posts');
      assert.equal((await api('GET', `/posts/${post.id}`)).status, 404);
    });

    test('people search finds members and bots; profiles carry the org chart', async () => {
      const bot = await ts.integration(['read_group'], { name: 'Mia Helper' });
      const found = await api('GET', '/people?q=mia');
      assert.deepEqual(found.json.data.map((p: { name: string; type: string }) => `${p.type}:${p.name}`).sort(), ['page:Mia Helper', 'user:Mia Member']);
      const profile = await api('GET', `/people/${owner.id}`);
      assert.deepEqual(profile.json.reports.map((r: { id: string }) => r.id), [mia.id]);
      const me = await api('GET', `/people/${mia.id}`);
      assert.deepEqual(me.json.managers.map((r: { id: string }) => r.id), [owner.id]);
      assert.equal((await api('GET', `/people/${bot.page_id}`)).json.kind, 'bot');
    });

    test('an invitation is claimed once with a password, which signs the person in', async () => {
      const member = await ts.write((w) => userProvisioner(w, { userName: 'new@example.com', name: { formatted: 'New Person' }, invited: true }, { linkBase: ts.base }));
      const [invite] = await findInvitesOf(ts.ctx.db, [member.id]);
      const { token } = openInvite(ts.ctx, invite);
      assert.equal((await http('GET', `${ts.base}/api/invitations/${token}`)).json.name, 'New Person');
      assert.equal((await http('POST', `${ts.base}/api/claim`, { json: { secret: token, password: 'short' }, headers: SIGN_IN })).status, 400);
      const claimed = await http('POST', `${ts.base}/api/claim`, { json: { secret: token, password: 'new-person-pass-1' }, headers: SIGN_IN });
      assert.equal(claimed.status, 200, claimed.text);
      const cookie = claimed.headers.get('set-cookie')!.split(';')[0];
      assert.match(cookie, /^cp_member=/);
      assert.equal((await http('GET', `${ts.base}/api/session`, { headers: { cookie } })).json.member.name, 'New Person');
      assert.equal((await http('POST', `${ts.base}/api/claim`, { json: { secret: token, password: 'new-person-pass-1' }, headers: SIGN_IN })).status, 400, 'a claim link works once');
    });

    test('the event stream announces a new chat message', async () => {
      const bot = await ts.integration(['message'], { name: 'Pinger' });
      const controller = new AbortController();
      const response = await fetch(`${ts.base}/api/events`, { headers: { cookie: session.cookie }, signal: controller.signal });
      assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      const reader = response.body!.getReader();
      let text = '';
      const read = async (until: RegExp) => {
        while (!until.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      };
      await read(/event: ready/);
      const sent = await ts.client(bot.access_token).post<{ message_id: string }>('me/messages', { recipient: { id: mia.id }, message: { text: 'ping' } });
      await read(/event: thread/);
      assert.match(text, new RegExp(`"last_message_id":"${sent.message_id}"`));
      controller.abort();
    });

    test('group membership changes by admins show up for the member', async () => {
      const group = await ts.write((w) => groupCreator(w, { name: 'Hidden Team', privacy: 'SECRET', adminId: owner.id }));
      await ts.write((w) => groupMemberAdder(w, group, mia.id, 'member'));
      assert.equal((await api('GET', `/groups/${group.id}`)).json.role, 'member');
    });
  });
}
