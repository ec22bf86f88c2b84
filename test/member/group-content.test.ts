import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { groupCreator } from '../../src/domain/commands/group.js';
import { dialects } from '../helpers/dialects.js';
import { http, SIGN_IN, startServer, type TestServer } from '../helpers/server.js';

// Requests to join (member app and Graph: member_requests with approve/decline), former members,
// and the member app's group content API (files, docs, photos), over real HTTP.

for (const dialect of await dialects()) {
  describe(`membership requests and group content (${dialect})`, () => {
    let ts: TestServer;
    let owner: { id: string };
    let mia: { id: string };
    let closed: string;
    let open: string;
    let token: string;
    let miaSession: { cookie: string; csrf: string };
    let ownerSession: { cookie: string; csrf: string };
    const signIn = async (email: string, password: string) => {
      const r = await http('POST', `${ts.base}/api/session`, { json: { email, password }, headers: SIGN_IN });
      assert.equal(r.status, 200, r.text);
      return { cookie: r.headers.get('set-cookie')!.split(';')[0], csrf: r.json.csrf_token as string };
    };
    const api = (s: { cookie: string; csrf: string }, method: string, path: string, json?: unknown) =>
      http(method, `${ts.base}/api${path}`, { json, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });

    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      owner = await ts.member({ email: 'owner@example.com', name: 'Oscar Owner', password: 'owner-pass-1234' });
      mia = await ts.member({ email: 'mia@example.com', name: 'Mia Member', password: 'mia-pass-12345' });
      closed = (await ts.write((w) => groupCreator(w, { name: 'Closed', privacy: 'CLOSED', join_setting: 'NONE', post_permissions: 'NONE', adminId: owner.id }))).id;
      open = (await ts.write((w) => groupCreator(w, { name: 'Open', privacy: 'OPEN', join_setting: 'ANYONE', post_permissions: 'NONE', adminId: owner.id }))).id;
      token = (await ts.integration(['read_group', 'write_group', 'manage_group', 'read_group_membership'])).access_token;
      miaSession = await signIn('mia@example.com', 'mia-pass-12345');
      ownerSession = await signIn('owner@example.com', 'owner-pass-1234');
    });
    after(() => ts.close());

    test('a member asks to join a CLOSED group; the Graph lists the request; approving makes them a member', async () => {
      assert.equal((await api(miaSession, 'POST', `/groups/${closed}/join`)).status, 403, 'a CLOSED group is not joined directly');
      const view = await api(miaSession, 'GET', `/groups/${closed}`);
      assert.equal(view.json.can_request, true);
      assert.equal((await api(miaSession, 'POST', `/groups/${open}/join_request`)).status, 403, 'an OPEN group is joined, not asked');
      const asked = await api(miaSession, 'POST', `/groups/${closed}/join_request`);
      assert.equal(asked.status, 200, asked.text);
      assert.equal((await api(miaSession, 'GET', `/groups/${closed}/join_request`)).json.requested, true);
      assert.equal((await api(miaSession, 'GET', `/groups/${closed}/member_requests`)).status, 403, 'only the group admins see requests');

      assert.equal((await http('GET', `${ts.graph}/${closed}/member_requests`)).json.error.code, 190);
      const noPerm = (await ts.integration(['read_group'])).access_token;
      assert.equal((await http('GET', `${ts.graph}/${closed}/member_requests`, { token: noPerm })).json.error.code, 200);
      const scoped = (await ts.integration(['read_group_membership', 'manage_group'], { groups: [open] })).access_token;
      assert.equal((await http('GET', `${ts.graph}/${closed}/member_requests`, { token: scoped })).json.error.code, 100);
      const list = await http('GET', `${ts.graph}/${closed}/member_requests?fields=id,name`, { token });
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.json.data, [{ id: mia.id, name: 'Mia Member' }]);
      assert.equal((await http('POST', `${ts.graph}/${closed}/member_requests/${mia.id}`, { token: scoped })).json.error.code, 100);
      const approve = await http('POST', `${ts.graph}/${closed}/member_requests/${mia.id}`, { token });
      assert.equal(approve.status, 200, approve.text);
      assert.equal((await http('GET', `${ts.graph}/${closed}/member_requests`, { token })).json.data.length, 0);
      assert.equal((await api(miaSession, 'GET', `/groups/${closed}`)).json.role, 'member');
      const again = await http('POST', `${ts.graph}/${closed}/member_requests/${mia.id}`, { token });
      assert.equal(again.json.error.code, 100, 'no pending request, nothing to approve');
    });

    test('leaving makes a former member; declining a request in the app removes it; rejoining clears the former-member row', async () => {
      const left = await api(miaSession, 'POST', `/groups/${closed}/leave`);
      assert.equal(left.status, 200, left.text);
      const former = await http('GET', `${ts.graph}/${closed}/former_members?fields=id,name`, { token });
      assert.equal(former.status, 200, former.text);
      assert.deepEqual(former.json.data.map((m: { id: string }) => m.id), [mia.id]);
      assert.equal((await http('GET', `${ts.graph}/${closed}/former_members`)).json.error.code, 190);

      await api(miaSession, 'POST', `/groups/${closed}/join_request`);
      const requests = await api(ownerSession, 'GET', `/groups/${closed}/member_requests`);
      assert.deepEqual(requests.json.data.map((r: { id: string }) => r.id), [mia.id]);
      const declined = await api(ownerSession, 'DELETE', `/groups/${closed}/member_requests/${mia.id}`);
      assert.equal(declined.status, 200, declined.text);
      assert.equal((await api(miaSession, 'GET', `/groups/${closed}/join_request`)).json.requested, false);

      await api(miaSession, 'POST', `/groups/${closed}/join_request`);
      const approved = await api(ownerSession, 'POST', `/groups/${closed}/member_requests/${mia.id}`);
      assert.equal(approved.status, 200, approved.text);
      assert.equal((await http('GET', `${ts.graph}/${closed}/former_members`, { token })).json.data.length, 0);

      const viaGraph = await http('DELETE', `${ts.graph}/${closed}/members/${mia.id}`, { token });
      assert.equal(viaGraph.status, 200, viaGraph.text);
      assert.equal((await http('GET', `${ts.graph}/${closed}/former_members`, { token })).json.data[0].id, mia.id);
      await http('POST', `${ts.graph}/${closed}/members/${mia.id}`, { token });
    });

    test('the app uploads a file into a group, lists and downloads it; docs are created, edited (revisions) and listed; photos list', async () => {
      const form = new FormData();
      form.append('message', 'Minutes attached');
      form.append('file', new Blob(['minutes of the meeting'], { type: 'text/plain' }), 'minutes.txt');
      const up = await http('POST', `${ts.base}/api/groups/${open}/files`, { body: form, headers: { cookie: ownerSession.cookie, 'x-csrf-token': ownerSession.csrf } });
      assert.equal(up.status, 200, up.text);
      assert.equal(up.json.name, 'minutes.txt');
      assert.equal(up.json.message, 'Minutes attached');
      const files = await api(miaSession, 'GET', `/groups/${open}/files`);
      assert.equal(files.json.data[0].id, up.json.id);
      assert.equal(await (await fetch(`${ts.base}${files.json.data[0].url}`)).text(), 'minutes of the meeting');
      const feed = await api(ownerSession, 'GET', `/groups/${open}/feed`);
      assert.deepEqual(feed.json.data[0].files.map((f: { name: string }) => f.name), ['minutes.txt'], 'the post shows its file');
      const graphFiles = await http('GET', `${ts.graph}/${open}/files?fields=id,message`, { token });
      assert.equal(graphFiles.json.data[0].id, up.json.id, 'the same file through the Graph API');
      const nonMemberUpload = new FormData();
      nonMemberUpload.append('file', new Blob(['x']), 'x.txt');
      assert.equal((await http('POST', `${ts.base}/api/groups/${closed}/files`, { body: nonMemberUpload, headers: { cookie: ownerSession.cookie } })).status, 403, 'the CSRF token is needed');

      const doc = await api(ownerSession, 'POST', `/groups/${open}/docs`, { title: 'Handbook', body: '<p>Welcome<script>x()</script></p>' });
      assert.equal(doc.status, 200, doc.text);
      assert.equal(doc.json.body, '<p>Welcome</p>');
      const edited = await api(ownerSession, 'PUT', `/docs/${doc.json.id}`, { body: '<p>Welcome, all</p>' });
      assert.equal(edited.json.revision, 2);
      const read = await api(miaSession, 'GET', `/docs/${doc.json.id}`);
      assert.deepEqual(read.json.revisions.map((r: { revision: number }) => r.revision), [2, 1]);
      assert.equal((await api(miaSession, 'GET', `/groups/${open}/docs`)).json.data[0].title, 'Handbook');
      assert.equal((await api(miaSession, 'PUT', `/docs/${doc.json.id}`, { title: 'Mine now' })).status, 403, 'Mia is not a member of Open');

      const photos = await api(miaSession, 'GET', `/groups/${open}/photos`);
      assert.equal(photos.status, 200, photos.text);
      assert.deepEqual(photos.json.data, []);
    });
  });
}
