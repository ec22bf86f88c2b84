import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { openContext } from '../../src/bootstrap.js';
import { FAILURES_BEFORE_PAUSE } from '../../src/automation/feeds.js';
import { AutomationWorker } from '../../src/automation/worker.js';
import { findFeedById } from '../../src/db/repositories/feed.js';
import { feedSubscriber, feedUpdater } from '../../src/domain/commands/feed.js';
import { groupCreator } from '../../src/domain/commands/group.js';
import { dialects } from '../helpers/dialects.js';
import { ManualClock, startServer, type TestServer } from '../helpers/server.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

/** A feed served on 127.0.0.1 whose items, ETag and failures the test controls. */
function feedServer() {
  const state = { items: [] as { guid: string; title: string; date: string }[], fail: false, requests: 0, conditional: 0, format: 'rss' as 'rss' | 'atom', base: '' };
  const body = () =>
    state.format === 'atom'
      ? `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title>${state.items
          .map((i) => `<entry><id>${i.guid}</id><title>${i.title}</title><link href="https://news.example.com/${i.guid}"/><summary>About ${i.title}</summary><updated>${i.date}</updated></entry>`)
          .join('')}</feed>`
      : `<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Engineering blog</title>${state.items
          .map(
            (i) =>
              `<item><guid>${i.guid}</guid><title>${i.title}</title><link>https://blog.example.com/${i.guid}</link><description>&lt;p&gt;Summary of &lt;b&gt;${i.title}&lt;/b&gt;&lt;/p&gt;</description><media:content url="${state.base}/images/${i.guid}.png" medium="image"/><pubDate>${new Date(i.date).toUTCString()}</pubDate></item>`,
          )
          .join('')}</channel></rss>`;
  const server = http.createServer((req, res) => {
    // Item images: a.png is a real PNG, every other one is missing.
    if (req.url?.startsWith('/images/')) {
      if (req.url === '/images/a.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      else res.writeHead(404).end();
      return;
    }
    state.requests++;
    if (state.fail) {
      res.writeHead(500).end('down');
      return;
    }
    const text = body();
    const etag = `"${Buffer.from(text).length}-${state.items.length}"`;
    if (req.headers['if-none-match'] === etag) {
      state.conditional++;
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/rss+xml', etag }).end(text);
  });
  return { state, server, listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => {
          state.base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
          resolve(state.base);
        }),
      ),
  };
}

for (const dialect of await dialects()) {
  describe(`RSS and Atom feeds into groups (${dialect})`, () => {
    let ts: TestServer;
    let clock: ManualClock;
    let feedUrl: string;
    const feed = feedServer();
    before(async () => {
      clock = new ManualClock(Date.UTC(2026, 11, 4, 3, 0));
      ts = await startServer(dialect, { clock, env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8', COMMONPLACE_AUTOMATION_WORKER: '0' } });
      feedUrl = await feed.listen();
    });
    after(async () => {
      await ts.close();
      feed.server.close();
    });

    const posts = async (groupId: string) => ts.ctx.db.selectFrom('post').selectAll().where('feed_id', '=', groupId).orderBy('created_time').orderBy('id').execute();

    test('items become posts once each, across a restart; ETag answers 304', async () => {
      const group = await ts.write((w) => groupCreator(w, { name: 'Blog', privacy: 'OPEN' }));
      feed.state.items = [
        { guid: 'a', title: 'First post', date: '2026-12-01T10:00:00Z' },
        { guid: 'b', title: 'Second post', date: '2026-12-02T10:00:00Z' },
      ];
      const row = await ts.write((w) => feedSubscriber(w, { groupId: group.id, url: `${feedUrl}/feed.xml`, intervalMinutes: 5 }));
      const worker = new AutomationWorker(ts.ctx);
      const first = await worker.runOnce();
      assert.equal(first.posted, 2);
      let written = await posts(group.id);
      assert.equal(written.length, 2);
      assert.equal(written[0].message, '**[First post](https://blog.example.com/a)**\n\nSummary of First post');
      const attached = await ts.ctx.db.selectFrom('post_media').innerJoin('media', 'media.id', 'post_media.media_id').select(['post_media.post_id', 'media.file_name', 'media.size']).execute();
      assert.deepEqual(attached.map((a) => [a.post_id, a.size]), [[written[0].id, PNG.length]], "the item's image is stored and attached; the missing one is left out");
      assert.equal(written[0].link, 'https://blog.example.com/a');
      assert.equal((await worker.runOnce()).feeds, 0, 'not due again before its interval');
      clock.advance(5 * 60_000);
      assert.equal((await worker.runOnce()).posted, 0);
      assert.equal(feed.state.conditional, 1, 'the second poll was conditional (If-None-Match)');
      await worker.stop();

      // A restart: a new database handle and a new worker, nothing carried over in memory.
      const reopened = await openContext({ config: ts.ctx.config, log: pino({ level: 'silent' }), clock, pgSchema: ts.ctx.schema });
      try {
        feed.state.items.push({ guid: 'c', title: 'Third post', date: '2026-12-03T10:00:00Z' });
        clock.advance(5 * 60_000);
        const restarted = new AutomationWorker(reopened.ctx);
        assert.equal((await restarted.runOnce()).posted, 1);
        await restarted.stop();
      } finally {
        await reopened.close();
      }
      written = await posts(group.id);
      assert.deepEqual(
        written.map((p) => p.message!.split('\n')[0]),
        ['**[First post](https://blog.example.com/a)**', '**[Second post](https://blog.example.com/b)**', '**[Third post](https://blog.example.com/c)**'],
      );
      const saved = (await findFeedById(ts.ctx.db, row.id))!;
      assert.equal(saved.title, 'Engineering blog');
      assert.equal(saved.last_item_title, 'Third post');
      assert.equal(saved.item_count, 3);
    });

    test('two pollers sharing the database poll a due feed once', async () => {
      const group = await ts.write((w) => groupCreator(w, { name: 'Atom', privacy: 'OPEN' }));
      feed.state.format = 'atom';
      feed.state.items = [{ guid: 'urn:x:1', title: 'Atom entry', date: '2026-12-03T09:00:00Z' }];
      await ts.write((w) => feedSubscriber(w, { groupId: group.id, url: `${feedUrl}/atom.xml` }));
      const [a, b] = [new AutomationWorker(ts.ctx), new AutomationWorker(ts.ctx)];
      const results = await Promise.all([a.runOnce(), b.runOnce()]);
      assert.equal(results[0].feeds + results[1].feeds, 1);
      assert.equal((await posts(group.id)).length, 1);
      assert.match((await posts(group.id))[0].message!, /^\*\*\[Atom entry\]\(https:\/\/news\.example\.com\/urn:x:1\)\*\*/);
      await Promise.all([a.stop(), b.stop()]);
      feed.state.format = 'rss';
    });

    test('failures back off, then pause the feed with a visible reason; resuming polls again', async () => {
      const group = await ts.write((w) => groupCreator(w, { name: 'Flaky', privacy: 'OPEN' }));
      feed.state.items = [];
      const row = await ts.write((w) => feedSubscriber(w, { groupId: group.id, url: `${feedUrl}/flaky.xml`, intervalMinutes: 1 }));
      feed.state.fail = true;
      const worker = new AutomationWorker(ts.ctx);
      let previousWait = 0;
      for (let i = 1; i <= FAILURES_BEFORE_PAUSE; i++) {
        await worker.runOnce();
        const saved = (await findFeedById(ts.ctx.db, row.id))!;
        assert.equal(saved.consecutive_failures, i);
        assert.equal(saved.last_error, 'the feed answered HTTP 500');
        const wait = saved.next_poll_time - clock.now();
        assert.ok(wait > previousWait, 'each failure waits longer');
        previousWait = wait;
        clock.set(saved.next_poll_time);
      }
      const paused = (await findFeedById(ts.ctx.db, row.id))!;
      assert.match(paused.paused_reason!, /^paused after 5 failed polls in a row; last error: the feed answered HTTP 500$/);
      clock.advance(86_400_000);
      await worker.runOnce();
      assert.equal((await findFeedById(ts.ctx.db, row.id))!.last_poll_time, paused.last_poll_time, 'a paused feed is not polled');
      feed.state.fail = false;
      await ts.write((w) => feedUpdater(w, paused, { paused: false }));
      await worker.runOnce();
      const resumed = (await findFeedById(ts.ctx.db, row.id))!;
      assert.equal(resumed.consecutive_failures, 0);
      assert.equal(resumed.last_success_time, clock.now());
      await worker.stop();
    });

    test('the egress policy refuses private addresses that are not allow-listed', async () => {
      const group = await ts.write((w) => groupCreator(w, { name: 'Private', privacy: 'OPEN' }));
      const saved = ts.ctx.config.webhookAllowedHosts;
      ts.ctx.config.webhookAllowedHosts = [];
      try {
        await assert.rejects(
          ts.write((w) => feedSubscriber(w, { groupId: group.id, url: `${feedUrl}/feed.xml` })),
          /Feed URL refused: egress refused: 127\.0\.0\.1, a loopback address/,
        );
        await assert.rejects(ts.write((w) => feedSubscriber(w, { groupId: group.id, url: 'file:///etc/passwd' })), /must be http or https/);
      } finally {
        ts.ctx.config.webhookAllowedHosts = saved;
      }
    });
  });
}
