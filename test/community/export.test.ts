import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import type { MemberRow } from '../../src/db/repositories/member.js';
import { badgeAwarder } from '../../src/domain/commands/badge.js';
import { skillAdder } from '../../src/domain/commands/skill.js';
import { newId } from '../../src/ids.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

// With the bootstrap admin, the community has exactly this many current members (and one former).
const MEMBERS = 10_000;

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const dialect of await dialects()) {
  describe(`Employee data export (${dialect})`, () => {
    let ts: TestServer;
    let exporter: string;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      exporter = (await ts.integration(['manage_accounts'])).access_token;
      const now = Date.now();
      const rows: MemberRow[] = Array.from({ length: MEMBERS }, (_, i) => ({
        id: newId(),
        email: `person.${i}@example.com`,
        email_lower: `person.${i}@example.com`,
        first_name: 'Person',
        last_name: String(i),
        name: `Person ${i}`,
        title: i % 2 ? 'Engineer' : '=HYPERLINK("http://evil")',
        department: 'R&D',
        division: null,
        organization: null,
        employee_number: `E${i}`,
        cost_center: null,
        locale: 'en_US',
        primary_phone: null,
        primary_address: null,
        external_id: null,
        manager_id: null,
        is_frontline: 0,
        picture_media_id: null,
        state: i === 0 ? 'deactivated' : 'claimed',
        invited_time: now,
        claimed_time: now,
        deactivated_time: i === 0 ? now : null,
        is_admin: 0,
        password_hash: null,
        created_time: now,
        updated_time: now,
      }));
      // Inserted 500 at a time (as a bulk import would), each recorded in the object index.
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        await ts.write(async (w) => {
          await w.trx.insertInto('member').values(chunk).execute();
          await w.trx.insertInto('object').values(chunk.map((m) => ({ id: m.id, type: 'member' }))).execute();
        });
      }
      const someone = rows[1];
      await ts.write(async (w) => {
        await skillAdder(w, someone, 'Welding');
        await badgeAwarder(w, someone, 'workplace_mentor');
      });
    });
    after(() => ts.close());

    const job = (id: string, token = exporter, fields = '') => http('GET', `${ts.graph}/${id}${fields}`, { token });

    test('triad: 190 without a token, 200 without the permission, 10 for a group-scoped integration', async () => {
      assert.equal((await http('POST', `${ts.graph}/community/export_employee_data`)).json.error.code, 190);
      const weak = (await ts.integration(['read_group'])).access_token;
      assert.equal((await http('POST', `${ts.graph}/community/export_employee_data`, { token: weak })).json.error.code, 200);
      const group = await http('POST', `${ts.graph}/community/groups`, { token: (await ts.integration(['manage_group'])).access_token, form: { name: 'Scoped' } });
      const scoped = (await ts.integration(['manage_accounts'], { groups: [group.json.id] })).access_token;
      const refused = await http('POST', `${ts.graph}/community/export_employee_data`, { token: scoped });
      assert.equal(refused.json.error.code, 10);
      assert.match(refused.json.error.message, /group-scoped/);
      assert.equal(await ts.ctx.db.selectFrom('export_job').select('id').executeTakeFirst(), undefined, 'nothing was scheduled');
    });

    test(`an export of ${MEMBERS} members runs in the background, reports progress and opens with exceljs`, async () => {
      const scheduled = await http('POST', `${ts.graph}/community/export_employee_data`, { token: exporter });
      assert.equal(scheduled.status, 200, scheduled.text);
      const id = scheduled.json.id as string;
      assert.match(id, /^\d+$/);
      const [requested] = await ts.ctx.db.selectFrom('audit_event').selectAll().where('target_id', '=', id).execute();
      assert.equal(requested.action, 'export.requested');
      const security = await ts.ctx.db.selectFrom('outbox').selectAll().where('topic', '=', 'workplace_security').orderBy('created_time', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.equal(JSON.parse(security.payload).event, 'ADMIN_EXPORT_EMPLOYEE_DATA');
      const first = await job(id);
      assert.equal(first.json.type, 'WORK_FILE_EXPORT_USER');
      assert.ok(['PENDING', 'STARTED', 'COMPLETED'].includes(first.json.status));
      const done = await until(async () => {
        const r = await job(id, exporter, '?fields=id,status,type,result,progress');
        return r.json.status === 'COMPLETED' || r.json.status === 'FAILED' ? r.json : undefined;
      });
      assert.equal(done.status, 'COMPLETED', JSON.stringify(done));
      assert.deepEqual(done.progress, { done: MEMBERS, total: MEMBERS });
      assert.match(done.result, /^http:\/\/127\.0\.0\.1:\d+\/exports\//);
      assert.equal((await job(id, (await ts.integration(['read_group'])).access_token)).json.error.code, 200, 'reading the job needs the permission too');
      const byDefault = await job(id);
      assert.deepEqual(Object.keys(byDefault.json).sort(), ['id', 'result', 'status', 'type']);

      const file = await fetch(done.result);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(Buffer.from(await file.arrayBuffer()) as never);
      const sheet = workbook.getWorksheet('Employees')!;
      assert.equal(sheet.rowCount, MEMBERS + 1, 'a header and every current member (the deactivated one is left out)');
      const header = (sheet.getRow(1).values as unknown[]).slice(1);
      assert.deepEqual(header.slice(0, 5), ['User ID', 'Full name', 'First name', 'Last name', 'Email']);
      const col = (name: string) => header.indexOf(name) + 1;
      const byEmail = new Map<string, ExcelJS.Row>();
      sheet.eachRow((row, n) => {
        if (n > 1) byEmail.set(String(row.getCell(col('Email')).value), row);
      });
      assert.equal(byEmail.has('person.0@example.com'), false);
      const welder = byEmail.get('person.1@example.com')!;
      assert.equal(welder.getCell(col('Skills')).value, 'Welding');
      assert.equal(welder.getCell(col('Badges')).value, 'workplace_mentor');
      assert.equal(welder.getCell(col('Account status')).value, 'claimed');
      const formula = byEmail.get('person.2@example.com')!.getCell(col('Title'));
      assert.equal(formula.type, ExcelJS.ValueType.String, 'a title that looks like a formula stays text');

      const tampered = done.result.replace(/\/([^/]+)\/employee_data\.xlsx$/, '/AAAAAAAAAAAAAAAAAAAAAA/employee_data.xlsx');
      assert.equal((await fetch(tampered)).status, 404);
      const [completed] = await ts.ctx.db.selectFrom('audit_event').selectAll().where('target_id', '=', id).where('action', '=', 'export.completed').execute();
      assert.equal(completed.actor_type, 'system');
    });

    test('a job survives a restart: a pending job waits for a runner, and a job whose runner died is taken over', async () => {
      await ts.server.exports.stop();
      const scheduled = await http('POST', `${ts.graph}/community/export_employee_data`, { token: exporter });
      const id = scheduled.json.id as string;
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await job(id)).json.status, 'PENDING');
      // A runner that crashed mid-run: its lease has run out, its partial file is no one's.
      await ts.ctx.db.updateTable('export_job').set({ status: 'STARTED', lease_owner: 'dead-runner', lease_until: Date.now() - 1, attempts: 1, progress: 2000 }).where('id', '=', id).execute();
      ts.server.exports.start();
      const done = await until(async () => {
        const r = await job(id, exporter, '?fields=status,progress');
        return r.json.status === 'COMPLETED' ? r.json : undefined;
      });
      assert.deepEqual(done.progress, { done: MEMBERS, total: MEMBERS });
      const row = await ts.ctx.db.selectFrom('export_job').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(Number(row.attempts), 2);
      assert.equal(row.lease_owner, null);
    });

    test('a job interrupted too often fails and says why', async () => {
      await ts.server.exports.stop();
      const scheduled = await http('POST', `${ts.graph}/community/export_employee_data`, { token: exporter });
      const id = scheduled.json.id as string;
      await ts.ctx.db.updateTable('export_job').set({ status: 'STARTED', lease_owner: 'dead-runner', lease_until: Date.now() - 1, attempts: 3 }).where('id', '=', id).execute();
      ts.server.exports.start();
      const failed = await until(async () => {
        const r = await job(id, exporter, '?fields=status,error,result');
        return r.json.status === 'FAILED' ? r.json : undefined;
      });
      assert.match(failed.error, /interrupted 3 times/);
      assert.equal(failed.result, undefined);
    });
  });
}
