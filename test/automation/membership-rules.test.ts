import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseRule, RuleSyntaxError } from '../../src/automation/rules.js';
import { AutomationWorker } from '../../src/automation/worker.js';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer, SIGN_IN } from '../helpers/server.js';
import { CORE, ENT, PATCH_OP, scimClient } from '../scim/helpers.js';

const PASSWORD = 'test-Admin-pass-1234';

test('the rule language: precedence, errors with positions', () => {
  assert.deepEqual(parseRule('department eq "Sales" and not (title co "Contractor") or frontline eq true'), {
    kind: 'or',
    left: { kind: 'and', left: { kind: 'compare', attr: 'department', op: 'eq', value: 'Sales' }, right: { kind: 'not', expr: { kind: 'compare', attr: 'title', op: 'co', value: 'Contractor' } } },
    right: { kind: 'compare', attr: 'frontline', op: 'eq', value: true },
  });
  assert.deepEqual(parseRule('location in ["Paris", "Lyon"]'), { kind: 'compare', attr: 'location', op: 'in', value: ['Paris', 'Lyon'] });
  assert.throws(() => parseRule('department eq'), RuleSyntaxError);
  assert.throws(() => parseRule('shoe_size eq 42'), /unknown attribute "shoe_size"/);
  assert.throws(() => parseRule('title eq "x" and (department eq "y"'), /"\)" is missing/);
  assert.throws(() => parseRule('reports_to co "a"'), /reports_to takes eq, ne or in/);
});

for (const dialect of await dialects()) {
  describe(`membership rules (${dialect})`, () => {
    let ts: TestServer;
    let scim: ReturnType<typeof scimClient>;
    let cookie: string;
    let csrf: string;
    const people: Record<string, string> = {};
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_AUTOMATION_WORKER: '0' } });
      const app = await ts.integration(['manage_accounts'], { name: 'HR sync' });
      scim = scimClient(ts, app.access_token);
      const session = await http('POST', `${ts.base}/admin/api/session`, { json: { email: 'admin@example.com', password: PASSWORD }, headers: SIGN_IN });
      cookie = session.headers.get('set-cookie')!.split(';')[0];
      csrf = session.json.csrf_token;
      const user = async (key: string, department: string, title: string, manager?: string) => {
        const r = await scim.post('/Users', {
          schemas: [CORE, ENT],
          userName: `${key}@example.com`,
          name: { givenName: key, familyName: 'Test' },
          title,
          active: true,
          [ENT]: { department, ...(manager ? { manager: { value: people[manager] } } : {}) },
        });
        assert.equal(r.status, 201, r.text);
        people[key] = r.json.id;
      };
      await user('alice', 'Sales', 'Account Executive');
      await user('bob', 'Sales', 'Sales Contractor');
      await user('carol', 'Engineering', 'Engineer');
      await user('dave', 'Sales', 'Sales Associate', 'alice');
    });
    after(() => ts.close());

    const api = (method: string, path: string, json?: unknown) => http(method, `${ts.base}/admin/api${path}`, { json, headers: { cookie, 'x-csrf-token': csrf } });
    const members = async (groupId: string) => (await ts.ctx.db.selectFrom('group_member').select('member_id').where('group_id', '=', groupId).execute()).map((m) => m.member_id).sort();
    const ids = (...keys: string[]) => keys.map((k) => people[k]).sort();
    const patchUser = async (key: string, operations: unknown[]) => {
      const r = await scim.patch(`/Users/${people[key]}`, { schemas: [PATCH_OP], Operations: operations });
      assert.equal(r.status, 200, r.text);
    };

    test('preview, save, then SCIM profile changes keep the group in step, audited and sent as membership events', async () => {
      const group = await ts.write((w) => groupCreator(w, { name: 'Sales team', privacy: 'CLOSED' }));
      await ts.write((w) => groupMemberAdder(w, group, people.carol));
      const expression = 'department eq "Sales" and not (title co "Contractor")';

      const preview = await api('POST', '/automation/rules/preview', { group_id: group.id, expression });
      assert.equal(preview.status, 200, preview.text);
      assert.deepEqual(preview.json.joins.map((p: { id: string }) => p.id).sort(), ids('alice', 'dave'));
      assert.deepEqual(preview.json.leaves, [], 'members added by hand stay');
      assert.deepEqual(await members(group.id), ids('carol'), 'a preview changes nothing');
      const bad = await api('POST', '/automation/rules/preview', { group_id: group.id, expression: 'department eq' });
      assert.equal(bad.status, 400);
      assert.match(bad.json.error.message, /The membership rule is not valid: a value is missing/);

      const saved = await api('PUT', `/automation/rules/${group.id}`, { expression });
      assert.equal(saved.status, 200, saved.text);
      assert.deepEqual(saved.json.joined.sort(), ids('alice', 'dave'));
      assert.deepEqual(await members(group.id), ids('alice', 'carol', 'dave'));

      await patchUser('bob', [{ op: 'replace', path: 'title', value: 'Account Executive' }]);
      assert.deepEqual(await members(group.id), ids('alice', 'bob', 'carol', 'dave'), 'bob matches after his title changed');
      await patchUser('alice', [{ op: 'replace', path: `${ENT}:department`, value: 'Marketing' }]);
      assert.deepEqual(await members(group.id), ids('bob', 'carol', 'dave'), 'alice left when her department changed');
      await patchUser('carol', [{ op: 'replace', path: 'title', value: 'Staff Engineer' }]);
      assert.deepEqual(await members(group.id), ids('bob', 'carol', 'dave'), 'carol, added by hand, stays');

      const applied = await ts.ctx.db.selectFrom('audit_event').selectAll().where('action', '=', 'membership_rule.applied').where('target_id', '=', group.id).orderBy('time').orderBy('id').execute();
      assert.deepEqual(
        applied.map((a) => JSON.parse(a.new_value!)),
        [
          { reason: 'rule_change', joined: JSON.parse(JSON.stringify(saved.json.joined)), left: [] },
          { reason: 'profile_change', joined: [people.bob], left: [] },
          { reason: 'profile_change', joined: [], left: [people.alice] },
        ],
      );
      const events = await ts.ctx.db.selectFrom('outbox').selectAll().where('topic', '=', 'group').where('field', '=', 'membership').where('entry_id', '=', group.id).execute();
      const verbs = events.map((e) => JSON.parse(e.payload)).map((v) => `${v.verb}:${v.member_id}`);
      for (const expected of [`add:${people.alice}`, `add:${people.dave}`, `add:${people.bob}`, `remove:${people.alice}`]) assert.ok(verbs.includes(expected), expected);
      const rules = await api('GET', '/automation/rules');
      assert.equal(rules.json.data.find((r: { group_id: string }) => r.group_id === group.id).group_name, 'Sales team');
    });

    test('a manager-chain rule follows a change of manager', async () => {
      const group = await ts.write((w) => groupCreator(w, { name: "Alice's org", privacy: 'CLOSED' }));
      await ts.write((w) => groupMemberAdder(w, group, people.alice, 'admin'));
      const saved = await api('PUT', `/automation/rules/${group.id}`, { expression: 'reports_to eq "alice@example.com"', keep_manual: true });
      assert.deepEqual(saved.json.joined, [people.dave]);
      await patchUser('carol', [{ op: 'replace', path: `${ENT}:manager`, value: { value: people.dave } }]);
      assert.deepEqual(await members(group.id), ids('alice', 'carol', 'dave'), 'carol reports to dave, who reports to alice');
      await patchUser('dave', [{ op: 'remove', path: `${ENT}:manager` }]);
      assert.deepEqual(await members(group.id), ids('alice'), 'both leave when dave stops reporting to alice; the admin stays');
    });

    test('the guard refuses a change that would empty a large group; force applies it; the schedule re-applies', async () => {
      ts.ctx.config.ruleGuardMinimum = 4;
      ts.ctx.config.ruleGuardPercent = 25;
      try {
        const group = await ts.write((w) => groupCreator(w, { name: 'Everyone in Sales', privacy: 'OPEN' }));
        for (const k of ['alice', 'bob', 'carol', 'dave']) await ts.write((w) => groupMemberAdder(w, group, people[k]));
        const preview = await api('POST', '/automation/rules/preview', { group_id: group.id, expression: 'department eq "Legal"', keep_manual: false });
        assert.equal(preview.json.leaves.length, 4);
        assert.deepEqual(preview.json.guard, { refused: true, limit: 1 });
        const refused = await api('PUT', `/automation/rules/${group.id}`, { expression: 'department eq "Legal"', keep_manual: false });
        assert.equal(refused.status, 409, refused.text);
        assert.match(refused.json.error.message, /would remove 4 of 4 members/);
        assert.deepEqual((await members(group.id)).length, 4, 'nothing changed');
        const audit = await ts.ctx.db.selectFrom('audit_event').selectAll().where('target_id', '=', group.id).where('action', 'like', 'membership_rule.%').execute();
        assert.deepEqual(audit.map((a) => a.action), ['membership_rule.refused'], 'the refusal is audited; the rule was not saved');

        const forced = await api('PUT', `/automation/rules/${group.id}`, { expression: 'department eq "Sales"', keep_manual: false, force: true });
        assert.equal(forced.status, 200, forced.text);
        assert.deepEqual((await members(group.id)).sort(), ids('bob', 'dave'));

        await ts.ctx.db.updateTable('member').set({ department: 'Sales' }).where('id', '=', people.carol).execute();
        const worker = new AutomationWorker(ts.ctx);
        const cycle = await worker.runOnce();
        assert.equal(cycle.rulesSwept, true);
        assert.equal((await worker.runOnce()).rulesSwept, false, 'one sweep per period, whichever process takes it');
        await worker.stop();
        assert.deepEqual((await members(group.id)).sort(), ids('bob', 'carol', 'dave'), 'the scheduled sweep caught a change made behind the commands');
      } finally {
        ts.ctx.config.ruleGuardMinimum = 20;
        ts.ctx.config.ruleGuardPercent = 20;
      }
    });
  });
}
