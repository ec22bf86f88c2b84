import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { SCIM_URN, ScimClient, type ScimUser } from '@commonplace/sdk';
import { dialects } from '../../../test/helpers/dialects.ts';
import { startServer, type TestServer } from '../../../test/helpers/server.ts';
import { tempDir, toolkit, writeCsv } from './helpers.ts';

const ENT = SCIM_URN.enterprise;
const HEADER = ['Mail', 'First', 'Last', 'Dept', 'Job', 'Boss', 'Status'];
const MAP = 'email=Mail,first_name=First,last_name=Last,department=Dept,title=Job,manager=Boss,active=Status';

for (const dialect of await dialects()) {
  describe(`sync people from CSV and XLSX (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let scim: ScimClient;
    let dir: string;
    const run = (args: string[], wait?: (ms: number) => Promise<boolean>) => toolkit(args, { base: ts.base, token, wait });
    const user = async (email: string): Promise<ScimUser> => {
      const found = await scim.findUserByUserName(email);
      assert.ok(found, `${email} exists`);
      return found;
    };

    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0', COMMONPLACE_DEACTIVATION_GUARD_PERCENT: '10', COMMONPLACE_DEACTIVATION_GUARD_MINIMUM: '5' } });
      token = (await ts.integration(['manage_accounts'])).access_token;
      scim = new ScimClient({ baseUrl: `${ts.base}/scim/v2`, accessToken: token });
      dir = tempDir();
    });
    after(async () => {
      await ts.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('creates everyone, managers after everyone exists; a rerun changes nothing', async () => {
      // Ana's manager (Cleo) comes after her in the file: the manager is set in a later phase.
      const file = writeCsv(path.join(dir, 'hr.csv'), HEADER, [
        ['Ana@Example.com', 'Ana', 'Lind', 'Sales', 'Rep', 'cleo@example.com', 'active'],
        ['ben@example.com', 'Ben', 'Ortiz', 'Sales', 'Rep', 'cleo@example.com', ''],
        ['cleo@example.com', 'Cleo', 'Park', 'Sales', 'Head of Sales', '', 'yes'],
        ['dan@example.com', 'Dan', 'Roe', 'Ops, "Night"', 'Operator', 'ana@example.com', 'true'],
      ]);
      const dry = await run(['sync', 'people', '--from', file, '--map', MAP, '--dry-run']);
      assert.equal(dry.code, 0, dry.err);
      assert.match(dry.out, /4 to create/);
      assert.match(dry.out, /dry run/);
      assert.equal(await scim.findUserByUserName('ana@example.com'), undefined, 'a dry run writes nothing');

      const first = await run(['--json', 'sync', 'people', '--from', file, '--map', MAP]);
      assert.equal(first.code, 0, first.err + first.out);
      assert.deepEqual(first.json.plan, { create: 4, update: 0, reactivate: 0, deactivate: 0, manager: 3 });
      assert.equal(first.json.applied.created, 4);
      assert.equal(first.json.applied.managers, 3);
      const ana = await user('ana@example.com');
      const cleo = await user('cleo@example.com');
      assert.equal(ana.name?.givenName, 'Ana');
      assert.equal(ana.title, 'Rep');
      assert.equal(ana[ENT]?.department, 'Sales');
      assert.equal(ana[ENT]?.manager?.value, cleo.id);
      assert.equal((await user('dan@example.com'))[ENT]?.department, 'Ops, "Night"');
      assert.equal((await user('dan@example.com'))[ENT]?.manager?.value, ana.id);

      const versions = await Promise.all(['ana', 'ben', 'cleo', 'dan'].map(async (n) => (await user(`${n}@example.com`)).meta?.version));
      const again = await run(['--json', 'sync', 'people', '--from', file, '--map', MAP]);
      assert.equal(again.code, 0);
      assert.deepEqual(again.json.plan, { create: 0, update: 0, reactivate: 0, deactivate: 0, manager: 0 });
      assert.equal(again.json.applied, undefined);
      assert.deepEqual(await Promise.all(['ana', 'ben', 'cleo', 'dan'].map(async (n) => (await user(`${n}@example.com`)).meta?.version)), versions);
    });

    test('changed attributes only; who left is deactivated, who came back reactivated; inactive rows deactivate', async () => {
      const ben = await user('ben@example.com');
      const file = writeCsv(path.join(dir, 'hr2.csv'), HEADER, [
        ['ana@example.com', 'Ana', 'Lind', 'Sales', 'Senior Rep', 'cleo@example.com', 'active'],
        ['cleo@example.com', 'Cleo', 'Park', 'Sales', 'Head of Sales', '', 'yes'],
        ['dan@example.com', 'Dan', 'Roe', 'Ops, "Night"', 'Operator', 'cleo@example.com', 'terminated'],
      ]);
      const r = await run(['sync', 'people', '--from', file, '--map', MAP]);
      assert.equal(r.code, 0, r.err + r.out);
      assert.match(r.out, /~ update ana@example\.com: title "Rep" → "Senior Rep"/);
      assert.match(r.out, /- deactivate ben@example\.com \(left\)/);
      assert.match(r.out, /- deactivate dan@example\.com \(inactive in source\)/);
      assert.doesNotMatch(r.out, /update cleo/);
      assert.equal((await user('ana@example.com')).title, 'Senior Rep');
      assert.equal((await scim.getUser(ben.id!)).active, false);
      assert.equal((await user('dan@example.com')).active, false);
      assert.equal((await user('admin@example.com')).active, true, 'accounts the sync does not manage (no externalId) are left alone');

      const back = writeCsv(path.join(dir, 'hr3.csv'), HEADER, [
        ['ana@example.com', 'Ana', 'Lind', 'Sales', 'Senior Rep', 'cleo@example.com', 'active'],
        ['ben@example.com', 'Ben', 'Ortiz', 'Marketing', 'Rep', 'cleo@example.com', ''],
        ['cleo@example.com', 'Cleo', 'Park', 'Sales', 'Head of Sales', '', 'yes'],
      ]);
      const r2 = await run(['--json', 'sync', 'people', '--from', back, '--map', MAP]);
      assert.equal(r2.code, 0, r2.err);
      assert.equal(r2.json.plan.reactivate, 1);
      assert.equal(r2.json.plan.deactivate, 0, 'dan is already deactivated');
      const benNow = await scim.getUser(ben.id!);
      assert.equal(benNow.active, true);
      assert.equal(benNow[ENT]?.department, 'Marketing');
    });

    test('XLSX files with a mapping; --every runs again until stopped', async () => {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('People');
      sheet.addRow(['E-mail', 'Given name', 'Family name', 'Department']);
      sheet.addRow(['xena@example.com', 'Xena', 'Quill', 'Legal']);
      sheet.addRow([{ text: 'yuri@example.com', hyperlink: 'mailto:yuri@example.com' }, 'Yuri', 'Vance', 'Legal']);
      const file = path.join(dir, 'people.xlsx');
      await workbook.xlsx.writeFile(file);
      let waits = 0;
      const r = await run(['--json', 'sync', 'people', '--from', file, '--map', 'email=E-mail,first_name=Given name,last_name=Family name', '--deactivate', 'none', '--every', '15m'], async (ms) => {
        assert.equal(ms, 15 * 60_000);
        return ++waits < 2;
      });
      assert.equal(r.code, 0, r.err);
      const reports = r.out.split('\n').map((l) => JSON.parse(l));
      assert.equal(reports.length, 2);
      assert.equal(reports[0].plan.create, 2);
      assert.equal(reports[1].plan.create, 0);
      assert.equal((await user('yuri@example.com'))[ENT]?.department, 'Legal');
    });

    test('bad input is a usage error with a clear message', async () => {
      const noEmail = writeCsv(path.join(dir, 'bad.csv'), ['Name'], [['Ana']]);
      const r = await run(['sync', 'people', '--from', noEmail]);
      assert.equal(r.code, 2);
      assert.match(r.err, /no email column/);
      const unknown = await run(['sync', 'people', '--from', noEmail, '--map', 'mail=Name']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.err, /unknown field "mail"/);
      const missing = await run(['sync', 'people', '--from', path.join(dir, 'people.txt.xlsx')]);
      assert.equal(missing.code, 2);
    });
  });
}

describe('sync people respects the mass-deactivation guard and handles 10,000 people', () => {
  let ts: TestServer;
  let token: string;
  let dir: string;
  before(async () => {
    const [dialect] = await dialects();
    ts = await startServer(dialect!, { env: { COMMONPLACE_RATE_LIMIT: '0', COMMONPLACE_DEACTIVATION_GUARD_PERCENT: '10', COMMONPLACE_DEACTIVATION_GUARD_MINIMUM: '5' } });
    token = (await ts.integration(['manage_accounts'])).access_token;
    dir = tempDir();
  });
  after(async () => {
    await ts.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('10,000 people: created in bulk with managers; a rerun changes nothing', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [`person${i}@example.com`, `First${i}`, `Last${i}`, `Dept${i % 40}`, i % 7 === 0 ? 'Lead' : 'Member', i === 0 ? '' : `person${Math.floor(i / 10)}@example.com`, 'active']);
    const file = writeCsv(path.join(dir, 'big.csv'), HEADER, rows);
    const first = await toolkit(['--json', 'sync', 'people', '--from', file, '--map', MAP], { base: ts.base, token });
    assert.equal(first.code, 0, first.err + JSON.stringify(first.json?.errors?.slice(0, 3)));
    assert.equal(first.json.applied.created, 10_000);
    assert.equal(first.json.applied.managers, 9_999);
    const scim = new ScimClient({ baseUrl: `${ts.base}/scim/v2`, accessToken: token });
    const p = await scim.findUserByUserName('person1234@example.com');
    assert.equal(p?.[ENT]?.manager?.value, (await scim.findUserByUserName('person123@example.com'))?.id);
    const again = await toolkit(['--json', 'sync', 'people', '--from', file, '--map', MAP], { base: ts.base, token });
    assert.equal(again.code, 0, again.err);
    assert.deepEqual(again.json.plan, { create: 0, update: 0, reactivate: 0, deactivate: 0, manager: 0 });
  });

  test('a file that drops most people stops at the guard with a clear message, and never retries around it', async () => {
    // 10,000 active: the guard allows 10% (1,000) per hour. A truncated export of 100 people asks for 9,900.
    const rows = Array.from({ length: 100 }, (_, i) => [`person${i}@example.com`, `First${i}`, `Last${i}`, `Dept${i % 40}`, i % 7 === 0 ? 'Lead' : 'Member', i === 0 ? '' : `person${Math.floor(i / 10)}@example.com`, 'active']);
    const file = writeCsv(path.join(dir, 'truncated.csv'), HEADER, rows);
    const r = await toolkit(['sync', 'people', '--from', file, '--map', MAP], { base: ts.base, token });
    assert.equal(r.code, 3, r.out + r.err);
    assert.match(r.out, /STOPPED: the server's mass-deactivation guard refused a deactivation; 8900 deactivations were not applied/);
    assert.match(r.out, /server said: Refused: integration \d+ already deactivated 1000 accounts in the last hour/);
    const audit = await ts.ctx.db.selectFrom('audit_event' as never).select(({ fn }) => fn.countAll().as('n')).where('action' as never, '=', 'account.deactivation_refused' as never).executeTakeFirst();
    assert.equal(Number((audit as { n: number }).n), 1, 'one refusal: the sync stopped at the first');
  });
});
