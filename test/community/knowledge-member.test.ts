import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import { categoryCreator, knowledgeEditorSetter } from '../../src/domain/commands/knowledge.js';
import { findMemberById } from '../../src/db/repositories/member.js';
import { dialects } from '../helpers/dialects.js';
import { http, SIGN_IN, startServer, type TestServer } from '../helpers/server.js';

// The member app's Knowledge Library API: the audience rules for members (groups, names,
// profile conditions, drafts, ancestors), search, and the editor's writes.

for (const dialect of await dialects()) {
  describe(`member app Knowledge Library (${dialect})`, () => {
    let ts: TestServer;
    type Session = { cookie: string; csrf: string };
    let eng: Session;
    let sales: Session;
    let editor: Session;
    let ids: Record<string, string>;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      const e = await ts.member({ name: 'Eve Engineer', email: 'eve@example.com', title: 'Staff Engineer', department: 'Platform', password: 'eve-pass-123456' });
      await ts.member({ name: 'Sam Sales', email: 'sam@example.com', title: 'Account Executive', department: 'Sales', password: 'sam-pass-123456' });
      const ed = await ts.member({ name: 'Edda Editor', email: 'edda@example.com', password: 'edda-pass-123456' });
      const group = await ts.write((w) => groupCreator(w, { name: 'Engineering' }));
      await ts.write((w) => groupMemberAdder(w, group, e.id));
      await ts.write(async (w) => knowledgeEditorSetter(w, (await findMemberById(w.trx, ed.id))!, true));
      const make = (title: string, content: string, extra: Record<string, unknown> = {}, parent: string | null = null) =>
        ts.write(async (w) => (await categoryCreator(w, parent ? (await w.trx.selectFrom('knowledge_category').selectAll().where('id', '=', parent).executeTakeFirstOrThrow()) : null, { title, content, ...extra })).id);
      ids = {};
      ids.handbook = await make('Handbook', 'Holidays and **expenses**.');
      ids.wiki = await make('Engineering wiki', 'Deploy trains leave daily.', { read_audience: { audience_type: 'GROUPS', groups: [group.id] } });
      ids.oncall = await make('On-call', 'Page the primary for outages.', {}, ids.wiki);
      ids.staff = await make('Staff track', 'Promotion to staff engineer.', { read_audience: { audience_type: 'PROFILE_FIELDS', profile_set_conditions: [{ field: 'title', operator: 'contains', values: ['engineer'] }] } });
      ids.sam = await make('Quota letter', 'Your quota for the year.', { read_audience: { audience_type: 'STATIC_USERS', static_users: [(await ts.ctx.db.selectFrom('member').select('id').where('email', '=', 'sam@example.com').executeTakeFirstOrThrow()).id] } });
      ids.draft = await make('Reorg', 'Not yet.', { status: 'DRAFT' });
      eng = await signIn('eve@example.com', 'eve-pass-123456');
      sales = await signIn('sam@example.com', 'sam-pass-123456');
      editor = await signIn('edda@example.com', 'edda-pass-123456');
    });
    after(() => ts.close());

    async function signIn(email: string, password: string): Promise<Session> {
      const r = await http('POST', `${ts.base}/api/session`, { json: { email, password }, headers: SIGN_IN });
      assert.equal(r.status, 200, r.text);
      return { cookie: r.headers.get('set-cookie')!.split(';')[0], csrf: r.json.csrf_token as string };
    }
    const api = (s: Session, method: string, path: string, json?: unknown) => http(method, `${ts.base}/api${path}`, { json, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    const titles = async (s: Session) => (await api(s, 'GET', '/knowledge')).json.categories.map((c: { title: string }) => c.title).sort();

    test('without a session: 401', async () => {
      assert.equal((await http('GET', `${ts.base}/api/knowledge`)).status, 401);
    });

    test('each member sees the pages their groups, name and profile admit; drafts only editors', async () => {
      assert.deepEqual(await titles(eng), ['Engineering wiki', 'Handbook', 'On-call', 'Staff track']);
      assert.deepEqual(await titles(sales), ['Handbook', 'Quota letter']);
      assert.deepEqual(await titles(editor), ['Engineering wiki', 'Handbook', 'On-call', 'Quota letter', 'Reorg', 'Staff track']);
      assert.equal((await api(sales, 'GET', `/knowledge/${ids.oncall}`)).status, 404, 'a subpage of a page you cannot read is hidden too');
      assert.equal((await api(eng, 'GET', `/knowledge/${ids.draft}`)).status, 404);
      assert.equal((await api(eng, 'GET', '/knowledge')).json.can_edit, false);
      assert.equal((await api(editor, 'GET', '/knowledge')).json.can_edit, true);
    });

    test('a page is a tree of safe nodes; editors also get its source and audience', async () => {
      const page = await api(eng, 'GET', `/knowledge/${ids.handbook}`);
      assert.equal(page.status, 200, page.text);
      assert.deepEqual(page.json.document, [{ kind: 'element', tag: 'p', children: [{ kind: 'text', text: 'Holidays and ' }, { kind: 'element', tag: 'strong', children: [{ kind: 'text', text: 'expenses' }] }, { kind: 'text', text: '.' }] }]);
      assert.equal(page.json.content, undefined);
      const forEditor = await api(editor, 'GET', `/knowledge/${ids.wiki}`);
      assert.equal(forEditor.json.read_audience.audience_type, 'GROUPS');
      assert.deepEqual(forEditor.json.read_audience.groups.map((g: { name: string }) => g.name), ['Engineering']);
    });

    test('search by title and text only finds pages the member may read', async () => {
      const hits = async (s: Session, q: string) => (await api(s, 'GET', `/knowledge/search?q=${encodeURIComponent(q)}`)).json.data.map((h: { title: string }) => h.title);
      assert.deepEqual(await hits(eng, 'PRIMARY'), ['On-call']);
      assert.deepEqual(await hits(sales, 'primary'), []);
      assert.deepEqual(await hits(sales, 'quota'), ['Quota letter']);
      assert.deepEqual(await hits(eng, 'engineer'), ['Engineering wiki', 'Staff track']);
      const withExcerpt = (await api(eng, 'GET', '/knowledge/search?q=trains')).json.data[0];
      assert.match(withExcerpt.excerpt, /Deploy trains leave daily/);
    });

    test('only editors write; writes are audited and bad input is a 400 that writes nothing', async () => {
      assert.equal((await api(eng, 'POST', '/knowledge', { title: 'Mine' })).status, 403);
      assert.equal((await api(eng, 'DELETE', `/knowledge/${ids.handbook}`)).status, 403);
      const before = await ts.ctx.db.selectFrom('knowledge_category').select('id').execute();
      assert.equal((await api(editor, 'POST', '/knowledge', { title: 'x', color: 'mauve' })).status, 400);
      assert.equal((await api(editor, 'POST', '/knowledge', { title: 5 })).status, 400);
      assert.equal((await ts.ctx.db.selectFrom('knowledge_category').select('id').execute()).length, before.length);
      const created = await api(editor, 'POST', '/knowledge', { title: 'Travel', content: 'Book through the portal.', parent_id: ids.handbook, color: 'teal' });
      assert.equal(created.status, 200, created.text);
      assert.equal(created.json.parent_id, ids.handbook);
      const event = await ts.ctx.db.selectFrom('audit_event').selectAll().where('target_id', '=', created.json.id).executeTakeFirstOrThrow();
      assert.equal(event.action, 'knowledge.category_created');
      assert.equal(event.actor_type, 'member');
      const updated = await api(editor, 'POST', `/knowledge/${created.json.id}`, { title: 'Travel policy' });
      assert.equal(updated.json.title, 'Travel policy');
      assert.equal((await api(eng, 'GET', `/knowledge/${created.json.id}`)).json.last_editor.name, 'Edda Editor');
      const link = await api(editor, 'POST', '/knowledge_quick_links', { title: 'Expenses', link: 'https://expenses.example.com/' });
      assert.equal(link.status, 200, link.text);
      assert.equal((await api(editor, 'POST', '/knowledge_quick_links', { title: 'Bad', link: 'javascript:alert(1)' })).status, 400);
      assert.deepEqual((await api(eng, 'GET', '/knowledge')).json.quick_links, [{ id: link.json.id, title: 'Expenses', link: 'https://expenses.example.com/' }]);
      assert.equal((await api(editor, 'DELETE', `/knowledge/${created.json.id}`)).status, 200);
      assert.equal((await api(eng, 'GET', `/knowledge/${created.json.id}`)).status, 404);
    });
  });
}
