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

    test('walks a 1,000-post feed forward to the end with no duplicate or missing post', async () => {
      const { pages, last } = await walk(`${ts.graph}/${groupId}/feed?fields=id&limit=37`, 'next');
      const seen = pages.flat();
      assert.equal(new Set(seen).size, seen.length, 'duplicates');
      assert.deepEqual(seen, expected);
      assert.equal(pages.length, Math.ceil(POSTS / 37));
      assert.equal(last.paging.next, undefined);
    });

    test('walks backward from the last page to the first with previous links', async () => {
      const forward = await walk(`${ts.graph}/${groupId}/feed?fields=id&limit=50`, 'next');
      const lastPageUrl = `${ts.graph}/${groupId}/feed?fields=id&limit=50&before=${encodeURIComponent(forward.last.paging.cursors.before)}`;
      const back = await walk(lastPageUrl, 'previous');
      const seen = back.pages.reverse().flat().concat(forward.last.data.map((p: { id: string }) => p.id));
      assert.equal(new Set(seen).size, seen.length, 'duplicates walking backward');
      assert.deepEqual(seen, expected);
      assert.equal(back.last.paging.previous, undefined, 'the first page has no previous link');
    });

    test('next links keep every original parameter', async () => {
      const r = await http('GET', `${ts.graph}/${groupId}/feed?fields=id,message&limit=5&access_token=${encodeURIComponent(token)}&custom=kept`);
      const next = new URL(r.json.paging.next);
      assert.equal(next.searchParams.get('fields'), 'id,message');
      assert.equal(next.searchParams.get('limit'), '5');
      assert.equal(next.searchParams.get('access_token'), token);
      assert.equal(next.searchParams.get('custom'), 'kept');
      assert.ok(next.searchParams.get('after'));
      assert.equal(r.json.paging.previous, undefined);
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
  });
}
