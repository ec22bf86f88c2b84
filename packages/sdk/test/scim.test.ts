import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SCIM_URN, ScimApiError, ScimClient, scimFilter, scimPatch, scimPatches } from '../src/index.ts';
import { dialects } from '../../../test/helpers/dialects.ts';
import { startServer, type TestServer } from '../../../test/helpers/server.ts';

// The SCIM client against a real Commonplace server (SQLite, and PostgreSQL when reachable).

test('filters quote and escape their values; attribute paths are checked', () => {
  assert.equal(String(scimFilter.eq('userName', 'a"b\\c@example.com')), 'userName eq "a\\"b\\\\c@example.com"');
  assert.equal(String(scimFilter.eq('active', true).and(scimFilter.pr('externalId'))), '(active eq true) and (externalId pr)');
  assert.equal(String(scimFilter.or(scimFilter.sw('name.familyName', 'O\'Br'), scimFilter.not(scimFilter.eq('title', null)))), '(name.familyName sw "O\'Br") or (not (title eq null))');
  assert.equal(String(scimFilter.eq(`${SCIM_URN.enterprise}:department`, 'Sales')), `${SCIM_URN.enterprise}:department eq "Sales"`);
  assert.throws(() => scimFilter.eq('userName or 1 eq 1', 'x'), TypeError);
  assert.deepEqual(scimPatch().replace('title', 'CTO').remove('nickName').build(), {
    schemas: [SCIM_URN.patchOp],
    Operations: [
      { op: 'replace', path: 'title', value: 'CTO' },
      { op: 'remove', path: 'nickName' },
    ],
  });
  assert.deepEqual(scimPatches.removeMember('42').Operations, [{ op: 'remove', path: 'members[value eq "42"]' }]);
});

for (const dialect of await dialects()) {
  describe(`ScimClient against a real server (${dialect})`, () => {
    let ts: TestServer;
    let scim: ScimClient;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0', COMMONPLACE_DEACTIVATION_GUARD_PERCENT: '1', COMMONPLACE_DEACTIVATION_GUARD_MINIMUM: '3' } });
      const app = await ts.integration(['manage_accounts']);
      scim = new ScimClient({ baseUrl: `${ts.base}/scim/v2`, accessToken: app.access_token, retry: { retries: 0 } });
    });
    after(() => ts.close());

    test('create, read, find by a userName with quotes, PUT and PATCH with If-Match', async () => {
      const created = await scim.createUser({
        userName: 'o"neil@example.com',
        name: { givenName: 'Pat', familyName: 'O"Neil' },
        title: 'Engineer',
        [SCIM_URN.enterprise]: { department: 'R&D' },
      });
      assert.ok(created.id);
      assert.deepEqual(created.schemas?.includes(SCIM_URN.enterprise), true);
      const found = await scim.findUserByUserName('O"NEIL@example.com');
      assert.equal(found?.id, created.id, 'userName matches case-insensitively and the quote is escaped');
      assert.equal(await scim.findUserByUserName('nobody@example.com'), undefined);
      const read = await scim.getUser(created.id!);
      assert.equal(read[SCIM_URN.enterprise]?.department, 'R&D');

      const patched = await scim.patchUser(created.id!, scimPatch().replace('title', 'Lead'), { ifMatch: read.meta!.version });
      assert.equal(patched.title, 'Lead');
      await assert.rejects(
        () => scim.patchUser(created.id!, scimPatch().replace('title', 'Stale'), { ifMatch: read.meta!.version }),
        (e: unknown) => e instanceof ScimApiError && e.status === 412 && !e.retryable,
      );
      const replaced = await scim.replaceUser(created.id!, { userName: 'o"neil@example.com', name: { givenName: 'Pat', familyName: 'Neil' }, active: true });
      assert.equal(replaced.name?.familyName, 'Neil');
      assert.equal(replaced.title, 'Lead', 'PUT leaves an omitted attribute as it was (Workplace semantics)');
    });

    test('errors are ScimApiError with status, scimType and detail', async () => {
      await scim.createUser({ userName: 'dup@example.com' });
      await assert.rejects(
        () => scim.createUser({ userName: 'dup@example.com' }),
        (e: unknown) => e instanceof ScimApiError && e.status === 409 && e.scimType === 'uniqueness' && !e.isDeactivationLimit,
      );
      await assert.rejects(() => scim.getUser('999999999'), (e: unknown) => e instanceof ScimApiError && e.status === 404);
    });

    test('users() pages with startIndex through every match; managers by PATCH builder', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await scim.createUser({ userName: `page+${i}@example.com`, [SCIM_URN.enterprise]: { department: 'Paging' } })).id!);
      const seen: string[] = [];
      for await (const user of scim.users({ filter: scimFilter.eq(`${SCIM_URN.enterprise}:department`, 'Paging'), count: 3 })) seen.push(user.id!);
      assert.deepEqual(seen.sort(), [...ids].sort());
      const first = await scim.listUsers({ filter: scimFilter.sw('userName', 'page'), count: 2 });
      assert.equal(first.totalResults, 7);
      assert.equal(first.Resources?.length, 2);

      const withManager = await scim.patchUser(ids[1]!, scimPatches.setManager(ids[0]!));
      assert.equal(withManager[SCIM_URN.enterprise]?.manager?.value, ids[0]);
      const without = await scim.patchUser(ids[1]!, scimPatches.setManager(null));
      assert.equal(without[SCIM_URN.enterprise]?.manager, undefined);
    });

    test('bulk creates and reports each operation; groups with member PATCH', async () => {
      const results = await scim.bulk([
        { method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [SCIM_URN.user], userName: 'bulk.a@example.com' } },
        { method: 'POST', path: '/Users', bulkId: 'b', data: { schemas: [SCIM_URN.user], userName: 'dup@example.com' } },
      ]);
      assert.equal(results.length, 2);
      assert.equal(results[0]!.status, 201);
      assert.ok(results[0]!.id);
      assert.equal((await scim.getUser(results[0]!.id!)).userName, 'bulk.a@example.com');
      assert.equal(results[1]!.error?.status, 409);

      const group = await scim.createGroup({ displayName: 'Toolkit testers' });
      await scim.patchGroup(group.id!, scimPatches.addMembers([results[0]!.id!]));
      assert.deepEqual((await scim.getGroup(group.id!)).members?.map((m) => m.value), [results[0]!.id]);
      await scim.patchGroup(group.id!, scimPatches.removeMember(results[0]!.id!));
      assert.deepEqual((await scim.getGroup(group.id!)).members ?? [], []);
      const names: string[] = [];
      for await (const g of scim.groups({ filter: scimFilter.eq('displayName', 'Toolkit testers') })) names.push(g.displayName!);
      assert.deepEqual(names, ['Toolkit testers']);
    });

    test('deactivate and reactivate; the mass-deactivation guard is recognised and never retried', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await scim.createUser({ userName: `leaver${i}@example.com` })).id!);
      const retried: number[] = [];
      const patient = new ScimClient({ baseUrl: scim.root, accessToken: (await ts.integration(['manage_accounts'])).access_token, sleep: async () => {}, onRetry: (i) => retried.push(i.attempt) });
      assert.equal((await patient.deactivateUser(ids[0]!)).active, false);
      assert.equal((await patient.reactivateUser(ids[0]!)).active, true);
      await patient.deactivateUser(ids[1]!);
      await patient.deactivateUser(ids[2]!);
      const refusal = await patient.deactivateUser(ids[3]!).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(refusal instanceof ScimApiError, String(refusal));
      assert.equal(refusal.status, 409);
      assert.equal(refusal.isDeactivationLimit, true, refusal.message);
      assert.deepEqual(retried, []);
      assert.equal((await patient.getUser(ids[3]!)).active, true);
    });
  });
}

describe('ScimClient retries on 429 with Retry-After', () => {
  let ts: TestServer;
  before(async () => {
    const [dialect] = await dialects();
    ts = await startServer(dialect!, { env: { COMMONPLACE_RATE_LIMIT: '2' } });
  });
  after(() => ts.close());

  test('a 429 is retried after the Retry-After the server sent, then surfaces when retries run out', async () => {
    const app = await ts.integration(['manage_accounts']);
    const slept: number[] = [];
    const scim = new ScimClient({ baseUrl: `${ts.base}/scim/v2`, accessToken: app.access_token, retry: { retries: 2 }, sleep: async (ms) => void slept.push(ms) });
    await scim.listUsers();
    await scim.listUsers();
    const error = await scim.listUsers().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof ScimApiError, String(error));
    assert.equal(error.status, 429);
    assert.equal(error.retryable, true);
    assert.equal(slept.length, 2, 'two retries');
    assert.ok(error.retryAfterMs !== undefined && error.retryAfterMs > 0, 'the server sent Retry-After');
    for (const ms of slept) assert.ok(ms > 0 && ms <= 60_000, `slept the Retry-After (${ms} ms)`);
  });
});
