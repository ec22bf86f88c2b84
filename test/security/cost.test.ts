import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newId } from '../../src/ids.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

// The request-cost budget (src/graph/budget.ts) with real data: the heaviest request the budget
// allows completes in full, and /healthz keeps answering while ten of them run at once (every
// load gives the event loop a turn, and only two heavy calls render at once). The 100 ms bound
// is the issue's: it is taken on the median of several probes, on top of the slowest /healthz of
// the idle server on this machine (measured in the same run), so a shared, loaded machine does
// not decide it.

const GROUPS = 4;
const POSTS = 30;
const COMMENTS = 20;
const HEAVIEST = `community/groups?limit=100&fields=name,feed.limit(100){message,from,comments.limit(90){message,from}},members.limit(100){name}`;

for (const dialect of await dialects()) {
  describe(`request cost (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      token = (await ts.integration(['read_group', 'manage_group', 'write_group'])).access_token;
      const author = await ts.member({ email: 'author@example.com', name: 'Author' });
      const now = Date.now();
      for (let g = 0; g < GROUPS; g++) {
        const group = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: `Cost ${g}`, privacy: 'OPEN' } })).json.id;
        await http('POST', `${ts.graph}/${group}/members`, { token, form: { member: author.id } });
        const posts = Array.from({ length: POSTS }, (_, p) => ({ id: newId(), feed_id: group, feed_type: 'group' as const, author_id: author.id, author_type: 'member' as const, message: `post ${g}.${p}`, formatting: 'PLAINTEXT' as const, link: null, message_tags: '[]', type: 'status' as const, status_type: 'mobile_status_update', content_hash: newId(), created_time: now - p, updated_time: now - p }));
        await ts.ctx.db.insertInto('post').values(posts).execute();
        const comments = posts.flatMap((post) => Array.from({ length: COMMENTS }, (_, c) => ({ id: newId(), post_id: post.id, parent_id: null, owner_id: post.id, author_id: author.id, author_type: 'member' as const, message: `comment ${c}`, message_tags: '[]', media_id: null, created_time: now + c, updated_time: now + c })));
        await ts.ctx.db.insertInto('comment').values(comments).execute();
      }
    });
    after(() => ts.close());

    test('the heaviest legal request stays under its budget and answers in full', async () => {
      const r = await http('GET', `${ts.graph}/${HEAVIEST}`, { token });
      assert.equal(r.status, 200, r.text.slice(0, 300));
      const groups = r.json.data.filter((g: { name: string }) => g.name.startsWith('Cost '));
      assert.equal(groups.length, GROUPS);
      for (const g of groups) {
        assert.equal(g.feed.data.length, POSTS);
        for (const post of g.feed.data) assert.equal(post.comments.data.length, COMMENTS);
      }
    });

    test('one step more deeply nested is over the budget: error 1', async () => {
      const r = await http('GET', `${ts.graph}/community/groups?limit=100&fields=feed.limit(100){comments.limit(100){likes.limit(100)}}`, { token });
      assert.equal(r.status, 400, r.text.slice(0, 300));
      assert.equal(r.json.error.code, 1);
    });

    const healthz = async () => {
      const t0 = performance.now();
      await (await fetch(`${ts.base}/healthz`)).text();
      return performance.now() - t0;
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

    /** One round: /healthz idle, then probed while ten heaviest requests run; the verdict and what was seen. */
    const round = async () => {
      const idle: number[] = [];
      for (let i = 0; i < 9; i++) idle.push(await healthz());
      // The answers are read but not parsed: the client shares this process's event loop.
      const heavy = Array.from({ length: 10 }, () => fetch(`${ts.graph}/${HEAVIEST}`, { headers: { authorization: `Bearer ${token}` } }).then(async (r) => ({ status: r.status, size: (await r.arrayBuffer()).byteLength })));
      const probes: number[] = [];
      let settled = false;
      void Promise.all(heavy).finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 20));
      while (!settled && probes.length < 9) {
        probes.push(await healthz());
        await new Promise((r) => setTimeout(r, 15));
      }
      for (const answer of await Promise.all(heavy)) assert.equal(answer.status, 200);
      assert.ok(probes.length >= 1, 'healthz was probed while the heavy requests ran');
      return { ok: median(probes) <= 100 + Math.max(...idle), seen: `healthz took ${probes.map(Math.round).join(', ')} ms (idle: ${idle.map(Math.round).join(', ')} ms)` };
    };

    test('/healthz answers within 100 ms while 10 heaviest requests run', async () => {
      // Warm up first (modules load and compile on the first calls): the bound is about steady state.
      for (let i = 0; i < 2; i++) await http('GET', `${ts.graph}/${HEAVIEST}`, { token });
      // Other test files share the machine's cores: a round that other processes starved of CPU
      // says nothing about this server, so the best of three rounds decides. A server that blocks
      // its event loop fails all three.
      const rounds: string[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        const { ok, seen } = await round();
        if (ok) return;
        rounds.push(seen);
      }
      assert.fail(`in none of three rounds: ${rounds.join('; ')}`);
    });
  });
}
