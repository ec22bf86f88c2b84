import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GraphClient, PageIterable } from '../src/index.ts';
import type { Paged, Post } from '../src/index.ts';
import { fakeGraph } from './fake-graph.ts';
import type { FakeGraph, Recorded } from './fake-graph.ts';

const PAGE_SIZE = 2;
const ITEMS = Array.from({ length: 5 }, (_, i) => ({ id: `g1_${i + 1}`, message: `post ${i + 1}` }));

function feedPage(graph: () => FakeGraph, req: Recorded) {
  const params = new URLSearchParams(req.url.search);
  const after = Number(params.get('after') ?? '0');
  const before = params.get('before');
  const start = before !== null ? Math.max(0, Number(before) - PAGE_SIZE) : after;
  const data = ITEMS.slice(start, start + PAGE_SIZE);
  const link = (cursor: 'after' | 'before', value: number) => {
    const next = new URLSearchParams(params);
    next.delete('after');
    next.delete('before');
    next.set(cursor, String(value));
    return `${graph().origin}${req.url.pathname}?${next}`;
  };
  const paging: Record<string, unknown> = { cursors: { before: String(start), after: String(start + data.length) } };
  if (start + PAGE_SIZE < ITEMS.length) paging['next'] = link('after', start + PAGE_SIZE);
  if (start > 0) paging['previous'] = link('before', start);
  return { body: { data, paging, summary: { total_count: ITEMS.length } } };
}

describe('paging', () => {
  let graph: FakeGraph;
  before(async () => {
    graph = await fakeGraph((req) => {
      if (req.url.pathname === '/graph/g1/feed') return feedPage(() => graph, req);
      if (req.url.pathname === '/graph/empty-then-more') {
        if (!req.url.searchParams.has('after')) {
          return { body: { data: [], paging: { next: `${graph.origin}/graph/empty-then-more?after=x` } } };
        }
        return { body: { data: [{ id: 'late' }] } };
      }
      if (req.url.pathname === '/graph/loop') return { body: { data: [{ id: 'a' }], paging: { next: `${graph.origin}/graph/loop?after=1` } } };
      if (req.url.pathname === '/graph/object') return { body: { id: 'not-a-list' } };
      return { status: 404, body: { error: { message: 'unknown path', code: 100 } } };
    });
  });
  after(() => graph.close());

  test('paginate follows paging.next verbatim until it disappears, keeping the auth header', async () => {
    graph.requests.length = 0;
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok' });
    const ids: string[] = [];
    for await (const post of client.paginate<Post>('g1/feed', { fields: 'id,message', limit: PAGE_SIZE })) ids.push(post.id);
    assert.deepEqual(ids, ITEMS.map((p) => p.id));
    assert.equal(graph.requests.length, 3);
    assert.deepEqual(
      graph.requests.map((r) => r.rawUrl),
      [
        '/graph/g1/feed?fields=id%2Cmessage&limit=2',
        '/graph/g1/feed?fields=id%2Cmessage&limit=2&after=2',
        '/graph/g1/feed?fields=id%2Cmessage&limit=2&after=4',
      ],
    );
    for (const req of graph.requests) assert.equal(req.headers.authorization, 'Bearer tok');
  });

  test('query-style auth is not duplicated when the next URL already carries access_token', async () => {
    graph.requests.length = 0;
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok', authStyle: 'query', appSecret: 's', appsecretProof: true });
    const all = await client.collect<Post>('g1/feed', { limit: PAGE_SIZE });
    assert.equal(all.length, ITEMS.length);
    assert.equal(graph.requests.length, 3);
    for (const req of graph.requests) {
      assert.deepEqual(req.url.searchParams.getAll('access_token'), ['tok']);
      assert.equal(req.url.searchParams.getAll('appsecret_proof').length, 1);
      assert.equal(req.headers.authorization, undefined);
    }
  });

  test('pages() yields whole pages with paging and summary', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok' });
    const pages: Paged<Post>[] = [];
    for await (const page of client.pages<Post>('g1/feed', { limit: PAGE_SIZE })) pages.push(page);
    assert.deepEqual(pages.map((p) => p.data.length), [2, 2, 1]);
    assert.equal(pages[0]!.summary?.total_count, 5);
    assert.ok(pages[0]!.paging?.next);
    assert.equal(pages[2]!.paging?.next, undefined);
  });

  test('collect stops fetching once max items are in', async () => {
    graph.requests.length = 0;
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok' });
    const three = await client.collect<Post>('g1/feed', { limit: PAGE_SIZE }, { max: 3 });
    assert.deepEqual(three.map((p) => p.id), ['g1_1', 'g1_2', 'g1_3']);
    assert.equal(graph.requests.length, 2);
    assert.deepEqual(await client.collect('g1/feed', {}, { max: 0 }), []);
  });

  test('maxPages limits the walk', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok' });
    const items = await client.paginate<Post>('g1/feed', { limit: PAGE_SIZE }, { maxPages: 2 }).collect();
    assert.equal(items.length, 4);
  });

  test('direction previous walks backwards', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok' });
    const pages: string[][] = [];
    for await (const page of client.pages<Post>('g1/feed', { after: 4, limit: PAGE_SIZE }, { direction: 'previous' })) {
      pages.push(page.data.map((p) => p.id));
    }
    assert.deepEqual(pages, [['g1_5'], ['g1_3', 'g1_4'], ['g1_1', 'g1_2']]);
  });

  test('an empty page that still has next is followed', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok' });
    assert.deepEqual(await client.collect('empty-then-more'), [{ id: 'late' }]);
  });

  test('a next URL pointing back to a page already read is an error, not an endless loop', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok' });
    await assert.rejects(client.collect('loop'), /already read/);
  });

  test('iterating a non-list is a TypeError', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok' });
    await assert.rejects(client.collect('object'), TypeError);
  });

  test('typed iterators: feed with since/until/limit/fields, re-iterable', async () => {
    graph.requests.length = 0;
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok' });
    const feed = client.feed('g1', { fields: ['id', 'message'], limit: PAGE_SIZE, since: 1_577_836_800, until: new Date(1_700_000_000_000) });
    assert.ok(feed instanceof PageIterable);
    const first = graph.requests.length;
    assert.equal(first, 0, 'iterators are lazy');
    const posts = await feed.collect();
    assert.equal(posts.length, 5);
    assert.equal(posts[0]!.message, 'post 1');
    const q = graph.requests[0]!.url.searchParams;
    assert.equal(q.get('fields'), 'id,message');
    assert.equal(q.get('limit'), '2');
    assert.equal(q.get('since'), '1577836800');
    assert.equal(q.get('until'), '1700000000');
    assert.equal((await feed.collect()).length, 5);
    assert.equal((await feed.first()).data.length, 2);
  });

  test('groups, members and comments iterate the right edges', async () => {
    const seen: string[] = [];
    const edges = await fakeGraph((req) => {
      seen.push(req.url.pathname + req.url.search);
      return { body: { data: [{ id: '1' }] } };
    });
    try {
      const client = new GraphClient({ baseUrl: edges.baseUrl, accessToken: 'tok' });
      await client.groups({ fields: 'id,name', limit: 100 }).collect();
      await client.members('g1').collect();
      await client.comments('g1_2', { order: 'chronological', params: { summary: true } }).collect();
      await client.communityMembers().collect();
      assert.deepEqual(seen, [
        '/graph/community/groups?fields=id%2Cname&limit=100',
        '/graph/g1/members',
        '/graph/g1_2/comments?summary=true&order=chronological',
        '/graph/community/members',
      ]);
    } finally {
      await edges.close();
    }
  });
});
