import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GraphApiError, type GraphClient } from '@commonplace/sdk';
import type { Clock } from '../../src/clock.js';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import { postCreator, postWireId } from '../../src/domain/commands/post.js';
import { reactionSetter } from '../../src/domain/commands/reaction.js';
import { seenRecorder } from '../../src/domain/commands/seen.js';
import type { Actor } from '../../src/domain/actor.js';
import type { GroupRow } from '../../src/db/repositories/group.js';
import { findPostById } from '../../src/db/repositories/post.js';
import type { AuditEventTable, OutboxTable } from '../../src/db/schema.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { IMAGE_HOST_ENV, startImageHost } from '../helpers/images.js';

// Photos given by URL are fetched by the server: they come from a real image host on 127.0.0.1.
const images = await startImageHost();
after(() => images.close());

// Behaviour and side effects of the Graph content endpoints (DESIGN.md §4 habit 9): each write
// records one audit event and the expected webhook outbox rows; a no-op and a refused call
// record nothing. Happy paths go through the SDK, wire details through raw HTTP.

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

type Outbox = OutboxTable & { value: any };
interface Written {
  audit: AuditEventTable[];
  outbox: Outbox[];
}

/** A clock that follows real time and can be moved ahead, so updated_time visibly changes. */
function aheadClock(): Clock & { offset: number } {
  const state = { offset: 0 };
  return Object.assign(state, { now: () => Date.now() + state.offset });
}

const member = (id: string): Actor => ({ kind: 'member', memberId: id, isAdmin: false });
let counter = 0;
const unique = (s: string) => `${s} #${++counter}`;

/** Awaits a call that must fail with a Graph error of one of the codes; returns the error. */
async function refused(call: Promise<unknown>, codes: number | number[]): Promise<GraphApiError> {
  const list = Array.isArray(codes) ? codes : [codes];
  try {
    const value = await call;
    assert.fail(`expected Graph error ${list.join('/')}, got success ${JSON.stringify(value)}`);
  } catch (error) {
    if (!(error instanceof GraphApiError)) throw error;
    assert.ok(list.includes(error.code!), `expected code ${list.join('/')}, got ${error.code} (HTTP ${error.status}): ${error.message}`);
    assert.ok(error.status >= 400 && error.status < 500, `expected a 4xx status, got ${error.status}`);
    return error;
  }
}

for (const dialect of await dialects()) {
  describe(`Graph content behaviour (${dialect})`, () => {
    let ts: TestServer;
    const clock = aheadClock();
    let bot: IssuedCredentials;
    let other: IssuedCredentials;
    let mentioned: IssuedCredentials;
    let manager: IssuedCredentials;
    let client: GraphClient;
    let otherClient: GraphClient;
    let alice: { id: string; email: string | null; name: string };
    let bob: { id: string; email: string | null; name: string };
    let carol: { id: string; email: string | null; name: string };
    let dave: { id: string; email: string | null; name: string };
    let group: GroupRow;
    const g = (path: string) => `${ts.graph}/${path}`;
    const BOT_PERMISSIONS = ['read_group', 'write_group', 'manage_group', 'read_group_membership', 'read_user_email', 'read_user_feed', 'write_user_feed'];

    /** Runs `fn` and returns what it wrote to audit_event and outbox. */
    async function track<T>(fn: () => Promise<T>): Promise<Written & { result: T }> {
      const before = {
        audit: new Set((await ts.ctx.db.selectFrom('audit_event').select('id').execute()).map((r) => r.id)),
        outbox: new Set((await ts.ctx.db.selectFrom('outbox').select('id').execute()).map((r) => r.id)),
      };
      const result = await fn();
      const audit = (await ts.ctx.db.selectFrom('audit_event').selectAll().execute()).filter((r) => !before.audit.has(r.id));
      const outbox = (await ts.ctx.db.selectFrom('outbox').selectAll().execute()).filter((r) => !before.outbox.has(r.id)).map((r) => ({ ...r, value: JSON.parse(r.payload) }));
      return { result, audit, outbox };
    }
    const actions = (w: Written) => w.audit.map((a) => a.action).sort();
    const topics = (w: Written) => w.outbox.map((o) => `${o.topic}/${o.field}/${o.value.verb ?? ''}`).sort();
    async function nothingWritten<T>(fn: () => Promise<T>, label: string): Promise<T> {
      const w = await track(fn);
      assert.deepEqual(actions(w), [], `${label}: no audit event`);
      assert.deepEqual(topics(w), [], `${label}: no outbox row`);
      return w.result;
    }
    async function read(path: string): Promise<any> {
      const r = await http('GET', g(path), { token: bot.access_token });
      assert.equal(r.status, 200, `GET ${path}: ${r.text}`);
      return r.json;
    }
    const ids = (list: { data: { id: string }[] }) => list.data.map((x) => x.id);

    before(async () => {
      ts = await startServer(dialect, { clock, env: IMAGE_HOST_ENV });
      alice = await ts.member({ email: 'alice@example.com', name: 'Alice Admin' });
      bob = await ts.member({ email: 'bob@example.com', name: 'Bob Builder' });
      carol = await ts.member({ email: 'carol@example.com', name: 'Carol Coder' });
      dave = await ts.member({ email: 'dave@example.com', name: 'Dave Doer' });
      group = await ts.write((w) => groupCreator(w, { name: 'Content', adminId: alice.id }));
      await ts.write((w) => groupMemberAdder(w, group, bob.id));
      bot = await ts.integration(BOT_PERMISSIONS, { name: 'Content Bot' });
      other = await ts.integration(['read_group', 'write_group'], { name: 'Other Bot' });
      mentioned = await ts.integration(['bot_mention'], { name: 'Mention Bot' });
      manager = await ts.integration(['manage_group'], { name: 'Manager Bot' });
      client = ts.client(bot.access_token);
      otherClient = ts.client(other.access_token);
    });
    after(() => ts.close());

    describe('groups', () => {
      let created: string;

      test('create with name, description, privacy, purpose and admin; the fields read back', async () => {
        const w = await track(() =>
          client.createGroup({ name: 'Launch Team', description: 'Ship it', privacy: 'SECRET', purpose: 'WORK_TEAMWORK', admin: alice.id }),
        );
        created = w.result.id;
        assert.match(created, /^\d+$/);
        const readBack = await client.group(created, 'id,name,description,privacy,purpose,archived,owner');
        assert.deepEqual(readBack, {
          id: created,
          name: 'Launch Team',
          description: 'Ship it',
          privacy: 'SECRET',
          purpose: 'WORK_TEAMWORK',
          archived: false,
          owner: { id: alice.id, name: alice.name },
        });
        assert.deepEqual(ids(await read(`${created}/admins`)), [alice.id]);
        assert.deepEqual(actions(w), ['group.created']);
        assert.deepEqual(topics(w), ['group/membership/add']);
        assert.equal(w.outbox[0].entry_id, created);
        assert.equal(w.outbox[0].value.member_id ?? w.outbox[0].value.member?.id, alice.id);
      });

      test('update; the same update again is a no-op that writes nothing', async () => {
        const w = await track(() => client.updateGroup(created, { description: 'Ship it now', privacy: 'CLOSED', name: 'Launch Crew' }));
        assert.deepEqual(w.result, { success: true });
        assert.deepEqual(await client.group(created, 'name,description,privacy'), { id: created, name: 'Launch Crew', description: 'Ship it now', privacy: 'CLOSED' });
        assert.deepEqual(actions(w), ['group.updated']);
        assert.deepEqual(topics(w), []);
        const again = await nothingWritten(() => client.updateGroup(created, { description: 'Ship it now', privacy: 'CLOSED', name: 'Launch Crew' }), 'no-op update');
        assert.deepEqual(again, { success: true });
        const caseOnly = await nothingWritten(() => http('POST', g(created), { token: bot.access_token, form: { privacy: 'closed' } }), 'same privacy in lower case');
        assert.deepEqual(caseOnly.json, { success: true });
      });

      test("cover_url is fetched once and served as the server's signed link; the same URL again is a no-op; a failing one is refused", async () => {
        const coverUrl = images.url('cover.png');
        const w = await track(() => http('POST', g(created), { token: bot.access_token, form: { cover_url: coverUrl } }));
        assert.deepEqual(w.result.json, { success: true }, w.result.text);
        assert.deepEqual(actions(w), ['group.updated', 'media.uploaded']);
        const shown = await read(`${created}?fields=cover_url,cover`);
        assert.match(shown.cover_url, /^http:\/\/127\.0\.0\.1:\d+\/media\/\d+\/.+\?ext=\d+&hash=/);
        assert.ok(!shown.cover_url.startsWith(images.base), "the server's own link, not the remote URL");
        assert.equal(shown.cover.source, shown.cover_url);
        assert.match(shown.cover.id, /^\d+$/);
        const served = await fetch(shown.cover_url);
        assert.equal(served.headers.get('content-type'), 'image/png');
        assert.deepEqual(Buffer.from(await served.arrayBuffer()), images.png);
        const hits = images.hits.filter((h) => h === '/cover.png').length;
        await nothingWritten(() => http('POST', g(created), { token: bot.access_token, form: { cover_url: coverUrl } }), 'the same cover again');
        assert.equal(images.hits.filter((h) => h === '/cover.png').length, hits, 'the same cover is not fetched again');

        const failing = await nothingWritten(() => http('POST', g(created), { token: bot.access_token, form: { cover_url: images.url('gone.png'), description: 'not saved' } }), 'a cover that cannot be fetched');
        assert.equal(failing.status, 400);
        assert.equal(failing.json.error.code, 100);
        assert.match(failing.json.error.message, /Failed to fetch the file from the url .*gone\.png: the server answered 404/);
        assert.equal((await read(`${created}?fields=cover_url`)).cover_url, shown.cover_url);

        const made = await http('POST', g('community/groups'), { token: bot.access_token, form: { name: 'Covered', cover_url: images.url('made.jpg') } });
        assert.equal(made.status, 200, made.text);
        const madeCover = await read(`${made.json.id}?fields=cover`);
        assert.equal((await fetch(madeCover.cover.source)).headers.get('content-type'), 'image/jpeg');
        const cleared = await track(() => http('POST', g(made.json.id), { token: bot.access_token, form: { cover_url: '' } }));
        assert.deepEqual(actions(cleared), ['group.updated']);
        assert.deepEqual(await read(`${made.json.id}?fields=cover_url,cover`), { id: made.json.id });
      });

      test('archive=true archives; posting into an archived group is refused with code 100', async () => {
        const w = await track(() => http('POST', g(created), { token: bot.access_token, form: { archive: 'true' } }));
        assert.deepEqual(w.result.json, { success: true }, w.result.text);
        assert.deepEqual(actions(w), ['group.updated']);
        assert.equal((await client.group(created, 'archived')).archived, true);
        await nothingWritten(() => refused(client.postToGroup(created, { message: unique('into the archive') }), 100), 'post into archived group');
        await nothingWritten(() => refused(client.uploadPhoto(created, { url: images.url('archived.png') }), 100), 'photo into archived group');
        await nothingWritten(() => client.updateGroup(created, { archive: true }), 'archiving twice');
        await client.updateGroup(created, { archive: false });
        assert.equal((await client.group(created, 'archived')).archived, false);
        const post = await client.postToGroup(created, { message: unique('after unarchiving') });
        assert.match(post.id, new RegExp(`^${created}_\\d+$`));
      });
    });

    describe('group members', () => {
      let team: GroupRow;
      before(async () => {
        team = await ts.write((w) => groupCreator(w, { name: unique('Members'), adminId: alice.id }));
      });
      const memberIds = async (groupId: string) => ids(await read(`${groupId}/members?limit=100`));
      const adminIds = async (groupId: string) => ids(await read(`${groupId}/admins?limit=100`));

      test('add by member id; adding again is a no-op', async () => {
        const w = await track(() => client.addMember(team.id, bob.id));
        assert.deepEqual(w.result, { success: true });
        assert.ok((await memberIds(team.id)).includes(bob.id));
        assert.deepEqual(actions(w), ['group.member_added']);
        assert.deepEqual(topics(w), ['group/membership/add']);
        assert.equal(w.outbox[0].entry_id, team.id);
        const again = await nothingWritten(() => client.addMember(team.id, bob.id), 'second add');
        assert.deepEqual(again, { success: true });
        const viaForm = await nothingWritten(() => http('POST', g(`${team.id}/members`), { token: bot.access_token, form: { member: bob.id } }), 'second add as a form');
        assert.deepEqual(viaForm.json, { success: true });
      });

      test('add by email= (needs read_user_email)', async () => {
        const w = await track(() => client.addMember(team.id, carol.email!));
        assert.deepEqual(w.result, { success: true });
        assert.ok((await memberIds(team.id)).includes(carol.id));
        assert.deepEqual(actions(w), ['group.member_added']);
        assert.deepEqual(topics(w), ['group/membership/add']);
        const noEmail = ts.client(manager.access_token);
        await nothingWritten(() => refused(noEmail.addMember(team.id, dave.email!), [10, 200]), 'email without read_user_email');
        assert.ok(!(await memberIds(team.id)).includes(dave.id));
        assert.deepEqual(await noEmail.addMember(team.id, dave.id), { success: true });
        assert.ok((await memberIds(team.id)).includes(dave.id));
      });

      test('admins: add and remove; removing an admin keeps the membership', async () => {
        const promote = await track(() => client.post(`${team.id}/admins/${bob.id}`));
        assert.deepEqual(promote.result, { success: true });
        assert.deepEqual(actions(promote), ['group.role_changed']);
        assert.ok((await adminIds(team.id)).includes(bob.id));
        await nothingWritten(() => client.post(`${team.id}/admins/${bob.id}`), 'promoting twice');
        const byUid = await http('POST', g(`${team.id}/admins`), { token: bot.access_token, form: { uid: carol.id } });
        assert.deepEqual(byUid.json, { success: true }, byUid.text);
        assert.ok((await adminIds(team.id)).includes(carol.id));

        const demote = await track(() => client.delete(`${team.id}/admins/${bob.id}`));
        assert.deepEqual(demote.result, { success: true });
        assert.deepEqual(actions(demote), ['group.role_changed']);
        assert.ok(!(await adminIds(team.id)).includes(bob.id));
        assert.ok((await memberIds(team.id)).includes(bob.id), 'still a member');
        await nothingWritten(() => client.delete(`${team.id}/admins/${bob.id}`), 'demoting twice');
        const byUidDelete = await http('DELETE', g(`${team.id}/admins`), { token: bot.access_token, json: { uid: carol.id } });
        assert.deepEqual(byUidDelete.json, { success: true }, byUidDelete.text);
        assert.ok(!(await adminIds(team.id)).includes(carol.id));
        assert.ok((await memberIds(team.id)).includes(carol.id));
      });

      test('remove a member; removing the last member deletes the group', async () => {
        const w = await track(() => client.removeMember(team.id, dave.id));
        assert.deepEqual(w.result, { success: true });
        assert.deepEqual(actions(w), ['group.member_removed']);
        assert.deepEqual(topics(w), ['group/membership/remove']);
        assert.ok(!(await memberIds(team.id)).includes(dave.id));
        await nothingWritten(() => client.removeMember(team.id, dave.id), 'removing twice');

        const solo = await client.createGroup({ name: unique('Solo'), admin: dave.id });
        await client.postToGroup(solo.id, { message: unique('soon gone') });
        const last = await track(() => client.removeMember(solo.id, dave.id));
        assert.deepEqual(last.result, { success: true });
        assert.deepEqual(actions(last), ['group.deleted', 'group.member_removed']);
        assert.ok(topics(last).includes('group/membership/remove'));
        await refused(client.group(solo.id), 100);
        const r = await http('GET', g(solo.id), { token: bot.access_token });
        assert.equal(r.status, 400);
        assert.equal(r.json.error.code, 100);
      });
    });

    describe('posts', () => {
      test('message + formatting=MARKDOWN + link: one audit event, one group/posts add row', async () => {
        const w = await track(() => client.postToGroup(group.id, { message: '**Release** notes', formatting: 'MARKDOWN', link: 'https://example.com/notes' }));
        const id = w.result.id;
        assert.match(id, new RegExp(`^${group.id}_\\d+$`));
        const post = await client.getPost(id, 'id,message,formatting,link,type,from,created_time,updated_time,permalink_url');
        assert.equal(post.id, id);
        assert.equal(post.message, '**Release** notes');
        assert.equal(post.formatting, 'MARKDOWN');
        assert.equal(post.link, 'https://example.com/notes');
        assert.equal(post.type, 'link');
        assert.deepEqual(post.from, { id: bot.page_id, name: 'Content Bot' });
        assert.match(String(post.created_time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$/);
        assert.deepEqual(actions(w), ['post.created']);
        assert.deepEqual(topics(w), ['group/posts/add']);
        assert.equal(w.outbox[0].entry_id, group.id);
        assert.equal(w.outbox[0].value.post_id, id);
        assert.equal(w.outbox[0].value.message, '**Release** notes');
      });

      test('@[member] and @[page] mentions become message_tags; a mentioned bot gets a page/mention row', async () => {
        const w = await track(() => client.postToGroup(group.id, { message: `Hi @[${bob.id}] and @[${mentioned.page_id}], please review` }));
        const post = await client.getPost(w.result.id, 'message,message_tags');
        const message = post.message as string;
        assert.equal(message, `Hi ${bob.name} and Mention Bot, please review`);
        const tags = post.message_tags as { id: string; name: string; type: string; offset: number; length: number }[];
        assert.deepEqual(
          tags.map((t) => ({ id: t.id, name: t.name, type: t.type })),
          [
            { id: bob.id, name: bob.name, type: 'user' },
            { id: mentioned.page_id, name: 'Mention Bot', type: 'page' },
          ],
        );
        for (const tag of tags) {
          assert.equal(message.slice(tag.offset, tag.offset + tag.length), tag.name);
          assert.equal(tag.length, tag.name.length);
        }
        assert.equal(tags[0].offset, 3);
        assert.deepEqual(actions(w), ['post.created']);
        assert.deepEqual(topics(w), ['group/posts/add', 'page/mention/add']);
        const mention = w.outbox.find((o) => o.topic === 'page')!;
        assert.equal(mention.entry_id, mentioned.page_id);
        assert.equal(mention.value.post_id, w.result.id);
        const posts = w.outbox.filter((o) => o.topic === 'group' && o.field === 'posts');
        assert.equal(posts.length, 1);
      });

      test('edit own post: message and updated_time change, outbox verb edit; the same text again is a no-op', async () => {
        const { id } = await client.postToGroup(group.id, { message: unique('draft') });
        const before = await client.getPost(id, 'message,created_time,updated_time');
        clock.offset += 5_000;
        const text = unique('final');
        const w = await track(() => client.editPost(id, text));
        assert.deepEqual(w.result, { success: true });
        const afterEdit = await client.getPost(id, 'message,created_time,updated_time');
        assert.equal(afterEdit.message, text);
        assert.equal(afterEdit.created_time, before.created_time);
        assert.notEqual(afterEdit.updated_time, before.updated_time);
        assert.ok(String(afterEdit.updated_time) > String(before.updated_time));
        assert.deepEqual(actions(w), ['post.updated']);
        assert.deepEqual(topics(w), ['group/posts/edit']);
        assert.equal(w.outbox[0].value.message, text);
        await nothingWritten(() => client.editPost(id, text), 'edit with the same message');
      });

      test('an edit resolves new mentions into message_tags', async () => {
        const { id } = await client.postToGroup(group.id, { message: unique('no mention yet') });
        await client.editPost(id, `now with @[${carol.id}]`);
        const post = await client.getPost(id, 'message,message_tags');
        assert.equal(post.message, `now with ${carol.name}`);
        assert.deepEqual(post.message_tags, [{ id: carol.id, name: carol.name, type: 'user', offset: 9, length: carol.name.length }]);
      });

      test("editing another author's post is refused with code 10", async () => {
        const { id } = await otherClient.postToGroup(group.id, { message: unique('not yours') });
        const original = (await client.getPost(id, 'message')).message;
        await nothingWritten(() => refused(client.editPost(id, 'hijacked'), 10), 'foreign edit');
        const form = await http('POST', g(id), { token: bot.access_token, form: { message: 'hijacked' } });
        assert.equal(form.status, 403, form.text);
        assert.equal(form.json.error.code, 10);
        assert.equal((await client.getPost(id, 'message')).message, original);
        const memberPost = await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: unique('by a person') }), member(alice.id));
        await nothingWritten(() => refused(client.editPost(postWireId(memberPost), 'hijacked'), 10), "edit of a member's post");
      });

      test('the same post twice in a row is error 506', async () => {
        const message = unique('say it once');
        const first = await http('POST', g(`${group.id}/feed`), { token: bot.access_token, form: { message } });
        assert.equal(first.status, 200, first.text);
        const second = await nothingWritten(() => http('POST', g(`${group.id}/feed`), { token: bot.access_token, form: { message } }), 'duplicate');
        assert.equal(second.status, 400, second.text);
        assert.equal(second.json.error.code, 506);
        assert.ok(second.json.error.fbtrace_id);
        await refused(client.postToGroup(group.id, { message }), 506);
      });

      test('delete a post: it and its comments are gone; outbox verb delete', async () => {
        const { id } = await client.postToGroup(group.id, { message: unique('short-lived') });
        const comment = await client.comment(id, 'a comment');
        const reply = await client.comment(comment.id, 'a reply');
        await client.like(id);
        const w = await track(() => client.deletePost(id));
        assert.deepEqual(w.result, { success: true });
        assert.deepEqual(actions(w), ['post.deleted']);
        assert.deepEqual(topics(w), ['group/posts/delete']);
        assert.equal(w.outbox[0].value.post_id, id);
        await refused(client.getPost(id), 100);
        await refused(client.get(comment.id), 100);
        await refused(client.get(reply.id), 100);
        await refused(client.deletePost(id), 100);
        const feed = await client.feed(group.id, { limit: 100 }).collect();
        assert.ok(!feed.some((p) => p.id === id));
      });
    });

    describe('comments', () => {
      let post: string;
      let first: string;
      let second: string;
      before(async () => {
        const row = await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: unique('discuss') }), member(alice.id));
        post = postWireId(row);
      });

      test('comment on a post: one audit event and one group/comments row', async () => {
        const w = await track(() => client.comment(post, 'first!'));
        first = w.result.id;
        assert.match(first, /^\d+$/);
        assert.deepEqual(actions(w), ['comment.created']);
        assert.deepEqual(topics(w), ['group/comments/add']);
        assert.equal(w.outbox[0].entry_id, group.id);
        assert.equal(w.outbox[0].value.post_id, post);
        clock.offset += 2_000;
        second = (await client.comment(post, { message: 'second' })).id;
      });

      test('replies; a reply to a reply is attached to the top comment', async () => {
        const reply = await client.comment(first, 'a reply');
        clock.offset += 2_000;
        const w = await track(() => client.comment(reply.id, 'reply to the reply'));
        const nested = w.result.id;
        assert.deepEqual(topics(w), ['group/comments/add']);
        assert.equal(w.outbox[0].value.parent_id, first);
        const readNested = await client.get<any>(nested, { fields: 'id,message,parent' });
        assert.equal(readNested.parent.id, first);
        assert.deepEqual(ids(await read(`${first}/comments`)), [reply.id, nested]);
        assert.deepEqual(ids(await read(`${post}/comments`)), [first, second]);
      });

      test('comment fields: from, message, created_time, parent, comment_count, like_count', async () => {
        const c = await client.get<any>(first, { fields: 'id,from,message,created_time,parent,comment_count,like_count,can_comment' });
        assert.equal(c.id, first);
        assert.deepEqual(c.from, { id: bot.page_id, name: 'Content Bot' });
        assert.equal(c.message, 'first!');
        assert.match(c.created_time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$/);
        assert.equal(c.parent, undefined);
        assert.equal(c.comment_count, 2);
        assert.equal(c.like_count, 0);
        await ts.write((w) => reactionSetter(w, { id: first, type: 'comment' }, 'LIKE'), member(bob.id));
        await client.like(first);
        assert.equal((await client.get<any>(first, { fields: 'like_count' })).like_count, 2);
        const replies = await read(`${first}/comments?fields=parent,message`);
        for (const r of replies.data) assert.equal(r.parent.id, first);
      });

      test('order=chronological|reverse_chronological and summary=true', async () => {
        assert.deepEqual(ids(await read(`${post}/comments?order=chronological`)), [first, second]);
        assert.deepEqual(ids(await read(`${post}/comments?order=reverse_chronological`)), [second, first]);
        const summary = await read(`${post}/comments?summary=true`);
        assert.equal(summary.summary.total_count, 2);
        assert.equal(summary.summary.order, 'chronological');
        const rev = await read(`${post}/comments?summary=true&order=reverse_chronological`);
        assert.equal(rev.summary.order, 'reverse_chronological');
      });

      test('a comment mentioning a bot writes a page/mention row; deleting a comment removes its replies', async () => {
        const w = await track(() => client.comment(post, `ping @[${mentioned.page_id}]`));
        assert.deepEqual(actions(w), ['comment.created']);
        assert.deepEqual(topics(w), ['group/comments/add', 'page/mention/add']);
        const mention = w.outbox.find((o) => o.topic === 'page')!;
        assert.equal(mention.entry_id, mentioned.page_id);
        assert.equal(mention.value.comment_id, w.result.id);
        const c = await client.get<any>(w.result.id, { fields: 'message,message_tags' });
        assert.equal(c.message, 'ping Mention Bot');
        assert.deepEqual(c.message_tags.map((t: { id: string; type: string; offset: number; length: number }) => [t.id, t.type, t.offset, t.length]), [[mentioned.page_id, 'page', 5, 11]]);

        const reply = await client.comment(w.result.id, 'a reply to be removed');
        const removal = await track(() => client.delete(w.result.id));
        assert.deepEqual(removal.result, { success: true });
        assert.deepEqual(actions(removal), ['comment.deleted']);
        assert.deepEqual(topics(removal), ['group/comments/delete']);
        await refused(client.get(w.result.id), 100);
        await refused(client.get(reply.id), 100);
        assert.deepEqual(ids(await read(`${post}/comments`)), [first, second]);
      });

      test('the SDK pages through comments following paging.next', async () => {
        const all = await client.comments(post, { limit: 1 }).collect();
        assert.deepEqual(all.map((c) => c.id), [first, second]);
        const pages: number[] = [];
        for await (const page of client.pages(`${post}/comments`, { limit: 1 })) pages.push(page.data.length);
        assert.deepEqual(pages, [1, 1]);
        const reversed = await client.comments(post, { limit: 1, order: 'reverse_chronological' }).collect();
        assert.deepEqual(reversed.map((c) => c.id), [second, first]);
      });
    });

    describe('likes, reactions and seen', () => {
      let post: string;
      let raw: string;
      before(async () => {
        const row = await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: unique('react to me') }), member(alice.id));
        post = postWireId(row);
        raw = row.id;
      });

      test('like and unlike are idempotent; the second of each writes nothing', async () => {
        const like = await track(() => client.like(post));
        assert.deepEqual(like.result, { success: true });
        assert.deepEqual(actions(like), ['reaction.set']);
        assert.deepEqual(topics(like), []);
        assert.deepEqual(await nothingWritten(() => client.like(post), 'second like'), { success: true });
        const likes = await read(`${post}/likes?summary=true`);
        assert.deepEqual(ids(likes), [bot.page_id]);
        assert.equal(likes.summary.total_count, 1);
        assert.equal(likes.summary.has_liked, true);

        const unlike = await track(() => client.unlike(post));
        assert.deepEqual(unlike.result, { success: true });
        assert.deepEqual(actions(unlike), ['reaction.removed']);
        assert.deepEqual(await nothingWritten(() => client.unlike(post), 'second unlike'), { success: true });
        const none = await read(`${post}/likes?summary=true`);
        assert.deepEqual(none.data, []);
        assert.equal(none.summary.total_count, 0);
        assert.equal(none.summary.has_liked, false);
      });

      test('/reactions lists the types members chose; reactions.type(LOVE).summary(total_count)', async () => {
        await ts.write((w) => reactionSetter(w, { id: raw, type: 'post' }, 'LOVE'), member(alice.id));
        await ts.write((w) => reactionSetter(w, { id: raw, type: 'post' }, 'LOVE'), member(bob.id));
        await ts.write((w) => reactionSetter(w, { id: raw, type: 'post' }, 'WOW'), member(carol.id));
        await client.like(post);
        const list = await read(`${post}/reactions?fields=id,name,type&summary=true`);
        const byId = Object.fromEntries(list.data.map((r: { id: string; type: string }) => [r.id, r.type]));
        assert.deepEqual(byId, { [alice.id]: 'LOVE', [bob.id]: 'LOVE', [carol.id]: 'WOW', [bot.page_id]: 'LIKE' });
        assert.equal(list.data.find((r: { id: string }) => r.id === carol.id).name, carol.name);
        assert.equal(list.summary.total_count, 4);
        assert.equal(list.summary.viewer_reaction, 'LIKE');
        const love = await read(`${post}?fields=${encodeURIComponent('reactions.type(LOVE).summary(total_count){id,type}')}`);
        assert.equal(love.reactions.summary.total_count, 2);
        assert.deepEqual(love.reactions.data.map((r: { id: string }) => r.id).sort(), [alice.id, bob.id].sort());
        assert.ok(love.reactions.data.every((r: { type: string }) => r.type === 'LOVE'));
        const wow = await read(`${post}/reactions?type=WOW&summary=true`);
        assert.deepEqual(ids(wow), [carol.id]);
        assert.equal(wow.summary.total_count, 1);
        const likesOnly = await read(`${post}/likes?summary=true`);
        assert.deepEqual(ids(likesOnly), [bot.page_id]);
      });

      test('/seen lists who saw the post, with seen_time and summary', async () => {
        const row = (await findPostById(ts.ctx.db, raw))!;
        await ts.write((w) => seenRecorder(w, row, alice.id));
        clock.offset += 1_000;
        await ts.write((w) => seenRecorder(w, row, bob.id));
        await nothingWritten(() => ts.write((w) => seenRecorder(w, row, bob.id)), 'seen twice');
        const seen = await read(`${post}/seen?fields=id,name,seen_time&summary=true`);
        assert.deepEqual(seen.data.map((s: { id: string }) => s.id).sort(), [alice.id, bob.id].sort());
        for (const s of seen.data) assert.match(s.seen_time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$/);
        assert.equal(seen.data.find((s: { id: string }) => s.id === bob.id).name, bob.name);
        assert.equal(seen.summary.total_count, 2);
      });
    });

    describe('photos', () => {
      test('POST /{group}/photos by URL answers {id, post_id}; the post is a photo with attachments', async () => {
        const w = await track(() => client.uploadPhoto(group.id, { url: images.url('cat.jpg'), message: 'a cat' }));
        const { id, post_id } = w.result;
        assert.match(id, /^\d+$/);
        assert.match(post_id!, new RegExp(`^${group.id}_\\d+$`));
        const post = await client.getPost(post_id!, 'type,message,object_id,attachments');
        assert.equal(post.type, 'photo');
        assert.equal(post.message, 'a cat');
        assert.equal(post.object_id, id);
        const attachments = (post.attachments as any).data;
        assert.equal(attachments.length, 1);
        assert.equal(attachments[0].type, 'photo');
        assert.equal(attachments[0].target.id, id);
        assert.match(attachments[0].media.image.src, new RegExp(`^${ts.base}/media/${w.result.id}/`));
        assert.deepEqual(ids(await read(`${post_id}/attachments?fields=target`)).length, 1);
        assert.deepEqual(actions(w), ['media.uploaded', 'post.created']);
        assert.deepEqual(topics(w), ['group/posts/add']);
        const photos = await client.collect<{ id: string }>(`${group.id}/photos`);
        assert.ok(photos.some((p) => p.id === id));
      });

      test('a multipart PNG upload is served back byte for byte from its signed URL', async () => {
        const { id, post_id } = await client.uploadPhoto(group.id, { file: { data: PNG, filename: 'dot.png', contentType: 'image/png' }, message: 'a dot' });
        assert.ok(post_id);
        const photo = await client.get<any>(id, { fields: 'id,images,from' });
        assert.equal(photo.id, id);
        assert.deepEqual(photo.from, { id: bot.page_id, name: 'Content Bot' });
        const source: string = photo.images[0].source;
        assert.ok(source.startsWith(`${ts.base}/`), source);
        const download = await fetch(source);
        assert.equal(download.status, 200);
        assert.equal(download.headers.get('content-type'), 'image/png');
        assert.ok(Buffer.from(await download.arrayBuffer()).equals(PNG));
        const forged = source.replace(/(hash=[^&]{2,})..$/, '$1xx');
        assert.notEqual(forged, source);
        assert.equal((await fetch(forged)).status, 404);
        const post = await client.getPost(post_id!, 'type,attachments');
        assert.equal(post.type, 'photo');
        assert.equal((post.attachments as any).data[0].media.image.src, source);
      });

      test('a file that is not an image is refused with code 100 and nothing is written', async () => {
        const text = Buffer.from('this is not an image at all');
        await nothingWritten(
          () => refused(client.uploadPhoto(group.id, { file: { data: text, filename: 'fake.png', contentType: 'image/png' } }), 100),
          'non-image upload to a group',
        );
        await nothingWritten(() => refused(client.uploadPhoto('me', { file: { data: text, filename: 'notes.txt' }, published: false }), 100), 'non-image upload to me');
        await nothingWritten(() => refused(client.uploadPhoto(group.id, { url: 'not a url' }), 100), 'photo url that is not a URL');
      });

      test('an unpublished photo (POST /me/photos?published=false) attaches to a post through attached_media', async () => {
        const photo = await http('POST', `${g('me/photos')}?published=false&url=${encodeURIComponent(images.url('later.png'))}`, { token: bot.access_token });
        assert.equal(photo.status, 200, photo.text);
        const posted = await track(() =>
          http('POST', g(`${group.id}/feed`), {
            token: bot.access_token,
            form: { message: unique('with a photo'), attached_media: JSON.stringify([{ media_fbid: photo.json.id }]) },
          }),
        );
        const form = posted.result;
        assert.equal(form.status, 200, form.text);
        assert.deepEqual(actions(posted), ['post.created']);
        assert.deepEqual(topics(posted), ['group/posts/add']);
        assert.equal(posted.outbox[0].value.type, 'photo');
        const post = await client.getPost(form.json.id, 'type,attachments');
        assert.equal(post.type, 'photo');
        assert.equal((post.attachments as any).data[0].target.id, photo.json.id);

        const a = await client.uploadPhoto('me', { url: images.url('a.png'), published: false });
        const b = await client.uploadPhoto('me', { url: images.url('b.png'), published: false });
        const album = await client.postToGroup(group.id, { message: unique('two photos'), attached_media: [{ media_fbid: a.id }, { media_fbid: b.id }] });
        const albumPost = await client.getPost(album.id, 'type,attachments');
        const attachment = (albumPost.attachments as any).data[0];
        assert.deepEqual(attachment.subattachments.data.map((s: { target: { id: string } }) => s.target.id), [a.id, b.id]);

        const foreign = await otherClient.uploadPhoto('me', { url: images.url('theirs.png'), published: false });
        await nothingWritten(() => refused(client.postToGroup(group.id, { message: unique('stolen'), attached_media: [{ media_fbid: foreign.id }] }), 100), "another app's photo");
        await nothingWritten(() => refused(client.postToGroup(group.id, { message: unique('ghost'), attached_media: [{ media_fbid: '12345678901234567' }] }), 100), 'unknown photo');
      });
    });

    describe('members', () => {
      test('POST /{member}/feed writes a user/status outbox row', async () => {
        const message = unique('on your timeline');
        const w = await track(() => client.post<{ id: string }>(`${alice.id}/feed`, { message }));
        assert.match(w.result.id, new RegExp(`^${alice.id}_\\d+$`));
        assert.deepEqual(actions(w), ['post.created']);
        assert.deepEqual(topics(w), ['user/status/add']);
        assert.equal(w.outbox[0].entry_id, alice.id);
        assert.equal(w.outbox[0].value.message, message);
        const timeline = await client.collect<{ id: string; message: string }>(`${alice.id}/feed`, { fields: 'id,message' });
        assert.ok(timeline.some((p) => p.id === w.result.id && p.message === message));
        await nothingWritten(() => refused(ts.client(other.access_token).post(`${alice.id}/feed`, { message: unique('no right') }), [10, 200]), 'timeline post without write_user_feed');
      });

      test('/{member}/picture redirects; redirect=false returns {data: {url, is_silhouette}}', async () => {
        const r = await http('GET', g(`${alice.id}/picture`), { token: bot.access_token });
        assert.equal(r.status, 302, r.text);
        const location = r.headers.get('location');
        assert.ok(location && /^https?:\/\//.test(location), `Location ${location}`);
        const image = await fetch(location!);
        assert.equal(image.status, 200);
        const json = await read(`${alice.id}/picture?redirect=false`);
        assert.equal(json.data.url, location);
        assert.equal(typeof json.data.is_silhouette, 'boolean');
        assert.equal(json.data.is_silhouette, true);
        const byEmail = await http('GET', g(`${encodeURIComponent(alice.email!)}/picture?redirect=0`), { token: bot.access_token });
        assert.equal(byEmail.status, 200, byEmail.text);
        assert.equal(byEmail.json.data.url, location);
      });
    });

    describe('tokens', () => {
      test('/debug_token of the own token is valid with the permissions as scopes', async () => {
        const r = await read(`debug_token?input_token=${encodeURIComponent(bot.access_token)}`);
        assert.equal(r.data.is_valid, true);
        assert.equal(r.data.app_id, bot.app_id);
        assert.deepEqual([...r.data.scopes].sort(), [...BOT_PERMISSIONS].sort());
        const viaSdk = await client.get<any>('debug_token', { input_token: bot.access_token });
        assert.equal(viaSdk.data.is_valid, true);
      });

      test("/debug_token of another integration's token is not valid", async () => {
        const r = await read(`debug_token?input_token=${encodeURIComponent(other.access_token)}`);
        assert.equal(r.data.is_valid, false);
        assert.equal(r.data.app_id, undefined, 'nothing about the other app leaks');
        const garbage = await read(`debug_token?input_token=nonsense`);
        assert.equal(garbage.data.is_valid, false);
        const missing = await http('GET', g('debug_token'), { token: bot.access_token });
        assert.equal(missing.status, 400);
        assert.equal(missing.json.error.code, 100);
      });
    });

    describe('retries arriving at once (clients retry on timeouts)', () => {
      let target: GroupRow;
      let post: string;
      before(async () => {
        target = await ts.write((w) => groupCreator(w, { name: unique('Concurrency'), adminId: alice.id }));
        post = postWireId(await ts.write((w) => postCreator(w, { feedId: target.id, feedType: 'group', message: unique('race me') }), member(alice.id)));
      });
      const burst = <T>(n: number, call: () => Promise<T>) => Promise.all(Array.from({ length: n }, call));

      test('six identical likes at once: all succeed, one audit event', async () => {
        const w = await track(() => burst(6, () => http('POST', g(`${post}/likes`), { token: bot.access_token })));
        assert.deepEqual(w.result.map((r) => r.status), [200, 200, 200, 200, 200, 200], w.result.map((r) => r.text).join(' '));
        assert.deepEqual(actions(w), ['reaction.set']);
        assert.equal((await read(`${post}/likes?summary=true`)).summary.total_count, 1);
      });

      test('six identical member adds at once: no 500, one audit event and one outbox row', async () => {
        const w = await track(() => burst(6, () => http('POST', g(`${target.id}/members`), { token: bot.access_token, form: { member: carol.id } })));
        assert.deepEqual(
          w.result.map((r) => r.status),
          [200, 200, 200, 200, 200, 200],
          w.result.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.text}`).join(' | '),
        );
        assert.deepEqual(actions(w), ['group.member_added']);
        assert.deepEqual(topics(w), ['group/membership/add']);
      });

      test('four identical posts at once: one is created, the others are error 506', async () => {
        const message = unique('posted four times');
        const w = await track(() => burst(4, () => http('POST', g(`${target.id}/feed`), { token: bot.access_token, form: { message } })));
        const outcome = w.result.map((r) => (r.status === 200 ? 'created' : `${r.status}/${r.json?.error?.code}`)).sort();
        assert.deepEqual(outcome, ['400/506', '400/506', '400/506', 'created']);
        assert.deepEqual(actions(w), ['post.created']);
        assert.deepEqual(topics(w), ['group/posts/add']);
      });
    });

    describe('validation: 400 code 100, never 500, nothing written', () => {
      type Reply = { status: number; text: string; json: any };
      /** [label, prepare a target (its writes are not counted), the refused call]. */
      const cases: [string, (() => Promise<string>) | null, (target: string) => Promise<Reply>][] = [];
      const token = () => bot.access_token;
      const feed = (form: Record<string, string>) => () => http('POST', g(`${group.id}/feed`), { token: token(), form });
      const newPost = async () => (await client.postToGroup(group.id, { message: unique('target') })).id;
      cases.push(
        ['message over the limit', null, () => http('POST', g(`${group.id}/feed`), { token: token(), json: { message: 'x'.repeat(63_207) } })],
        ['link that is not a URL', null, feed({ message: 'see', link: 'not a url' })],
        ['link with another scheme', null, feed({ message: 'see', link: 'javascript:alert(1)' })],
        ['unknown formatting', null, feed({ message: 'hi', formatting: 'HTML' })],
        ['neither message nor link', null, feed({ formatting: 'MARKDOWN' })],
        ['empty message and no link', null, feed({ message: '' })],
        ['attached_media that is not JSON', null, feed({ message: 'hi', attached_media: '[{' })],
        ['unknown privacy on create', null, () => http('POST', g('community/groups'), { token: token(), form: { name: 'Bad privacy', privacy: 'PUBLIC' } })],
        ['unknown purpose on create', null, () => http('POST', g('community/groups'), { token: token(), form: { name: 'Bad purpose', purpose: 'WORK_NAPPING' } })],
        ['group without a name', null, () => http('POST', g('community/groups'), { token: token(), form: { description: 'nameless' } })],
        ['group name too long', null, () => http('POST', g('community/groups'), { token: token(), form: { name: 'n'.repeat(201) } })],
        ['unknown admin', null, () => http('POST', g('community/groups'), { token: token(), form: { name: 'Adminless', admin: '12345678901234567' } })],
        ['unknown privacy on update', null, () => http('POST', g(group.id), { token: token(), form: { privacy: 'PUBLIC' } })],
        ['cover_url that is not a URL', null, () => http('POST', g(group.id), { token: token(), form: { cover_url: 'cover.png' } })],
        ['archive that is not a boolean', null, () => http('POST', g(group.id), { token: token(), json: { archive: 'perhaps' } })],
        ['add an unknown member', null, () => http('POST', g(`${group.id}/members`), { token: token(), form: { member: '12345678901234567' } })],
        ['add an unknown email', null, () => http('POST', g(`${group.id}/members`), { token: token(), form: { email: 'ghost@example.com' } })],
        ['member and email together', null, () => http('POST', g(`${group.id}/members`), { token: token(), form: { member: bob.id, email: bob.email! } })],
        ['add with no member', null, () => http('POST', g(`${group.id}/members`), { token: token(), form: {} })],
        ['comment over the limit', newPost, (id) => http('POST', g(`${id}/comments`), { token: token(), json: { message: 'c'.repeat(8_001) } })],
        ['empty comment', newPost, (id) => http('POST', g(`${id}/comments`), { token: token(), form: { message: '' } })],
        ['edit to an empty post', newPost, (id) => http('POST', g(id), { token: token(), form: { message: '' } })],
        ['edit with a bad link', newPost, (id) => http('POST', g(id), { token: token(), form: { link: 'nope' } })],
        ['edit with an unknown formatting', newPost, (id) => http('POST', g(id), { token: token(), form: { formatting: 'RICH' } })],
      );
      for (const [label, prepare, call] of cases) {
        test(label, async () => {
          const target = prepare ? await prepare() : '';
          const r = await nothingWritten(() => call(target), label);
          assert.equal(r.status, 400, `${label}: ${r.text.slice(0, 300)}`);
          assert.equal(r.json?.error?.code, 100, `${label}: ${r.text.slice(0, 300)}`);
          assert.equal(typeof r.json.error.message, 'string');
          assert.equal(typeof r.json.error.type, 'string');
          assert.ok(r.json.error.fbtrace_id);
        });
      }
    });
  });
}
