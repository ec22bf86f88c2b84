import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KyselyPlugin } from 'kysely';
import { dialects } from '../../../../test/helpers/dialects.js';
import { startServer, type TestServer } from '../../../../test/helpers/server.js';
import type { Actor } from '../../../domain/actor.js';
import { commentCreator } from '../../../domain/commands/comment.js';
import { groupCreator } from '../../../domain/commands/group.js';
import { groupMemberAdder } from '../../../domain/commands/groupMembership.js';
import { postCreator } from '../../../domain/commands/post.js';
import type { GroupRow } from '../../../db/repositories/group.js';
import { RateLimits, UsageRecorder } from '../../auth.js';
import { RequestBudget } from '../../budget.js';
import { dispatch } from '../../dispatch.js';

// Every edge loads for all parents at once, nested edges included: reading a feed with its
// authors and the first comments of each post (with their authors) costs the same number of
// statements for 2 posts as for 100.

const member = (id: string): Actor => ({ kind: 'member', memberId: id, isAdmin: false });

/** Counts the statements a database handle runs. */
function counting() {
  const counter = { statements: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      counter.statements++;
      return args.result;
    },
  };
  return { counter, plugin };
}

for (const dialect of await dialects()) {
  describe(`feed read statement count (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let small: GroupRow;
    let large: GroupRow;

    before(async () => {
      ts = await startServer(dialect);
      const alice = await ts.member({ email: 'alice@example.com', name: 'Alice Anders' });
      const bob = await ts.member({ email: 'bob@example.com', name: 'Bob Brown' });
      small = await ts.write((w) => groupCreator(w, { name: 'Small', adminId: alice.id }));
      large = await ts.write((w) => groupCreator(w, { name: 'Large', adminId: alice.id }));
      for (const g of [small, large]) await ts.write((w) => groupMemberAdder(w, g, bob.id));
      for (const [group, posts] of [[small, 2], [large, 100]] as const) {
        for (let i = 0; i < posts; i++) {
          const author = i % 2 ? alice : bob;
          const post = await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: `${group.name} post ${i}` }), member(author.id));
          // Four comments on the first post (more than the limit of 3), one on the others.
          for (let c = 0; c < (i === 0 ? 4 : 1); c++) {
            const by = c % 2 ? bob : alice;
            await ts.write((w) => commentCreator(w, { post, message: `comment ${c} on ${i}` }), member(by.id));
          }
        }
      }
      token = (await ts.integration(['read_group'])).access_token;
    });
    after(() => ts.close());

    async function statementsFor(group: GroupRow) {
      const { counter, plugin } = counting();
      const ctx = { ...ts.ctx, db: ts.ctx.db.withPlugin(plugin) };
      const services = { usage: new UsageRecorder(ctx), limits: new RateLimits(ctx, 0) };
      const reply = await dispatch(ctx, services, {
        method: 'GET',
        path: `/${group.id}/feed`,
        query: { fields: 'id,message,from{name},comments.limit(3){message,from{name}}', limit: '100' },
        body: {},
        authorization: `Bearer ${token}`,
        publicBase: ts.base,
        linkBase: ts.base,
        budget: new RequestBudget(),
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return { statements: counter.statements, body: reply.body as { data: any[] } };
    }

    test('2 posts and 100 posts cost the same number of statements', async () => {
      // The first call of a token reads the integration; later calls find it cached.
      await statementsFor(small);
      const two = await statementsFor(small);
      const hundred = await statementsFor(large);
      assert.equal(two.body.data.length, 2);
      assert.equal(hundred.body.data.length, 100);
      const first = hundred.body.data.at(-1);
      assert.equal(first.comments.data.length, 3);
      assert.ok(first.comments.paging.next, 'the fourth comment is behind paging.next');
      assert.ok(hundred.body.data.every((p) => p.from?.name && p.comments.data.every((c: any) => c.from?.name)), 'every post and comment has its author');
      assert.ok(two.statements > 0, 'the counter sees the statements');
      assert.equal(hundred.statements, two.statements, `2 posts: ${two.statements} statements, 100 posts: ${hundred.statements}`);
    });
  });
}
