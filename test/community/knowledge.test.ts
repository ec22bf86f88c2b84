import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { groupCreator } from '../../src/domain/commands/group.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

const BLOCKS = [{ type: 'text_block', children: [{ type: 'p', children: [{ type: 'text', text: 'Welcome to ' }, { type: 'text', text: 'the handbook', bold: true }] }, { type: 'h2', children: [{ type: 'text', text: 'Holidays' }] }] }];

for (const dialect of await dialects()) {
  describe(`Graph Knowledge Library (${dialect})`, () => {
    let ts: TestServer;
    let reader: string;
    let manager: string;
    let nothing: string;
    let scopedIn: string;
    let scopedOut: string;
    let g1: string;
    let g2: string;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      g1 = (await ts.write((w) => groupCreator(w, { name: 'Engineering' }))).id;
      g2 = (await ts.write((w) => groupCreator(w, { name: 'Sales' }))).id;
      reader = (await ts.integration(['read_work_knowledge'])).access_token;
      manager = (await ts.integration(['manage_work_knowledge'])).access_token;
      nothing = (await ts.integration(['read_group'])).access_token;
      scopedIn = (await ts.integration(['read_work_knowledge'], { groups: [g1] })).access_token;
      scopedOut = (await ts.integration(['read_work_knowledge'], { groups: [g2] })).access_token;
    });
    after(() => ts.close());

    const call = (method: string, path: string, token: string | undefined, form?: Record<string, string>) => http(method, `${ts.graph}${path}`, { token, form });
    const count = async (table: 'audit_event' | 'outbox' | 'knowledge_category' | 'knowledge_quick_link') =>
      Number((await ts.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const create = async (form: Record<string, string>, parent?: string) => {
      const res = await call('POST', parent ? `/${parent}/subcategories` : '/community/knowledge_library_categories', manager, form);
      assert.equal(res.status, 200, res.text);
      return res.json.id as string;
    };

    test('GET /community/knowledge_library_categories: 190 without a token, 200 without a Knowledge Library permission', async () => {
      assert.equal((await call('GET', '/community/knowledge_library_categories', undefined)).json.error.code, 190);
      const denied = await call('GET', '/community/knowledge_library_categories', nothing);
      assert.equal(denied.json.error.code, 200);
      assert.match(denied.json.error.message, /read_work_knowledge/);
      assert.deepEqual((await call('GET', '/community/knowledge_library_categories', reader)).json.data, []);
    });

    test('POST a root category: needs manage_work_knowledge; enums in any case; json_content kept, content derived; one audit event, no outbox row', async () => {
      assert.equal((await call('POST', '/community/knowledge_library_categories', undefined, { title: 'Handbook' })).json.error.code, 190);
      assert.equal((await call('POST', '/community/knowledge_library_categories', reader, { title: 'Handbook' })).json.error.code, 200);
      const audits = await count('audit_event');
      const outbox = await count('outbox');
      const id = await create({ title: '  Employee   Handbook ', color: 'Red', icon: 'rocket', json_content: JSON.stringify(BLOCKS) });
      assert.equal(await count('audit_event'), audits + 1);
      assert.equal(await count('outbox'), outbox, 'Workplace has no Knowledge Library webhook topic');
      const event = await ts.ctx.db.selectFrom('audit_event').selectAll().where('target_id', '=', id).executeTakeFirstOrThrow();
      assert.equal(event.action, 'knowledge.category_created');
      const got = await call('GET', `/${id}?fields=id,title,content,json_content,status,color,icon,last_updated,parent_id,order_index,read_audience{audience_type,groups,static_users,profile_set_conditions}`, reader);
      assert.equal(got.status, 200, got.text);
      assert.equal(got.json.title, 'Employee Handbook');
      assert.equal(got.json.color, 'RED');
      assert.equal(got.json.icon, 'ROCKET');
      assert.equal(got.json.status, 'PUBLISHED');
      assert.equal(got.json.content, 'Welcome to the handbook\n\nHolidays');
      assert.deepEqual(got.json.json_content, BLOCKS);
      assert.match(got.json.last_updated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
      assert.equal(got.json.parent_id, undefined);
      assert.equal(got.json.order_index, 0);
      assert.deepEqual(got.json.read_audience, { audience_type: 'EVERYONE', groups: { data: [] }, static_users: { data: [] }, profile_set_conditions: [] });
      assert.deepEqual((await call('GET', `/${id}`, reader)).json, { id, title: 'Employee Handbook' });
    });

    test('bad input is Graph error 100 with a clear message and writes nothing', async () => {
      const before = [await count('knowledge_category'), await count('audit_event')];
      const cases: [Record<string, string>, RegExp][] = [
        [{}, /title is required/],
        [{ title: 'x', color: 'Mauve' }, /color must be one of LIGHT_GRAY/],
        [{ title: 'x', icon: 'unicorn' }, /icon must be one of AIRPLANE/],
        [{ title: 'x', status: 'archived' }, /status must be one of PUBLISHED, DRAFT/],
        [{ title: 'x', read_audience: '{"audience_type":"INHERIT"}' }, /root category/],
        [{ title: 'x', read_audience: '{"audience_type":"GROUPS","groups":["123456"]}' }, /not a group/],
        [{ title: 'x', read_audience: '{"audience_type":"GROUPS"}' }, /needs groups/],
        [{ title: 'x', read_audience: 'not json' }, /must be JSON/],
        [{ title: 'x', json_content: '[{"children":[]}]' }, /needs a type/],
        [{ title: 'x', read_audience: '{"audience_type":"PROFILE_FIELDS","profile_set_conditions":[{"field":"SHOE_SIZE","values":["9"]}]}' }, /field must be one of TITLE/],
      ];
      for (const [form, message] of cases) {
        const res = await call('POST', '/community/knowledge_library_categories', manager, form);
        assert.equal(res.status, 400, `${JSON.stringify(form)}: ${res.text}`);
        assert.equal(res.json.error.code, 100);
        assert.match(res.json.error.message, message);
      }
      assert.deepEqual([await count('knowledge_category'), await count('audit_event')], before);
    });

    test('subcategories inherit the audience; a group audience hides a category and its subtree from tokens outside it, on every read path', async () => {
      const restricted = await create({ title: 'Engineering Wiki', read_audience: JSON.stringify({ audience_type: 'groups', groups: [g1] }) });
      const child = await create({ title: 'On-call' }, restricted);
      const grandchild = await create({ title: 'Runbooks', content: 'Page the **primary** first.' }, child);
      const childGot = await call('GET', `/${child}?fields=parent_id,read_audience{audience_type}`, reader);
      assert.deepEqual(childGot.json, { id: child, parent_id: restricted, read_audience: { audience_type: 'INHERIT' } });
      const subs = await call('GET', `/${restricted}/subcategories?fields=title`, scopedIn);
      assert.deepEqual(subs.json.data, [{ id: child, title: 'On-call' }]);
      const audience = await call('GET', `/${restricted}?fields=read_audience`, scopedIn);
      assert.deepEqual(audience.json.read_audience.groups, { data: [{ id: g1, name: 'Engineering' }] });

      for (const id of [restricted, child, grandchild]) {
        const hidden = await call('GET', `/${id}`, scopedOut);
        assert.equal(hidden.json.error.code, 100, `${id} is hidden from a token outside the audience`);
        assert.equal((await call('GET', `/${id}`, scopedIn)).status, 200);
      }
      const roots = async (token: string) => (await call('GET', '/community/knowledge_library_categories?fields=title', token)).json.data.map((c: { title: string }) => c.title);
      assert.ok((await roots(scopedIn)).includes('Engineering Wiki'));
      assert.ok(!(await roots(scopedOut)).includes('Engineering Wiki'));
      assert.ok((await roots(scopedOut)).includes('Employee Handbook'));
      const nested = await call('GET', '/community?fields=knowledge_library_categories{title,subcategories{title}}', scopedOut);
      assert.ok(!JSON.stringify(nested.json).includes('Engineering Wiki'));
      const batch = await call('GET', `/?ids=${restricted},${child}&fields=title`, scopedOut);
      assert.ok(!JSON.stringify(batch.json).includes('Engineering Wiki') && !JSON.stringify(batch.json).includes('On-call'), batch.text);
      assert.equal((await call('POST', `/${child}`, scopedOut, { title: 'x' })).json.error.code, 100);
    });

    test('drafts are read only with manage_work_knowledge', async () => {
      const draft = await create({ title: 'Reorg plan', status: 'draft' });
      assert.equal((await call('GET', `/${draft}`, reader)).json.error.code, 100);
      assert.equal((await call('GET', `/${draft}?fields=status`, manager)).json.status, 'DRAFT');
    });

    test('POST /{category-id} updates the fields given (a no-op writes nothing); DELETE removes the subtree', async () => {
      const top = await create({ title: 'Benefits', content: 'Dental and vision.' });
      const sub = await create({ title: 'Dental' }, top);
      assert.equal((await call('POST', `/${top}`, reader, { title: 'y' })).json.error.code, 200);
      const audits = await count('audit_event');
      assert.deepEqual((await call('POST', `/${top}`, manager, { title: 'Benefits 2026', color: 'dark_teal' })).json, { success: true });
      assert.equal(await count('audit_event'), audits + 1);
      const got = await call('GET', `/${top}?fields=title,color,content`, reader);
      assert.deepEqual(got.json, { id: top, title: 'Benefits 2026', color: 'DARK_TEAL', content: 'Dental and vision.' });
      assert.deepEqual((await call('POST', `/${top}`, manager, { title: 'Benefits 2026' })).json, { success: true });
      assert.equal(await count('audit_event'), audits + 1, 'a no-op writes no audit event');
      assert.equal((await call('POST', `/${top}`, manager, { color: 'plaid' })).json.error.code, 100);
      assert.equal((await call('DELETE', `/${top}`, reader)).json.error.code, 200);
      assert.deepEqual((await call('DELETE', `/${top}`, manager)).json, { success: true });
      assert.equal((await call('GET', `/${top}`, manager)).json.error.code, 100);
      assert.equal((await call('GET', `/${sub}`, manager)).json.error.code, 100);
      assert.equal(await count('audit_event'), audits + 2);
    });

    test('quick links: triad, create, list, update, delete; only http(s) links', async () => {
      assert.equal((await call('GET', '/community/knowledge_quick_links', undefined)).json.error.code, 190);
      assert.equal((await call('GET', '/community/knowledge_quick_links', nothing)).json.error.code, 200);
      assert.equal((await call('POST', '/community/knowledge_quick_links', reader, { title: 'HR', link: 'https://hr.example.com' })).json.error.code, 200);
      const before = await count('knowledge_quick_link');
      for (const form of [{ title: "Bad", link: "javascript:alert(1)" }, { title: "No link" }, { link: "https://x.example.com" }] as Record<string, string>[]) {
        assert.equal((await call('POST', '/community/knowledge_quick_links', manager, form)).json.error.code, 100);
      }
      assert.equal(await count('knowledge_quick_link'), before);
      const created = await call('POST', '/community/knowledge_quick_links', manager, { title: 'HR portal', link: 'https://hr.example.com/' });
      const id = created.json.id as string;
      const second = (await call('POST', '/community/knowledge_quick_links', manager, { title: 'IT help', link: 'https://it.example.com/' })).json.id as string;
      const list = await call('GET', '/community/knowledge_quick_links', reader);
      assert.deepEqual(list.json.data, [
        { id, title: 'HR portal', link: 'https://hr.example.com/' },
        { id: second, title: 'IT help', link: 'https://it.example.com/' },
      ]);
      assert.deepEqual((await call('POST', `/${id}`, manager, { title: 'People portal' })).json, { success: true });
      assert.equal((await call('GET', `/${id}?fields=title`, reader)).json.title, 'People portal');
      assert.deepEqual((await call('DELETE', `/${id}`, manager)).json, { success: true });
      assert.equal((await call('GET', `/${id}`, reader)).json.error.code, 100);
      const paged = await call('GET', '/community/knowledge_quick_links?limit=1', reader);
      assert.equal(paged.json.data.length, 1);
    });
  });
}
