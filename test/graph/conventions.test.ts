import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Clock } from '../../src/clock.js';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import { commentCreator } from '../../src/domain/commands/comment.js';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import { postCreator, postWireId } from '../../src/domain/commands/post.js';
import { reactionSetter } from '../../src/domain/commands/reaction.js';
import type { Actor } from '../../src/domain/actor.js';
import type { CommentRow } from '../../src/db/repositories/comment.js';
import type { GroupRow } from '../../src/db/repositories/group.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { IMAGE_HOST_ENV, startImageHost } from '../helpers/images.js';

// Photos given by URL are fetched by the server: they come from a real image host on 127.0.0.1.
const images = await startImageHost();
after(() => images.close());

// Wire conventions of the Graph surface (reference §3.1, §4, §11): where parameters may come
// from, how paths and tokens may be written, the fields syntax, paging links, batch, errors,
// CORS and rate limiting. Everything goes over real HTTP.

/** A clock that follows real time, can be moved ahead, or pinned to a fixed instant. */
function testClock() {
  const state = { offset: 0, pinned: undefined as number | undefined };
  const clock: Clock & typeof state = Object.assign(state, { now: () => state.pinned ?? Date.now() + state.offset });
  return clock;
}

/** A raw HTTP/1.1 request, for what fetch refuses to send (a GET with a body). */
function raw(method: string, url: string, headers: Record<string, string>, body?: string | Buffer): Promise<{ status: number; headers: Record<string, unknown>; text: string; json: any }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const req = httpRequest(
      { host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method, headers: { ...headers, ...(data ? { 'content-length': String(data.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

const member = (id: string): Actor => ({ kind: 'member', memberId: id, isAdmin: false });
let counter = 0;
const unique = (s: string) => `${s} #${++counter}`;

/** Asserts the Graph error envelope: 4xx, message/type/code/fbtrace_id, no stack trace. */
function assertGraphError(r: { status: number; text: string; json: any }, code: number | number[], label = ''): void {
  const codes = Array.isArray(code) ? code : [code];
  assert.ok(r.status >= 400 && r.status < 500, `${label}: expected a 4xx status, got ${r.status}: ${r.text.slice(0, 300)}`);
  assert.ok(r.json && typeof r.json.error === 'object', `${label}: expected {"error": {...}}, got ${r.text.slice(0, 300)}`);
  const e = r.json.error;
  assert.equal(typeof e.message, 'string', `${label}: error.message`);
  assert.ok(e.message.length > 0, `${label}: error.message is empty`);
  assert.equal(typeof e.type, 'string', `${label}: error.type`);
  assert.equal(typeof e.code, 'number', `${label}: error.code must be a number, got ${JSON.stringify(e.code)}`);
  assert.ok(codes.includes(e.code), `${label}: expected code ${codes.join('/')}, got ${e.code}: ${e.message}`);
  assert.equal(typeof e.fbtrace_id, 'string', `${label}: error.fbtrace_id`);
  assert.ok(e.fbtrace_id.length > 0, `${label}: error.fbtrace_id is empty`);
  assert.doesNotMatch(r.text, /\n\s+at |node_modules|\.ts:\d+|\.js:\d+/, `${label}: the body carries a stack trace: ${r.text.slice(0, 300)}`);
}

for (const dialect of await dialects()) {
  describe(`Graph wire conventions (${dialect})`, () => {
    let ts: TestServer;
    const clock = testClock();
    let app: IssuedCredentials;
    let token: string;
    let group: GroupRow;
    let alice: { id: string; email: string | null; name: string };
    let bob: { id: string; email: string | null; name: string };
    let carol: { id: string; email: string | null; name: string };
    const g = (path: string) => `${ts.graph}/${path}`;
    const bearer = () => ({ authorization: `Bearer ${token}` });

    /** Reads one object with the bot's token and returns the JSON. */
    async function read(path: string): Promise<any> {
      const r = await http('GET', g(path), { token });
      assert.equal(r.status, 200, `GET ${path}: ${r.text}`);
      return r.json;
    }
    async function messageOf(postId: string): Promise<string | undefined> {
      return (await read(`${postId}?fields=message`)).message;
    }
    async function memberIds(groupId: string): Promise<string[]> {
      return (await read(`${groupId}/members?limit=100`)).data.map((m: { id: string }) => m.id);
    }

    before(async () => {
      ts = await startServer(dialect, { clock, env: IMAGE_HOST_ENV });
      alice = await ts.member({ email: 'alice@example.com', name: 'Alice Admin' });
      bob = await ts.member({ email: 'bob.builder@example.com', name: 'Bob Builder' });
      carol = await ts.member({ email: 'carol@example.com', name: 'Carol Coder' });
      group = await ts.write((w) => groupCreator(w, { name: 'Conventions', adminId: alice.id }));
      // Someone who stays, so removing the others never empties (and deletes) the group.
      const keeper = await ts.member({ email: 'keeper@example.com', name: 'Kim Keeper' });
      await ts.write((w) => groupMemberAdder(w, group, keeper.id));
      app = await ts.integration(['read_group', 'write_group', 'manage_group', 'read_group_membership', 'read_user_email', 'read_user_feed', 'write_user_feed'], { name: 'Wire Bot' });
      token = app.access_token;
    });
    after(() => ts.close());

    describe('where parameters come from', () => {
      test('query string', async () => {
        const message = unique('from the query');
        const r = await http('POST', `${g(`${group.id}/feed`)}?${new URLSearchParams({ message })}`, { token });
        assert.equal(r.status, 200, r.text);
        assert.match(r.json.id, new RegExp(`^${group.id}_\\d+$`));
        assert.equal(await messageOf(r.json.id), message);
      });

      test('urlencoded body', async () => {
        const message = unique('from a form');
        const r = await http('POST', g(`${group.id}/feed`), { token, form: { message } });
        assert.equal(r.status, 200, r.text);
        assert.equal(await messageOf(r.json.id), message);
      });

      test('JSON body with Content-Type', async () => {
        const message = unique('from JSON');
        const r = await http('POST', g(`${group.id}/feed`), { token, json: { message } });
        assert.equal(r.status, 200, r.text);
        assert.equal(await messageOf(r.json.id), message);
      });

      test('JSON body with no Content-Type at all', async () => {
        const message = unique('from bare JSON');
        const body = new TextEncoder().encode(JSON.stringify({ message }));
        const response = await fetch(g(`${group.id}/feed`), { method: 'POST', headers: bearer(), body });
        const text = await response.text();
        assert.equal(response.status, 200, text);
        assert.equal(await messageOf(JSON.parse(text).id), message);
        // The same over a raw socket, to be sure no Content-Type header went out.
        const message2 = unique('from bare JSON, raw');
        const r = await raw('POST', g(`${group.id}/feed`), bearer(), JSON.stringify({ message: message2 }));
        assert.equal(r.status, 200, r.text);
        assert.equal(await messageOf(r.json.id), message2);
      });

      test('JSON body sent as text/plain (fetch with a string body)', async () => {
        const message = unique('from text/plain JSON');
        const response = await fetch(g(`${group.id}/feed`), { method: 'POST', headers: bearer(), body: JSON.stringify({ message }) });
        const text = await response.text();
        assert.equal(response.status, 200, text);
        assert.equal(await messageOf(JSON.parse(text).id), message);
      });

      test('multipart/form-data, with the token in a form field', async () => {
        const message = unique('from multipart');
        const form = new FormData();
        form.append('message', message);
        form.append('access_token', token);
        const response = await fetch(g(`${group.id}/feed`), { method: 'POST', body: form });
        const text = await response.text();
        assert.equal(response.status, 200, text);
        assert.equal(await messageOf(JSON.parse(text).id), message);
      });

      test('bracket notation: attached_media[0][media_fbid] in a form body and in the query', async () => {
        for (const where of ['form', 'query'] as const) {
          const photo = await http('POST', `${g('me/photos')}?published=false&url=${encodeURIComponent(images.url(`${where}.png`))}`, { token });
          assert.equal(photo.status, 200, photo.text);
          const params = { message: unique(`photo via ${where}`), 'attached_media[0][media_fbid]': photo.json.id };
          const r =
            where === 'form'
              ? await http('POST', g(`${group.id}/feed`), { token, form: params })
              : await http('POST', `${g(`${group.id}/feed`)}?${new URLSearchParams(params)}`, { token });
          assert.equal(r.status, 200, r.text);
          const post = await read(`${r.json.id}?fields=type,attachments`);
          assert.equal(post.type, 'photo');
          assert.equal(post.attachments.data[0].target.id, photo.json.id);
          assert.match(post.attachments.data[0].media.image.src, new RegExp(`^${ts.base}/media/${photo.json.id}/`));
        }
      });

      test('bracket notation inside a multipart body: attached_media[0][media_fbid]', async () => {
        const photo = await http('POST', `${g('me/photos')}?published=false&url=${encodeURIComponent(images.url('multipart.png'))}`, { token });
        assert.equal(photo.status, 200, photo.text);
        const form = new FormData();
        form.append('message', unique('photo via multipart brackets'));
        form.append('attached_media[0][media_fbid]', photo.json.id);
        const response = await fetch(g(`${group.id}/feed`), { method: 'POST', headers: bearer(), body: form });
        const text = await response.text();
        assert.equal(response.status, 200, text);
        const post = await read(`${JSON.parse(text).id}?fields=type,attachments`);
        assert.equal(post.type, 'photo', `multipart attached_media[0][media_fbid] was not attached: ${JSON.stringify(post)}`);
        assert.equal(post.attachments?.data?.[0]?.target?.id, photo.json.id);
      });

      test('string booleans: archive=True, "archive":"true", archive=false', async () => {
        const target = await ts.write((w) => groupCreator(w, { name: unique('Booleans'), adminId: alice.id }));
        const archived = async () => (await read(`${target.id}?fields=archived`)).archived;
        let r = await http('POST', g(target.id), { token, form: { archive: 'True' } });
        assert.deepEqual(r.json, { success: true }, r.text);
        assert.equal(await archived(), true);
        r = await http('POST', g(target.id), { token, json: { archive: 'false' } });
        assert.deepEqual(r.json, { success: true }, r.text);
        assert.equal(await archived(), false);
        r = await http('POST', g(target.id), { token, json: { archive: 'true' } });
        assert.deepEqual(r.json, { success: true }, r.text);
        assert.equal(await archived(), true);
        r = await http('POST', `${g(target.id)}?archive=False`, { token });
        assert.deepEqual(r.json, { success: true }, r.text);
        assert.equal(await archived(), false);
      });

      test('empty strings for optional fields count as absent (privacy=, link=, formatting=)', async () => {
        const created = await http('POST', g('community/groups'), { token, form: { name: unique('Empty privacy'), privacy: '', purpose: '' } });
        assert.equal(created.status, 200, created.text);
        assert.equal((await read(`${created.json.id}?fields=privacy`)).privacy, 'CLOSED');
        const updated = await http('POST', g(created.json.id), { token, form: { privacy: '', description: 'kept' } });
        assert.deepEqual(updated.json, { success: true }, updated.text);
        assert.equal((await read(`${created.json.id}?fields=privacy,description`)).privacy, 'CLOSED');
        const post = await http('POST', g(`${group.id}/feed`), { token, form: { message: unique('no link'), link: '', formatting: '' } });
        assert.equal(post.status, 200, post.text);
        const read1 = await read(`${post.json.id}?fields=type,formatting,link`);
        assert.equal(read1.type, 'status');
        assert.equal(read1.link, undefined);
      });

      test('DELETE with a JSON body', async () => {
        await ts.write((w) => groupMemberAdder(w, group, bob.id));
        assert.ok((await memberIds(group.id)).includes(bob.id));
        const r = await http('DELETE', g(`${group.id}/members`), { token, json: { member: bob.id } });
        assert.deepEqual(r.json, { success: true }, r.text);
        assert.ok(!(await memberIds(group.id)).includes(bob.id));
      });

      test('GET with a body does not break the request', async () => {
        const r = await raw('GET', `${g(group.id)}?fields=id,name`, { ...bearer(), 'content-type': 'application/json' }, JSON.stringify({ unused: 'x' }));
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.id, group.id);
      });

      test('GET with a JSON body: its parameters (access_token, fields) are used', async () => {
        const r = await raw('GET', g(group.id), { 'content-type': 'application/json' }, JSON.stringify({ access_token: token, fields: 'id,archived' }));
        assert.equal(r.status, 200, `GET with a JSON body carrying access_token and fields: ${r.text}`);
        assert.deepEqual(Object.keys(r.json).sort(), ['archived', 'id']);
      });

      test('GET with a urlencoded body: its parameters are used', async () => {
        const r = await raw('GET', g(group.id), { ...bearer(), 'content-type': 'application/x-www-form-urlencoded' }, 'fields=id,archived');
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(Object.keys(r.json).sort(), ['archived', 'id']);
      });
    });

    describe('methods and paths', () => {
      test('method=delete on GET deletes; method=post on GET creates; method=delete on POST removes', async () => {
        const message = unique('made by GET');
        const created = await http('GET', `${g(`${group.id}/feed`)}?${new URLSearchParams({ method: 'post', message })}`, { token });
        assert.equal(created.status, 200, created.text);
        assert.match(created.json.id, /^\d+_\d+$/);
        assert.equal(await messageOf(created.json.id), message);

        const deleted = await http('GET', `${g(created.json.id)}?method=delete`, { token });
        assert.deepEqual(deleted.json, { success: true }, deleted.text);
        assertGraphError(await http('GET', g(created.json.id), { token }), 100, 'deleted post');

        await ts.write((w) => groupMemberAdder(w, group, carol.id));
        const removed = await http('POST', g(`${group.id}/members`), { token, form: { method: 'delete', member: carol.id } });
        assert.deepEqual(removed.json, { success: true }, removed.text);
        assert.ok(!(await memberIds(group.id)).includes(carol.id));

        const viaQuery = await http('POST', `${g(`${group.id}/members`)}?method=DELETE&member=${alice.id}&fields=id`, { token });
        assert.deepEqual(viaQuery.json, { success: true }, viaQuery.text);
        await ts.write((w) => groupMemberAdder(w, group, alice.id, 'admin'));
      });

      test('doubled slashes: //community/groups', async () => {
        const list = await http('GET', `${ts.graph}//community/groups`, { token });
        assert.equal(list.status, 200, list.text);
        assert.ok(list.json.data.some((x: { id: string }) => x.id === group.id));
        const created = await http('POST', `${ts.graph}//community/groups`, { token, form: { name: unique('Double slash') } });
        assert.equal(created.status, 200, created.text);
        assert.match(created.json.id, /^\d+$/);
        const nested = await http('GET', `${ts.graph}/${group.id}//members`, { token });
        assert.equal(nested.status, 200, nested.text);
      });

      test('/company is /community', async () => {
        const community = await read('community');
        const company = await read('company');
        assert.equal(company.id, community.id);
        const groups = await read('company/groups?limit=100');
        assert.ok(groups.data.some((x: { id: string }) => x.id === group.id));
      });

      test('version prefixes /v2.9/ and /v19.0/ are accepted and ignored', async () => {
        for (const version of ['v2.9', 'v19.0', 'v3.0']) {
          const r = await http('GET', `${ts.graph}/${version}/${group.id}?fields=id,name`, { token });
          assert.equal(r.status, 200, `${version}: ${r.text}`);
          assert.deepEqual(r.json, { id: group.id, name: group.name });
        }
        const post = await http('POST', `${ts.graph}/v19.0/${group.id}/feed`, { token, form: { message: unique('versioned') } });
        assert.equal(post.status, 200, post.text);
        const community = await http('GET', `${ts.graph}/v2.9/community`, { token });
        assert.equal(community.status, 200, community.text);
      });
    });

    describe('authentication', () => {
      test('Authorization: Bearer, with extra spaces, and repeated "Bearer"', async () => {
        for (const value of [`Bearer ${token}`, `Bearer  ${token}`, `  Bearer   ${token}  `, `bearer ${token}`, `Bearer Bearer ${token}`, `OAuth ${token}`]) {
          const r = await http('GET', g('me'), { headers: { authorization: value } });
          assert.equal(r.status, 200, `${JSON.stringify(value.replace(token, 'TOKEN'))}: ${r.text}`);
          assert.equal(r.json.id, app.page_id);
        }
      });

      test('access_token in the query, a form body and a JSON body', async () => {
        const q = await http('GET', `${g('me')}?access_token=${encodeURIComponent(token)}`);
        assert.equal(q.status, 200, q.text);
        assert.equal(q.json.id, app.page_id);
        const form = await http('POST', g(`${group.id}/feed`), { form: { access_token: token, message: unique('form token') } });
        assert.equal(form.status, 200, form.text);
        const json = await http('POST', g(`${group.id}/feed`), { json: { access_token: token, message: unique('json token') } });
        assert.equal(json.status, 200, json.text);
        const update = await http('POST', g(group.id), { json: { access_token: token, description: unique('json token description') } });
        assert.deepEqual(update.json, { success: true }, update.text);
      });

      test('app token APP_ID|APP_SECRET on GET /app, in the header and in the query', async () => {
        const appToken = `${app.app_id}|${app.app_secret}`;
        const header = await http('GET', g('app'), { token: appToken });
        assert.equal(header.status, 200, header.text);
        assert.equal(header.json.id, app.app_id);
        assert.equal(header.json.name, 'Wire Bot');
        const query = await http('GET', `${g('app')}?access_token=${encodeURIComponent(appToken)}`);
        assert.equal(query.status, 200, query.text);
        assert.equal(query.json.id, app.app_id);
        const wrong = await http('GET', g('app'), { token: `${app.app_id}|${'0'.repeat(32)}` });
        assertGraphError(wrong, 190, 'wrong app secret');
      });

      test('a missing or unknown token is error 190', async () => {
        assertGraphError(await http('GET', g('me')), 190, 'no token');
        assertGraphError(await http('GET', g('me'), { token: 'not-a-token' }), 190, 'bad token');
        assertGraphError(await http('GET', g('me'), { headers: { authorization: 'Bearer ' } }), 190, 'empty bearer');
      });
    });

    describe('addressing', () => {
      test('members by email, URL-encoded and raw; by id; me; {group}_{post}', async () => {
        const encoded = await http('GET', g(`${encodeURIComponent(alice.email!)}?fields=id,name,email`), { token });
        assert.equal(encoded.status, 200, encoded.text);
        assert.deepEqual(encoded.json, { id: alice.id, name: alice.name, email: alice.email });
        const rawEmail = await http('GET', g(`${alice.email}?fields=id`), { token });
        assert.equal(rawEmail.status, 200, rawEmail.text);
        assert.equal(rawEmail.json.id, alice.id);
        const dotted = await http('GET', g(`${encodeURIComponent(bob.email!.toUpperCase())}?fields=id`), { token });
        assert.equal(dotted.status, 200, dotted.text);
        assert.equal(dotted.json.id, bob.id);
        const edge = await http('GET', g(`${encodeURIComponent(alice.email!)}/groups`), { token });
        assert.equal(edge.status, 200, edge.text);
        assert.ok(edge.json.data.some((x: { id: string }) => x.id === group.id));
        const me = await read('me?fields=id,name');
        assert.deepEqual(me, { id: app.page_id, name: 'Wire Bot' });
        const post = await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: unique('addressed') }), member(alice.id));
        const byComposite = await read(postWireId(post));
        assert.equal(byComposite.id, postWireId(post));
        assertGraphError(await http('GET', g(`${bob.id}_${post.id}`), { token }), 100, 'post under the wrong feed');
        assertGraphError(await http('GET', g('nobody%40example.com'), { token }), 100, 'unknown email');
      });

      test('GET /?ids=a,b&fields=id,name is keyed by the requested ids, emails included', async () => {
        const ids = [alice.email!, bob.id, group.id];
        const r = await http('GET', `${g('')}?ids=${ids.map(encodeURIComponent).join(',')}&fields=id,name`, { token });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(Object.keys(r.json).sort(), [...ids].sort());
        assert.deepEqual(r.json[alice.email!], { id: alice.id, name: alice.name });
        assert.deepEqual(r.json[bob.id], { id: bob.id, name: bob.name });
        assert.deepEqual(r.json[group.id], { id: group.id, name: group.name });
        const noSlash = await http('GET', `${ts.graph}?ids=${bob.id}`, { token });
        assert.equal(noSlash.status, 200, noSlash.text);
        assert.equal(noSlash.json[bob.id].id, bob.id);
      });

      test('GET /?ids= with an unknown id or email fails the whole call with 400', async () => {
        const unknownId = await http('GET', `${g('')}?ids=${bob.id},12345678901234567&fields=id`, { token });
        assert.equal(unknownId.status, 400, unknownId.text);
        assertGraphError(unknownId, [100, 803], 'unknown id in ids');
        const unknownEmail = await http('GET', `${g('')}?ids=${bob.id},${encodeURIComponent('ghost@example.com')}`, { token });
        assert.equal(unknownEmail.status, 400, unknownEmail.text);
        assertGraphError(unknownEmail, [100, 803], 'unknown email in ids');
      });
    });

    describe('batch', () => {
      test('POST / with a batch form field: {code, headers, body} with body a JSON string', async () => {
        const batch = JSON.stringify([
          { method: 'GET', relative_url: 'me' },
          { method: 'GET', relative_url: `${group.id}?fields=id,name` },
          { method: 'POST', relative_url: `${group.id}/feed`, body: `message=${encodeURIComponent(unique('batched'))}` },
          { method: 'GET', relative_url: '12345678901234567' },
        ]);
        const r = await http('POST', g(''), { token, form: { batch } });
        assert.equal(r.status, 200, r.text);
        assert.ok(Array.isArray(r.json));
        assert.equal(r.json.length, 4);
        for (const item of r.json) {
          assert.equal(typeof item.code, 'number');
          assert.equal(typeof item.body, 'string');
          assert.ok(Array.isArray(item.headers), 'headers are listed by default');
          for (const h of item.headers) assert.deepEqual(Object.keys(h).sort(), ['name', 'value']);
        }
        assert.equal(r.json[0].code, 200);
        assert.equal(JSON.parse(r.json[0].body).id, app.page_id);
        assert.deepEqual(JSON.parse(r.json[1].body), { id: group.id, name: group.name });
        assert.match(JSON.parse(r.json[2].body).id, new RegExp(`^${group.id}_\\d+$`));
        assert.equal(r.json[3].code, 400);
        assert.equal(JSON.parse(r.json[3].body).error.code, 100);
        // The same without a trailing slash, and as JSON.
        const bare = await http('POST', ts.graph, { token, json: { batch: [{ method: 'GET', relative_url: 'me' }] } });
        assert.equal(bare.status, 200, bare.text);
        assert.equal(JSON.parse(bare.json[0].body).id, app.page_id);
      });

      test('include_headers=false drops headers', async () => {
        const r = await http('POST', `${g('')}?include_headers=false`, { token, form: { batch: JSON.stringify([{ method: 'GET', relative_url: 'me' }]) } });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(Object.keys(r.json[0]).sort(), ['body', 'code']);
        const inForm = await http('POST', g(''), { token, form: { include_headers: 'false', batch: JSON.stringify([{ method: 'GET', relative_url: 'me' }]) } });
        assert.deepEqual(Object.keys(inForm.json[0]).sort(), ['body', 'code']);
      });

      test('a named result feeds a later request: {result=create:$.id}', async () => {
        const message = unique('created in a batch');
        const batch = JSON.stringify([
          { name: 'create', method: 'POST', relative_url: `${group.id}/feed`, body: `message=${encodeURIComponent(message)}` },
          { method: 'GET', relative_url: '{result=create:$.id}?fields=message' },
        ]);
        const r = await http('POST', g(''), { token, form: { batch, include_headers: 'false' } });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json[1].code, 200, r.json[1].body);
        const readBack = JSON.parse(r.json[1].body);
        assert.match(readBack.id, new RegExp(`^${group.id}_\\d+$`));
        assert.deepEqual(readBack, { id: readBack.id, message });
        // Graph may omit a referenced result; when it is there it is the created id.
        if (r.json[0] !== null) assert.equal(JSON.parse(r.json[0].body).id, readBack.id);
        const list = JSON.stringify([
          { name: 'groups', method: 'GET', relative_url: 'community/groups?fields=id&limit=100' },
          { method: 'GET', relative_url: '?ids={result=groups:$.data.*.id}&fields=name' },
        ]);
        const fanOut = await http('POST', g(''), { token, form: { batch: list, include_headers: 'false' } });
        assert.equal(fanOut.json[1].code, 200, fanOut.json[1].body);
        assert.equal(JSON.parse(fanOut.json[1].body)[group.id].name, group.name);
      });

      test('relative_url with a leading slash, a version prefix, lower-case methods and JSON bodies', async () => {
        const batch = JSON.stringify([
          { method: 'get', relative_url: '/me?fields=id' },
          { method: 'GET', relative_url: 'v19.0/me?fields=id' },
          { method: 'post', relative_url: `/v2.9/${group.id}/feed`, body: `message=${encodeURIComponent(unique('lower-case post'))}` },
          { relative_url: `${group.id}?fields=id` },
        ]);
        const r = await http('POST', g(''), { token, form: { batch, include_headers: 'false' } });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.map((x: { code: number }) => x.code), [200, 200, 200, 200], r.text);
        assert.equal(JSON.parse(r.json[0].body).id, app.page_id);
        assert.equal(JSON.parse(r.json[1].body).id, app.page_id);
        assert.equal(JSON.parse(r.json[3].body).id, group.id);
      });

      test('batch items may carry their own access_token', async () => {
        const readOnly = await ts.integration([], { name: 'No Rights' });
        const batch = JSON.stringify([
          { method: 'GET', relative_url: `me?access_token=${encodeURIComponent(token)}` },
          { method: 'GET', relative_url: 'me', access_token: readOnly.access_token },
          { method: 'GET', relative_url: `${group.id}/feed`, access_token: readOnly.access_token },
          { method: 'POST', relative_url: `${group.id}/feed`, body: `message=${encodeURIComponent(unique('item token'))}&access_token=${encodeURIComponent(token)}` },
        ]);
        // No token on the batch itself: every item authenticates on its own.
        const r = await http('POST', g(''), { form: { batch, include_headers: 'false' } });
        assert.equal(r.status, 200, r.text);
        assert.equal(JSON.parse(r.json[0].body).id, app.page_id);
        assert.equal(JSON.parse(r.json[1].body).id, readOnly.page_id);
        assert.ok(r.json[2].code >= 400, r.json[2].body);
        assert.ok([10, 200].includes(JSON.parse(r.json[2].body).error.code), r.json[2].body);
        assert.equal(r.json[3].code, 200, r.json[3].body);
        // An item without a token falls back to the batch's.
        const fallback = await http('POST', g(''), { token, form: { batch: JSON.stringify([{ method: 'GET', relative_url: 'me', access_token: readOnly.access_token }, { method: 'GET', relative_url: 'me' }]) } });
        assert.equal(JSON.parse(fallback.json[0].body).id, readOnly.page_id);
        assert.equal(JSON.parse(fallback.json[1].body).id, app.page_id);
      });

      test('at most 50 requests: 50 run, 51 is error 100', async () => {
        const items = (n: number) => JSON.stringify(Array.from({ length: n }, () => ({ method: 'GET', relative_url: 'me?fields=id' })));
        const fifty = await http('POST', g(''), { token, form: { batch: items(50), include_headers: 'false' } });
        assert.equal(fifty.status, 200, fifty.text);
        assert.equal(fifty.json.length, 50);
        assert.ok(fifty.json.every((x: { code: number }) => x.code === 200));
        const fiftyOne = await http('POST', g(''), { token, form: { batch: items(51) } });
        assertGraphError(fiftyOne, 100, '51 batch items');
      });

      test('a malformed batch is error 100', async () => {
        assertGraphError(await http('POST', g(''), { token, form: { batch: '[{' } }), 100, 'batch not JSON');
        assertGraphError(await http('POST', g(''), { token, form: { batch: '{"a":1}' } }), 100, 'batch not an array');
        assertGraphError(await http('POST', g(''), { token, form: { batch: '[{"method":"GET"}]' } }), 100, 'batch item without relative_url');
      });
    });

    describe('fields syntax', () => {
      let post: { id: string; wire: string };
      let first: CommentRow;
      before(async () => {
        const row = await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: unique('thread') }), member(alice.id));
        post = { id: row.id, wire: postWireId(row) };
        first = await ts.write((w) => commentCreator(w, { post: row, message: 'first comment' }), member(bob.id));
        clock.offset += 1000;
        await ts.write((w) => commentCreator(w, { post: row, message: 'second comment' }), member(carol.id));
        clock.offset += 1000;
        await ts.write((w) => commentCreator(w, { post: row, parent: first, message: 'reply one' }), member(alice.id));
        clock.offset += 1000;
        await ts.write((w) => commentCreator(w, { post: row, parent: first, message: 'reply two' }), member(carol.id));
        // A HAHA between the two LOVEs, so a page of LOVEs that loses its filter shows it.
        for (const [who, type] of [[alice.id, 'LOVE'], [carol.id, 'HAHA'], [bob.id, 'LOVE']] as const) {
          clock.offset += 1000;
          await ts.write((w) => reactionSetter(w, { id: row.id, type: 'post' }, type), member(who));
        }
      });

      test('three levels: comments{from{id,name},comments{message}}', async () => {
        const r = await read(`${post.wire}?fields=${encodeURIComponent('comments{from{id,name},comments{message}}')}`);
        assert.equal(r.id, post.wire);
        const comments = r.comments.data;
        assert.equal(comments.length, 2);
        assert.deepEqual(comments[0].from, { id: bob.id, name: bob.name });
        assert.deepEqual(comments[1].from, { id: carol.id, name: carol.name });
        assert.deepEqual(
          comments[0].comments.data.map((c: { message: string }) => c.message),
          ['reply one', 'reply two'],
        );
        assert.deepEqual(Object.keys(comments[0].comments.data[0]).sort(), ['id', 'message']);
        assert.deepEqual(comments[1].comments?.data ?? [], []);
      });

      test('.limit(n) and .summary(true) / .summary(total_count)', async () => {
        const r = await read(`${post.wire}?fields=${encodeURIComponent('comments.limit(1).summary(true){message},reactions.limit(0).summary(total_count)')}`);
        assert.equal(r.comments.data.length, 1);
        assert.equal(r.comments.data[0].message, 'first comment');
        assert.equal(r.comments.summary.total_count, 2);
        assert.ok(r.comments.paging?.next, 'a limited nested edge links to its next page');
        assert.ok(r.comments.paging.next.startsWith(`${ts.graph}/`), r.comments.paging.next);
        assert.deepEqual(r.reactions.data, []);
        assert.equal(r.reactions.summary.total_count, 3);
        const members = await read(`${group.id}?fields=${encodeURIComponent('members.limit(0).summary(true)')}`);
        assert.equal(typeof members.members.summary.total_count, 'number');
        assert.ok(members.members.summary.total_count >= 1);
      });

      test('.order(reverse_chronological)', async () => {
        const r = await read(`${post.wire}?fields=${encodeURIComponent('comments.order(reverse_chronological){message}')}`);
        assert.deepEqual(r.comments.data.map((c: { message: string }) => c.message), ['second comment', 'first comment']);
        const chrono = await read(`${post.wire}?fields=${encodeURIComponent('comments.order(chronological){message}')}`);
        assert.deepEqual(chrono.comments.data.map((c: { message: string }) => c.message), ['first comment', 'second comment']);
      });

      test('.type(LOVE) on reactions, with .as(alias)', async () => {
        const fields = 'reactions.type(LOVE).limit(0).summary(total_count).as(reactions_love),reactions.type(HAHA).summary(true).as(reactions_haha){id,type}';
        const r = await read(`${post.wire}?fields=${encodeURIComponent(fields)}`);
        assert.equal(r.reactions_love.summary.total_count, 2);
        assert.equal(r.reactions_haha.summary.total_count, 1);
        assert.deepEqual(r.reactions_haha.data, [{ id: carol.id, type: 'HAHA' }]);
        assert.equal(r.reactions, undefined);
        const alias = await read(`${post.wire}?fields=${encodeURIComponent('message.as(text),from.as(author){name}')}`);
        assert.equal(alias.author?.name, alice.name);
      });

      /** Collects a nested edge's items by following its paging.next links with the header token. */
      async function follow(start: { data: any[]; paging?: { next?: string } }): Promise<any[]> {
        const items = [...start.data];
        let next = start.paging?.next;
        for (let i = 0; next && i < 10; i++) {
          assert.ok(next.startsWith(`${ts.graph}/`), next);
          const r = await http('GET', next, { token });
          assert.equal(r.status, 200, `${next}: ${r.text}`);
          items.push(...r.json.data);
          next = r.json.paging?.next;
        }
        return items;
      }

      test('a nested next link walks the rest of the nested edge', async () => {
        const r = await read(`${post.wire}?fields=${encodeURIComponent('comments.limit(1){message}')}`);
        assert.deepEqual((await follow(r.comments)).map((c: { id: string }) => c.id).length, 2);
      });

      test('a nested next link keeps .order(reverse_chronological)', async () => {
        const r = await read(`${post.wire}?fields=${encodeURIComponent('comments.order(reverse_chronological).limit(1){message}')}`);
        const next = r.comments.paging?.next;
        assert.deepEqual(
          (await follow(r.comments)).map((c: { message: string }) => c.message),
          ['second comment', 'first comment'],
          `following ${next} lost the order`,
        );
      });

      test('a nested next link keeps the .type(LOVE) filter', async () => {
        const r = await read(`${post.wire}?fields=${encodeURIComponent('reactions.type(LOVE).limit(1){id,type}')}`);
        const next = r.reactions.paging?.next;
        const reactors = (await follow(r.reactions)).map((x: { id: string }) => x.id).sort();
        assert.deepEqual(reactors, [alice.id, bob.id].sort(), `following ${next} lost the type filter (carol reacted HAHA)`);
      });

      test('a nested next link keeps the nested field selection', async () => {
        const r = await read(`${post.wire}?fields=${encodeURIComponent('comments.limit(1){message}')}`);
        const next = r.comments.paging?.next;
        const all = await follow(r.comments);
        for (const c of all) assert.deepEqual(Object.keys(c).sort(), ['id', 'message'], `following ${next} lost fields=message`);
      });

      test('.since(epoch) on feed', async () => {
        const target = await ts.write((w) => groupCreator(w, { name: unique('Since'), adminId: alice.id }));
        const old = Date.now() + clock.offset;
        await ts.write((w) => postCreator(w, { feedId: target.id, feedType: 'group', message: 'older' }), member(alice.id));
        clock.offset += 10_000;
        const cut = Math.floor((old + 5_000) / 1000);
        await ts.write((w) => postCreator(w, { feedId: target.id, feedType: 'group', message: 'newer' }), member(alice.id));
        const r = await read(`${target.id}?fields=${encodeURIComponent(`feed.since(${cut}){message}`)}`);
        assert.deepEqual(r.feed.data.map((p: { message: string }) => p.message), ['newer']);
        const all = await read(`${target.id}?fields=${encodeURIComponent('feed.limit(5){message}')}`);
        assert.deepEqual(all.feed.data.map((p: { message: string }) => p.message), ['newer', 'older']);
      });

      test('an unknown field is 400 code 100 naming the field', async () => {
        const r = await http('GET', g(`${group.id}?fields=id,bogus_field`), { token });
        assert.equal(r.status, 400, r.text);
        assertGraphError(r, 100, 'unknown field');
        assert.match(r.json.error.message, /bogus_field/);
        const nested = await http('GET', g(`${post.wire}?fields=${encodeURIComponent('comments{nonsense_sub}')}`), { token });
        assert.equal(nested.status, 400, nested.text);
        assertGraphError(nested, 100, 'unknown nested field');
        assert.match(nested.json.error.message, /nonsense_sub/);
        const onList = await http('GET', g(`${group.id}/feed?fields=id,not_a_post_field`), { token });
        assertGraphError(onList, 100, 'unknown field on a list');
        assert.match(onList.json.error.message, /not_a_post_field/);
      });

      test('an unknown edge is 400 code 2500 (Unknown path components)', async () => {
        const r = await http('GET', g(`${group.id}/no_such_edge`), { token });
        assert.equal(r.status, 400, r.text);
        assertGraphError(r, 2500, 'unknown edge');
        assert.equal(r.json.error.type, 'OAuthException');
        assert.equal(r.json.error.message, 'Unknown path components: /no_such_edge');
        const deep = await http('GET', g(`${group.id}/feed/1/2`), { token });
        assert.equal(deep.status, 400, deep.text);
        assertGraphError(deep, 2500, 'too many path components');
      });

      test('malformed fields are 400 code 100', async () => {
        for (const fields of ['id,{name', 'comments{', 'comments{message', 'id,,name', 'comments.limit(2', 'comments{}', 'id,', 'a b']) {
          const r = await http('GET', g(`${post.wire}?fields=${encodeURIComponent(fields)}`), { token });
          assert.equal(r.status, 400, `${fields}: ${r.text}`);
          assertGraphError(r, 100, `fields=${fields}`);
        }
      });

      test('bad limit, bad cursor and unknown modifier are code 100', async () => {
        for (const q of ['limit=abc', 'limit=-1', 'limit=1.5', 'after=%%%', 'after=bm90LWEtY3Vyc29y', 'order=sideways', 'since=not-a-date', 'until=31-02-2024']) {
          const r = await http('GET', `${g(`${group.id}/feed`)}?${q}`, { token });
          assert.equal(r.status, 400, `${q}: ${r.text}`);
          assertGraphError(r, 100, q);
        }
        const mod = await http('GET', g(`${post.wire}?fields=${encodeURIComponent('comments.bogus(1)')}`), { token });
        assertGraphError(mod, 100, 'unknown modifier');
        const badLimit = await http('GET', g(`${post.wire}?fields=${encodeURIComponent('comments.limit(abc)')}`), { token });
        assertGraphError(badLimit, 100, 'nested limit(abc)');
      });
    });

    describe('since and until', () => {
      let target: GroupRow;
      const at = (iso: string) => Date.parse(iso);
      before(async () => {
        target = await ts.write((w) => groupCreator(w, { name: unique('Times'), adminId: alice.id }));
        for (const [iso, message] of [
          ['2024-03-01T10:00:00.000Z', 'A'],
          ['2024-03-05T10:00:00.000Z', 'B'],
          ['2024-03-10T10:00:00.500Z', 'C'],
        ] as const) {
          clock.pinned = at(iso);
          await ts.write((w) => postCreator(w, { feedId: target.id, feedType: 'group', message }), member(alice.id));
        }
        clock.pinned = undefined;
      });
      const feed = async (params: Record<string, string>) => {
        const r = await http('GET', `${g(`${target.id}/feed`)}?${new URLSearchParams({ fields: 'message', ...params })}`, { token });
        assert.equal(r.status, 200, `${JSON.stringify(params)}: ${r.text}`);
        return r.json.data.map((p: { message: string }) => p.message).sort().join('');
      };

      test('epoch seconds', async () => {
        assert.equal(await feed({ since: String(at('2024-03-04T00:00:00Z') / 1000) }), 'BC');
        assert.equal(await feed({ until: String(at('2024-03-06T00:00:00Z') / 1000) }), 'AB');
        assert.equal(await feed({ since: String(at('2024-03-02T00:00:00Z') / 1000), until: String(at('2024-03-06T00:00:00Z') / 1000) }), 'B');
      });

      test('ISO-8601', async () => {
        assert.equal(await feed({ since: '2024-03-04T00:00:00Z' }), 'BC');
        assert.equal(await feed({ until: '2024-03-06T00:00:00+0000' }), 'AB');
        assert.equal(await feed({ since: '2024-03-05' }), 'BC');
        assert.equal(await feed({ since: '2024-03-05T11:00:00+02:00' }), 'BC');
      });

      test('DD-MM-YYYY', async () => {
        assert.equal(await feed({ since: '05-03-2024' }), 'BC');
        assert.equal(await feed({ until: '06-03-2024' }), 'AB');
      });

      test('YYYY-MM-DD HH:MM:SS.ffffff', async () => {
        assert.equal(await feed({ since: '2024-03-10 10:00:00.250000' }), 'C');
        assert.equal(await feed({ since: '2024-03-10 10:00:00.750000' }), '');
        assert.equal(await feed({ until: '2024-03-05 10:00:00.000000' }), 'AB');
      });

      test('modifiers take the same formats', async () => {
        const r = await read(`${target.id}?fields=${encodeURIComponent('feed.since(05-03-2024).until(2024-03-06){message}')}`);
        assert.deepEqual(r.feed.data.map((p: { message: string }) => p.message), ['B']);
      });
    });

    describe('lists and paging', () => {
      let target: GroupRow;
      before(async () => {
        target = await ts.write((w) => groupCreator(w, { name: unique('Paging'), adminId: alice.id }));
        for (let i = 1; i <= 5; i++) {
          clock.offset += 1000;
          await ts.write((w) => postCreator(w, { feedId: target.id, feedType: 'group', message: `page post ${i}` }), member(alice.id));
        }
      });

      test('responses are JSON {data, paging}', async () => {
        const r = await http('GET', g(`${target.id}/feed?limit=2`), { token });
        assert.equal(r.status, 200, r.text);
        assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
        assert.ok(Array.isArray(r.json.data));
        assert.equal(r.json.data.length, 2);
        assert.equal(typeof r.json.paging.cursors.before, 'string');
        assert.equal(typeof r.json.paging.cursors.after, 'string');
      });

      test('paging.next is absolute, keeps every query parameter (access_token too) and disappears on the last page', async () => {
        const params = new URLSearchParams({ fields: 'id,message', limit: '2', access_token: token, order: 'reverse_chronological' });
        let url: string | undefined = `${g(`${target.id}/feed`)}?${params}`;
        const seen: string[] = [];
        let pages = 0;
        while (url) {
          const r = await http('GET', url);
          assert.equal(r.status, 200, r.text);
          pages++;
          seen.push(...r.json.data.map((p: { message: string }) => p.message));
          for (const p of r.json.data) assert.deepEqual(Object.keys(p).sort(), ['id', 'message']);
          const paging = r.json.paging ?? {};
          // Feeds page by time, as Graph's did: every page with data links back, the first one too.
          if (r.json.data.length) {
            assert.ok(paging.previous, `page ${pages} links back`);
            assert.ok(paging.previous.startsWith(`${ts.graph}/`));
          } else assert.equal(r.json.paging, undefined, 'the page past the end is {"data": []}');
          if (paging.next) {
            assert.ok(paging.next.startsWith(`${ts.graph}/${target.id}/feed?`), paging.next);
            const next = new URL(paging.next);
            assert.equal(next.searchParams.get('fields'), 'id,message');
            assert.equal(next.searchParams.get('limit'), '2');
            assert.equal(next.searchParams.get('access_token'), token);
            assert.equal(next.searchParams.get('order'), 'reverse_chronological');
            assert.ok(next.searchParams.get('until') && next.searchParams.get('__paging_token'));
          }
          url = paging.next;
          assert.ok(pages < 10, 'paging terminates');
        }
        assert.equal(pages, 4, 'three pages of posts, then the empty page');
        assert.deepEqual(seen, ['page post 5', 'page post 4', 'page post 3', 'page post 2', 'page post 1']);
      });

      test('paging links are built from PUBLIC_URL when it is set', async () => {
        const proxied = await startServer(dialect, { env: { ...IMAGE_HOST_ENV, PUBLIC_URL: 'https://graph.example.test/' } });
        try {
          const owner = await proxied.member({ email: 'owner@example.com', name: 'Owner' });
          const feedGroup = await proxied.write((w) => groupCreator(w, { name: 'Proxied', adminId: owner.id }));
          for (let i = 0; i < 3; i++) await proxied.write((w) => postCreator(w, { feedId: feedGroup.id, feedType: 'group', message: `proxied ${i}` }), member(owner.id));
          const reader = await proxied.integration(['read_group'], { name: 'Proxy Reader' });
          const r = await http('GET', `${proxied.graph}/${feedGroup.id}/feed?limit=1&fields=message`, { token: reader.access_token });
          assert.equal(r.status, 200, r.text);
          assert.ok(r.json.paging.next.startsWith(`https://graph.example.test/graph/${feedGroup.id}/feed?`), r.json.paging.next);
        } finally {
          await proxied.close();
        }
      });

      test('a header token is not copied into paging links', async () => {
        const r = await http('GET', g(`${target.id}/feed?limit=2`), { token });
        assert.ok(r.json.paging.next);
        assert.equal(new URL(r.json.paging.next).searchParams.get('access_token'), null);
      });

      test('following previous walks back', async () => {
        const first = await http('GET', g(`${target.id}/feed?limit=2&fields=message`), { token });
        const second = await http('GET', first.json.paging.next, { token });
        assert.ok(second.json.paging.previous);
        const back = await http('GET', second.json.paging.previous, { token });
        assert.deepEqual(back.json.data.map((p: { message: string }) => p.message), first.json.data.map((p: { message: string }) => p.message));
      });

      test('a cursor list that fits in one page has neither next nor previous; a feed links on to its empty end', async () => {
        const members = await http('GET', g(`${target.id}/members?limit=100`), { token });
        assert.ok(members.json.data.length > 0);
        assert.equal(members.json.paging?.next, undefined);
        assert.equal(members.json.paging?.previous, undefined);
        const r = await http('GET', g(`${target.id}/feed?limit=10`), { token });
        assert.equal(r.json.data.length, 5);
        assert.deepEqual((await http('GET', r.json.paging.next, { token })).json, { data: [] });
      });
    });

    describe('errors', () => {
      test('every error is a 4xx Graph error object with an fbtrace_id and no stack trace', async () => {
        const cases: [string, () => Promise<{ status: number; text: string; json: any }>, number[]][] = [
          ['no token', () => http('GET', g('me')), [190]],
          ['unknown object', () => http('GET', g('12345678901234567'), { token }), [100]],
          ['not an id', () => http('GET', g('not-an-object'), { token }), [100]],
          ['unknown edge', () => http('GET', g(`${group.id}/nope`), { token }), [2500]],
          ['unknown field', () => http('GET', g(`${group.id}?fields=nope`), { token }), [100]],
          ['malformed fields', () => http('GET', g(`${group.id}?fields=${encodeURIComponent('a{')}`), { token }), [100]],
          ['bad limit', () => http('GET', g(`${group.id}/feed?limit=abc`), { token }), [100]],
          ['bad since', () => http('GET', g(`${group.id}/feed?since=someday`), { token }), [100]],
          ['bad method override', () => http('GET', g(`${group.id}?method=patch`), { token }), [100]],
          ['malformed JSON body', () => http('POST', g(`${group.id}/feed`), { token, body: '{"message":', headers: { 'content-type': 'application/json' } }), [100]],
          ['JSON body not an object', () => http('POST', g(`${group.id}/feed`), { token, body: '"text"', headers: { 'content-type': 'application/json' } }), [100]],
          ['malformed path escape', () => http('GET', `${ts.graph}/%E0%A4%A`, { token }), [100]],
          ['no ids', () => http('GET', `${g('')}?fields=id`, { token }), [100]],
          ['unsupported operation', () => http('DELETE', g(group.id), { token }), [100]],
          ['post with neither message nor link', () => http('POST', g(`${group.id}/feed`), { token, form: {} }), [100]],
          ['bad boolean', () => http('POST', g(group.id), { token, form: { archive: 'maybe' } }), [100]],
          ['broken multipart body', () => http('POST', g(`${group.id}/feed`), { token, body: '--xyz\r\nContent-Disposition: form-data; name="message"\r\n\r\nhi', headers: { 'content-type': 'multipart/form-data; boundary=xyz' } }), [100]],
          ['unknown content type', () => http('POST', g(`${group.id}/feed`), { token, body: '\u0000\u0001binary', headers: { 'content-type': 'application/octet-stream' } }), [100]],
          ['body over the size limit', () => http('POST', g(`${group.id}/feed`), { token, json: { message: 'x'.repeat(5 * 1024 * 1024) } }), [100]],
          ['unsupported HTTP method', () => http('PATCH', g('me'), { token }), [100]],
        ];
        const failures: string[] = [];
        for (const [label, call, codes] of cases) {
          const r = await call();
          try {
            assertGraphError(r, codes, label);
          } catch (error) {
            failures.push(`${(error as Error).message.split('\n')[0]} [HTTP ${r.status} ${r.text.slice(0, 160)}]`);
          }
        }
        assert.deepEqual(failures, []);
      });

      test('an error answers with HTTP 400 for bad input and unknown objects', async () => {
        assert.equal((await http('GET', g('12345678901234567'), { token })).status, 400);
        assert.equal((await http('GET', g(`${group.id}?fields=nope`), { token })).status, 400);
        assert.equal((await http('GET', g('me'))).status, 400);
      });
    });

    describe('browsers and limits', () => {
      test('CORS preflight OPTIONS /graph/me answers 204 and allows Authorization', async () => {
        const r = await fetch(g('me'), {
          method: 'OPTIONS',
          headers: { origin: 'https://intranet.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,content-type' },
        });
        assert.equal(r.status, 204);
        assert.equal(r.headers.get('access-control-allow-origin'), '*');
        assert.match(r.headers.get('access-control-allow-headers') ?? '', /authorization/i);
        assert.match(r.headers.get('access-control-allow-methods') ?? '', /GET/);
        assert.match(r.headers.get('access-control-allow-methods') ?? '', /POST/);
        assert.match(r.headers.get('access-control-allow-methods') ?? '', /DELETE/);
        const plain = await fetch(`${ts.graph}/v19.0/${group.id}/feed`, { method: 'OPTIONS', headers: { origin: 'https://x.example.com', 'access-control-request-method': 'POST' } });
        assert.equal(plain.status, 204);
        assert.match(plain.headers.get('access-control-allow-headers') ?? '', /authorization/i);
        const get = await http('GET', g('me'), { token, headers: { origin: 'https://intranet.example.com' } });
        assert.equal(get.headers.get('access-control-allow-origin'), '*');
      });

      test('X-App-Usage is on Graph responses', async () => {
        const r = await http('GET', g('me'), { token });
        const usage = r.headers.get('x-app-usage');
        assert.ok(usage, 'x-app-usage header');
        const parsed = JSON.parse(usage!);
        for (const key of ['call_count', 'total_time', 'total_cputime']) assert.equal(typeof parsed[key], 'number', key);
      });

      test('rate limit: the 6th call in a minute is error 4 with HTTP 429 and Retry-After', async () => {
        const limited = await startServer(dialect, { env: { ...IMAGE_HOST_ENV, COMMONPLACE_RATE_LIMIT: '5' } });
        try {
          const bot = await limited.integration(['read_group'], { name: 'Chatty Bot' });
          const other = await limited.integration(['read_group'], { name: 'Quiet Bot' });
          for (let i = 1; i <= 5; i++) {
            const r = await http('GET', `${limited.graph}/me`, { token: bot.access_token });
            assert.equal(r.status, 200, `call ${i}: ${r.text}`);
            assert.ok(r.headers.get('x-app-usage'));
          }
          const sixth = await http('GET', `${limited.graph}/me`, { token: bot.access_token });
          assert.equal(sixth.status, 429, sixth.text);
          assertGraphError(sixth, 4, '6th call');
          const retryAfter = sixth.headers.get('retry-after');
          assert.ok(retryAfter, 'Retry-After header');
          assert.ok(Number(retryAfter) > 0 && Number(retryAfter) <= 60, `Retry-After ${retryAfter}`);
          const usage = JSON.parse(sixth.headers.get('x-app-usage') ?? '{}');
          assert.equal(usage.call_count, 100);
          // The budget is per integration.
          assert.equal((await http('GET', `${limited.graph}/me`, { token: other.access_token })).status, 200);
        } finally {
          await limited.close();
        }
      });
    });
  });
}
