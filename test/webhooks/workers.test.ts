import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { openContext, type Opened } from '../../src/bootstrap.js';
import { groupCreator } from '../../src/domain/commands/group.js';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import { postCreator } from '../../src/domain/commands/post.js';
import type { GroupRow } from '../../src/db/repositories/group.js';
import { WebhookWorker } from '../../src/webhooks/worker.js';
import { dialects } from '../helpers/dialects.js';
import { ManualClock, startServer, type TestServer } from '../helpers/server.js';
import { subscribe } from './helpers.js';
import { change, type Received, Receiver } from './receiver.js';

// Two workers, each with its own connection pool, share one PostgreSQL database: every delivery
// goes out, no attempt is ever sent twice, and events of one group still arrive in order.

const EVENTS_PER_GROUP = 50;
const GROUPS = 8;

describe('two workers on one PostgreSQL', { skip: !(await dialects()).includes('postgres') }, () => {
  const clock = new ManualClock(Date.UTC(2026, 8, 1));
  let ts: TestServer;
  let second: Opened;
  let workers: WebhookWorker[];
  let apps: IssuedCredentials[];
  let receivers: Receiver[];
  let groups: GroupRow[];
  let alice: { id: string };

  before(async () => {
    ts = await startServer('postgres', { clock, env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8', COMMONPLACE_WEBHOOK_WORKER: '0' } });
    second = await openContext({ config: ts.ctx.config, log: pino({ level: 'silent' }), clock, pgSchema: ts.ctx.schema });
    // The first attempt of every 7th event fails, so retries and held-back lanes are in play too.
    const failOnce = (r: Received) => (Number(/event (\d+)/.exec(r.raw.toString())?.[1]) % 7 === 0 && r.headers['x-commonplace-attempt'] === '1' ? 500 : 200);
    receivers = await Promise.all([0, 1, 2].map(() => Receiver.start({ status: failOnce })));
    apps = [];
    for (let i = 0; i < 3; i++) apps.push(await ts.integration(['read_group'], { name: `Shared ${i}` }));
    alice = await ts.member({ email: 'alice@example.com', name: 'Alice' });
    groups = [];
    for (let g = 0; g < GROUPS; g++) groups.push(await ts.write((w) => groupCreator(w, { name: `Group ${g}`, adminId: alice.id })));
    clock.advance(1000);
    for (let i = 0; i < 3; i++) await subscribe(ts, apps[i], 'group', 'posts', receivers[i].url);
    // The test's clock runs about 40 times faster than the wall (4 s per 100 ms) to reach the retries;
    // leases are measured on that clock but held by wall time, so they get the same factor.
    const options = { concurrency: 6, pollMs: 10, leaseMs: 40 * 30_000 };
    workers = [new WebhookWorker(ts.ctx, options), new WebhookWorker(second.ctx, options)];
    await Promise.all(workers.map((w) => w.start()));
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await second.close();
    await Promise.all(receivers.map((r) => r.close()));
    await ts.close();
  });

  test('every delivery arrives, no attempt twice, in order per group', async (t) => {
    let n = 0;
    await Promise.all(
      groups.map(async (group) => {
        for (let i = 0; i < EVENTS_PER_GROUP; i++) {
          const message = `event ${++n} of ${group.id}`;
          await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message }), { kind: 'member', memberId: alice.id, isAdmin: false });
        }
      }),
    );
    const total = GROUPS * EVENTS_PER_GROUP;
    const successes = (r: Receiver) => r.posts().filter((p) => !(Number(/event (\d+)/.exec(p.raw.toString())?.[1]) % 7 === 0 && p.headers['x-commonplace-attempt'] === '1'));
    const deadline = Date.now() + 60_000;
    while (receivers.some((r) => successes(r).length < total) && Date.now() < deadline) {
      clock.advance(4_000);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const receiver of receivers) {
      const ok = successes(receiver);
      assert.equal(ok.length, total, `${ok.length} of ${total} delivered`);
      const attempts = receiver.posts().map((p) => `${p.headers['x-commonplace-delivery']}#${p.headers['x-commonplace-attempt']}`);
      assert.equal(new Set(attempts).size, attempts.length, 'an attempt was sent twice');
      assert.equal(new Set(ok.map((p) => p.headers['x-commonplace-delivery'])).size, total, 'one successful send per delivery');
      for (const group of groups) {
        const order = ok.filter((p) => change(p)!.value.target_id === group.id).map((p) => Number(/event (\d+)/.exec(change(p)!.value.message)![1]));
        assert.deepEqual(order, [...order].sort((a, b) => a - b), `group ${group.id} out of order`);
      }
    }
    t.diagnostic(`attempts per worker: ${workers.map((w) => w.stats.attempts).join(' + ')}`);
    assert.ok(workers.every((w) => w.stats.attempts > 0), `both workers sent: ${workers.map((w) => w.stats.attempts).join(' + ')}`);
    assert.equal(workers[0].stats.attempts + workers[1].stats.attempts, receivers.reduce((sum, r) => sum + r.posts().length, 0));
  });
});
