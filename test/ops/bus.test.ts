import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { openContext, type Opened } from '../../src/bootstrap.js';
import { integrationEnabler, integrationTokenRotator, integrationUpdater } from '../../src/domain/commands/integration.js';
import type { Write } from '../../src/domain/commands/shared.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

/** Polls until `check` holds; returns how long that took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - start;
}

for (const dialect of await dialects()) {
  describe(`cached credentials follow changes made elsewhere (${dialect})`, () => {
    let ts: TestServer;
    let other: Opened;
    const elsewhere = <T>(fn: (w: Write) => Promise<T>) => other.ctx.db.transaction().execute((trx) => fn({ ctx: other.ctx, actor: { kind: 'system' }, trx }));
    const me = (token: string) => http('GET', `${ts.graph}/me`, { token });

    before(async () => {
      ts = await startServer(dialect);
      // A second connection with its own bus: on SQLite what the CLI is, on PostgreSQL what another host is.
      other = await openContext({ config: ts.ctx.config, log: pino({ level: 'silent' }), pgSchema: ts.ctx.schema, migrate: false });
    });
    after(async () => {
      await other.close();
      await ts.close();
    });

    test('a token rotated by another connection stops working', async () => {
      const app = await ts.integration(['read_group']);
      assert.equal((await me(app.access_token)).status, 200);
      assert.equal((await me(app.access_token)).status, 200, 'served from the cache');
      const rotated = await elsewhere((w) => integrationTokenRotator(w, app.app_id));
      // On SQLite the other connection is the CLI on the same machine: its commit counts at once.
      if (dialect === 'sqlite') assert.equal((await me(app.access_token)).json?.error?.code, 190, 'the very next request');
      else await within(2000, async () => (await me(app.access_token)).json?.error?.code === 190);
      assert.equal((await me(rotated.access_token)).status, 200);
    });

    test('disabling and narrowing permissions elsewhere take effect', async () => {
      const app = await ts.integration(['read_group', 'manage_group']);
      assert.equal((await me(app.access_token)).status, 200);
      await elsewhere((w) => integrationEnabler(w, app.app_id, false));
      await within(2000, async () => (await me(app.access_token)).json?.error?.error_subcode === 458);
      await elsewhere((w) => integrationEnabler(w, app.app_id, true));
      await within(2000, async () => (await me(app.access_token)).status === 200);
      const create = () => http('POST', `${ts.graph}/community/groups`, { token: app.access_token, form: { name: `G ${Math.random()}` } });
      assert.equal((await create()).status, 200);
      await elsewhere((w) => integrationUpdater(w, app.app_id, { permissions: ['read_group'] }));
      await within(2000, async () => (await create()).status === 403);
    });

    test('a change in this process applies to its very next request', async () => {
      const app = await ts.integration(['read_group']);
      assert.equal((await me(app.access_token)).status, 200);
      await ts.write((w) => integrationTokenRotator(w, app.app_id));
      assert.equal((await me(app.access_token)).json?.error?.code, 190);
    });
  });
}
