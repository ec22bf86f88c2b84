import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { groupCreator } from '../../src/domain/commands/group.js';
import { postCreator, postWireId } from '../../src/domain/commands/post.js';
import { commentCreator } from '../../src/domain/commands/comment.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

const POSTS = 1000;
const base = Date.UTC(2026, 0, 1);

for (const dialect of await dialects()) {
  describe(`paging (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let groupId: string;
    const expected: string[] = [];
    before(async () => {
      ts = await startServer(dialect);
      token = (await ts.integration(['read_group', 'write_group'])).access_token;
      const author = await ts.member({ email: 'writer@example.com', name: 'Writer' });
      const actor = { kind: 'member' as const, memberId: author.id, isAdmin: false };
      const group = await ts.write((w) => groupCreator(w, { name: 'Busy', adminId: author.id }));
      groupId = group.id;
      await ts.ctx.db.transaction().execute(async (trx) => {
        for (let i = 0; i < POSTS; i++) {
          // Ten posts share each timestamp, so the id must break ties.
          const ctx = { ...ts.ctx, clock: { now: () => base + Math.floor(i / 10) * 1000 } };
          const post = await postCreator({ ctx, actor, trx }, { feedId: group.id, feedType: 'group', message: `post ${i}` });
          expected.push(postWireId(post));
        }
      });
      expected.reverse();
    });
    after(() => ts.close());

    async function walk(url: string, direction: 'next' | 'previous') {
      const pages: string[][] = [];
      let last: any;
      while (url) {
        assert.ok(url.startsWith(ts.base), `paging link leaves the server: ${url}`);
        const r = await http('GET', url, { token });
        assert.equal(r.status, 200, r.text);
        pages.push(r.json.data.map((p: { id: string }) => p.id));
        last = r.json;
        url = r.json.paging?.[direction];
        assert.ok(pages.length <= POSTS, 'paging does not end');
      }
      return { pages, last };
    }

    /** Walks a feed the way export tools did: cut paging.next at "&until=" and append the tail to its own URL. */
    async function cutAndAppend(own: string, direction: 'next' | 'previous' = 'next', first = own) {
      const seen: string[] = [];
      const pages: string[][] = [];
      let url = first;
      let last: any;
      for (;;) {
        assert.ok(pages.length <= POSTS + 1, 'paging does not end');
        const r = await http('GET', url, { token });
        assert.equal(r.status, 200, r.text);
        last = r.json;
        if (r.json.data.length === 0) break;
        pages.push(r.json.data.map((p: { id: string }) => p.id));
        seen.push(...pages[pages.length - 1]);
        const link: string = r.json.paging[direction];
        const cut = link.indexOf(direction === 'next' ? '&until=' : '&since=');
        assert.ok(cut > 0, `no tail to cut in ${link}`);
        url = own + link.substring(cut);
      }
      return { seen, pages, last };
    }

    test('feeds page by time: a client that cuts next at &until= walks 1,000 posts (ten per millisecond) once each, in pages of 2, 25 and 100', async () => {
      for (const limit of [2, 25, 100]) {
        const { seen, last } = await cutAndAppend(`${ts.graph}/${groupId}/feed?fields=id&limit=${limit}`);
        assert.equal(new Set(seen).size, seen.length, `duplicates at limit ${limit}`);
        assert.deepEqual(seen, expected, `limit ${limit}`);
        assert.deepEqual(last, { data: [] }, 'past the end Graph answered an empty page without paging');
      }
    });

    test('next and previous are built as Graph built them, on the first page too; cursors stay for clients that read them', async () => {
      const r = await http('GET', `${ts.graph}/${groupId}/feed?fields=id,message&limit=5&access_token=${encodeURIComponent(token)}&custom=kept`);
      const { next, previous, cursors } = r.json.paging;
      const own = `${ts.graph}/${groupId}/feed?fields=id%2Cmessage&limit=5&access_token=${encodeURIComponent(token)}&custom=kept`;
      const firstTime = Math.floor((base + 99_000) / 1000);
      const lastTime = firstTime;
      assert.match(next, new RegExp(`^${own.replace(/[.?*+^$()|[\]\\]/g, '\\$&')}&until=${lastTime}&__paging_token=[A-Za-z0-9_-]+$`));
      assert.match(previous, new RegExp(`&since=${firstTime}&__paging_token=[A-Za-z0-9_-]+&__previous=1$`));
      assert.ok(previous.startsWith(own));
      assert.ok(cursors.before && cursors.after);
      // Followed verbatim, next continues; the previous of the first page is the empty page of posts newer than it.
      const second = await http('GET', next);
      assert.deepEqual(second.json.data.map((p: { id: string }) => p.id), expected.slice(5, 10));
      assert.deepEqual((await http('GET', previous)).json, { data: [] });
      // A client that reads the cursors keeps working.
      const byCursor = await http('GET', `${ts.graph}/${groupId}/feed?fields=id&limit=5&after=${cursors.after}`, { token });
      assert.deepEqual(byCursor.json.data.map((p: { id: string }) => p.id), expected.slice(5, 10));
    });

    test('previous walks backward from the oldest page to the newest post, once each, whatever the page size', async () => {
      for (const limit of [2, 25, 100]) {
        const own = `${ts.graph}/${groupId}/feed?fields=id&limit=${limit}`;
        let page = (await http('GET', own, { token })).json;
        for (;;) {
          const following = (await http('GET', page.paging.next, { token })).json;
          if (following.data.length === 0) break;
          page = following;
        }
        const oldest: string[] = page.data.map((p: { id: string }) => p.id);
        assert.deepEqual(oldest, expected.slice(expected.length - oldest.length));
        const back = await cutAndAppend(own, 'previous', page.paging.previous);
        assert.equal(new Set(back.seen).size, back.seen.length, `duplicates walking back at limit ${limit}`);
        assert.deepEqual(back.pages.slice().reverse().flat().concat(oldest), expected, `limit ${limit}: newest first within pages, every post once`);
        assert.deepEqual(back.last, { data: [] });
      }
    });

    test('a since/until window holds across every page of a cut-and-append walk', async () => {
      const since = Math.floor((base + 10_000) / 1000);
      const until = Math.floor((base + 19_000) / 1000);
      for (const limit of [2, 25]) {
        const { seen } = await cutAndAppend(`${ts.graph}/${groupId}/feed?fields=id&limit=${limit}&since=${since}&until=${until}`);
        assert.deepEqual(seen, expected.slice().reverse().slice(100, 200).reverse(), `limit ${limit}`);
      }
      const iso = await cutAndAppend(`${ts.graph}/${groupId}/feed?fields=id&limit=30&since=${new Date(base + 10_000).toISOString()}&until=${encodeURIComponent('2026-01-01 00:00:19')}`);
      assert.equal(iso.seen.length, 100, 'ISO and SQL-style dates window the same way');
    });

    test('a paging token that is not ours is error 100', async () => {
      const r = await http('GET', `${ts.graph}/${groupId}/feed?until=1&__paging_token=garbage`, { token });
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, 100);
    });

    test('chronological order, since and until narrow the walk', async () => {
      const since = Math.floor((base + 10_000) / 1000);
      const until = Math.floor((base + 19_000) / 1000);
      const { pages } = await walk(`${ts.graph}/${groupId}/feed?fields=id&limit=7&order=chronological&since=${since}&until=${until}`, 'next');
      const ids = pages.flat();
      assert.equal(ids.length, 100);
      assert.deepEqual(ids, expected.slice().reverse().slice(100, 200));
    });

    test('a limit above the maximum is capped; limit=0 returns no data', async () => {
      const r = await http('GET', `${ts.graph}/${groupId}/feed?fields=id&limit=100000`, { token });
      assert.equal(r.json.data.length, ts.ctx.config.maxPageSize);
      const zero = await http('GET', `${ts.graph}/${groupId}/feed?limit=0&summary=true`, { token });
      assert.deepEqual(zero.json.data, []);
      assert.equal(zero.json.summary.total_count, POSTS);
    });

    test('a cursor that is not ours is error 100', async () => {
      const r = await http('GET', `${ts.graph}/${groupId}/feed?after=not-a-cursor`, { token });
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, 100);
    });

    test('nested edges carry their own paging with absolute next links', async () => {
      const post = expected[0].split('_')[1];
      const row = await ts.ctx.db.selectFrom('post').selectAll().where('id', '=', post).executeTakeFirstOrThrow();
      const author = await ts.member({ email: 'commenter@example.com', name: 'Commenter' });
      await ts.ctx.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 12; i++) await commentCreator({ ctx: ts.ctx, actor: { kind: 'member', memberId: author.id, isAdmin: false }, trx }, { post: row, message: `c${i}` });
      });
      const r = await http('GET', `${ts.graph}/${groupId}/feed?fields=id,comments.limit(5){message}&limit=2`, { token });
      const comments = r.json.data[0].comments;
      assert.equal(comments.data.length, 5);
      assert.ok(comments.paging.next.startsWith(`${ts.graph}/${expected[0]}/comments?`));
      const rest = await walk(comments.paging.next, 'next');
      assert.deepEqual(
        comments.data.concat(...rest.pages.map((p) => p.map((id) => ({ id })))).map((c: { id: string }) => c.id).length,
        12,
      );
    });

    test('cursor edges are unchanged: after/before links, previous from the second page on, none on the first', async () => {
      const post = expected[1].split('_')[1];
      const row = await ts.ctx.db.selectFrom('post').selectAll().where('id', '=', post).executeTakeFirstOrThrow();
      const author = await ts.member({ email: 'cursor.commenter@example.com', name: 'Cursor Commenter' });
      await ts.ctx.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 7; i++) await commentCreator({ ctx: ts.ctx, actor: { kind: 'member', memberId: author.id, isAdmin: false }, trx }, { post: row, message: `k${i}` });
      });
      const first = await http('GET', `${ts.graph}/${expected[1]}/comments?fields=message&limit=3`, { token });
      assert.equal(first.json.paging.previous, undefined);
      assert.match(first.json.paging.next, /[?&]after=[^&]+/);
      assert.doesNotMatch(first.json.paging.next, /__paging_token|until=/);
      const second = await http('GET', first.json.paging.next, { token });
      assert.deepEqual(second.json.data.map((c: { message: string }) => c.message), ['k3', 'k4', 'k5']);
      assert.match(second.json.paging.previous, /[?&]before=[^&]+/);
      const back = await http('GET', second.json.paging.previous, { token });
      assert.deepEqual(back.json.data.map((c: { message: string }) => c.message), ['k0', 'k1', 'k2']);
      const third = await http('GET', second.json.paging.next, { token });
      assert.deepEqual(third.json.data.map((c: { message: string }) => c.message), ['k6']);
      assert.equal(third.json.paging.next, undefined, 'cursor edges end with no next');
    });

    test('a feed requested as a field pages by time too, its links on the feed edge with the nested selection', async () => {
      const r = await http('GET', `${ts.graph}/${groupId}?fields=feed.limit(3){id}`, { token });
      const feed = r.json.feed;
      assert.deepEqual(feed.data.map((p: { id: string }) => p.id), expected.slice(0, 3));
      assert.match(feed.paging.next, new RegExp(`^${ts.graph}/${groupId}/feed\\?.*&until=\\d+&__paging_token=[^&]+$`));
      const next = await http('GET', feed.paging.next, { token });
      assert.deepEqual(next.json.data.map((p: { id: string }) => p.id), expected.slice(3, 6));
    });

    test("the group-export tool's nested comment fields are answered (empty where a comment has no such data); names Graph refused still fail", async () => {
      const list = 'from,to,message,link,name,caption,description,created_time,updated_time,like_count';
      const r = await http('GET', `${ts.graph}/${groupId}/feed?fields=id,message,comments{${list},comments{${list}}}&limit=3`, { token });
      assert.equal(r.status, 200, r.text);
      const withComments = r.json.data.find((p: { comments?: unknown }) => p.comments);
      assert.ok(withComments, 'a post with comments');
      const comment = withComments.comments.data[0];
      assert.ok(comment.message && comment.from.id && comment.created_time && comment.updated_time && typeof comment.like_count === 'number');
      for (const empty of ['to', 'link', 'name', 'caption', 'description']) assert.equal(comment[empty], undefined, empty);
      const refused = await http('GET', `${ts.graph}/${groupId}/feed?fields=id,comments{message,story}&limit=3`, { token });
      assert.equal(refused.status, 400);
      assert.equal(refused.json.error.code, 100);
      assert.match(refused.json.error.message, /story/);
    });

    test('offset paging: offset + limit on any list, with links that move the offset; bounded, and bad values are error 100', async () => {
      const comments = await http('GET', `${ts.graph}/${expected[1]}/comments?fields=message&limit=3&offset=2`, { token });
      assert.equal(comments.status, 200, comments.text);
      assert.deepEqual(comments.json.data.map((c: { message: string }) => c.message), ['k2', 'k3', 'k4']);
      const next = new URL(comments.json.paging.next);
      assert.equal(next.searchParams.get('offset'), '5');
      assert.equal(new URL(comments.json.paging.previous).searchParams.get('offset'), '0');
      const rest = await http('GET', comments.json.paging.next, { token });
      assert.deepEqual(rest.json.data.map((c: { message: string }) => c.message), ['k5', 'k6']);
      assert.equal(rest.json.paging.next, undefined);
      const feed = await http('GET', `${ts.graph}/${groupId}/feed?fields=id&limit=5&offset=10`, { token });
      assert.deepEqual(feed.json.data.map((p: { id: string }) => p.id), expected.slice(10, 15));
      for (const bad of ['-1', 'ten', '4999']) {
        const r = await http('GET', `${ts.graph}/${groupId}/feed?limit=5&offset=${bad}`, { token });
        assert.equal(r.status, 400, bad);
        assert.equal(r.json.error.code, 100, bad);
      }
    });
  });
}
