import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { groupCreator } from '../../src/domain/commands/group.js';
import { dialects } from '../helpers/dialects.js';
import { IMAGE_HOST_ENV, type ImageHost, startImageHost } from '../helpers/images.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { adminSession } from '../webhooks/helpers.js';

// The rest of the Knowledge Library: photos into a category (by URL and by upload, through the
// media store), moving and reordering categories (cycles refused, positions kept dense), and
// the admin panel's Knowledge Library editors.

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

for (const dialect of await dialects()) {
  describe(`Knowledge Library media, moves and editors (${dialect})`, () => {
    let ts: TestServer;
    let reader: string;
    let manager: string;
    let nothing: string;
    let restricted: string;
    let scopedElsewhere: string;
    let host: ImageHost;
    before(async () => {
      host = await startImageHost();
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0', ...IMAGE_HOST_ENV } });
      reader = (await ts.integration(['read_work_knowledge'])).access_token;
      manager = (await ts.integration(['manage_work_knowledge'])).access_token;
      nothing = (await ts.integration(['read_group'])).access_token;
      const g = await ts.write((w) => groupCreator(w, { name: 'Finance' }));
      restricted = g.id;
      const elsewhere = await ts.write((w) => groupCreator(w, { name: 'Elsewhere' }));
      scopedElsewhere = (await ts.integration(['read_work_knowledge'], { groups: [elsewhere.id] })).access_token;
    });
    after(async () => {
      await ts?.close();
      await host?.close();
    });

    const call = (method: string, path: string, token: string | undefined, form?: Record<string, string>) => http(method, `${ts.graph}${path}`, { token, form });
    const create = async (title: string, parent?: string, extra: Record<string, string> = {}) => {
      const res = await call('POST', parent ? `/${parent}/subcategories` : '/community/knowledge_library_categories', manager, { title, ...extra });
      assert.equal(res.status, 200, res.text);
      return res.json.id as string;
    };
    const audits = (id: string, action: string) => ts.ctx.db.selectFrom('audit_event').selectAll().where('target_id', '=', id).where('action', '=', action).execute();
    const children = async (parent?: string) =>
      (await call('GET', parent ? `/${parent}/subcategories?fields=title,order_index` : '/community/knowledge_library_categories?fields=title,order_index', reader)).json.data.map((c: { title: string; order_index: number }) => `${c.order_index}:${c.title}`);

    test('POST /{category-id}/photos by URL and by upload: triad, one audit event each, listed on the category with stored files served', async () => {
      const page = await create('Office tour');
      assert.equal((await call('POST', `/${page}/photos`, undefined, { url: host.url('lobby.jpg') })).json.error.code, 190);
      assert.equal((await call('POST', `/${page}/photos`, reader, { url: host.url('lobby.jpg') })).json.error.code, 200);
      assert.equal((await call('POST', `/${page}/photos`, nothing, { url: host.url('lobby.jpg') })).json.error.code, 200);
      assert.equal((await call('POST', `/${page}/photos`, manager, {})).json.error.code, 100);
      assert.equal((await call('POST', `/${page}/photos`, manager, { url: 'javascript:alert(1)' })).json.error.code, 100);
      const mediaBefore = await ts.ctx.db.selectFrom('media').select('id').execute();
      const byUrl = await call('POST', `/${page}/photos`, manager, { url: host.url('lobby.jpg'), caption: 'The lobby' });
      assert.equal(byUrl.status, 200, byUrl.text);
      assert.match(byUrl.json.id, /^\d+$/);

      const form = new FormData();
      form.append('source', new Blob([PNG], { type: 'image/png' }), 'desk.png');
      form.append('caption', 'A desk');
      const upload = await http('POST', `${ts.graph}/${page}/photos`, { token: manager, body: form });
      assert.equal(upload.status, 200, upload.text);
      const bad = new FormData();
      bad.append('source', new Blob([Buffer.from('not an image')], { type: 'image/png' }), 'x.png');
      const refused = await http('POST', `${ts.graph}/${page}/photos`, { token: manager, body: bad });
      assert.equal(refused.json.error.code, 100, refused.text);
      assert.equal((await ts.ctx.db.selectFrom('media').select('id').execute()).length, mediaBefore.length + 2, 'a refused upload leaves no row');
      assert.equal((await audits(page, 'knowledge.media_added')).length, 2);

      const listed = await call('GET', `/${page}/photos?fields=id,name,images`, reader);
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.json.data.map((p: { id: string }) => p.id), [byUrl.json.id, upload.json.id]);
      const nested = await call('GET', `/${page}?fields=title,photos{id}`, reader);
      assert.equal(nested.json.photos.data.length, 2);
      const stored = await ts.ctx.db.selectFrom('media').selectAll().where('id', '=', upload.json.id).executeTakeFirstOrThrow();
      assert.ok(stored.file_name, 'the upload went into the media store');
      assert.ok(await ts.ctx.media.get(stored.file_name!), "the stored file is in the media store");
      assert.equal((await call('GET', `/${page}/photos`, nothing)).json.error.code, 200);

      // A category the reader may not see hides its photos like the category itself.
      const hidden = await create('Payroll', undefined, { read_audience: JSON.stringify({ audience_type: 'GROUPS', groups: [restricted] }) });
      await call('POST', `/${hidden}/photos`, manager, { url: host.url('payslip.png') });
      assert.equal((await call('GET', `/${hidden}/photos`, scopedElsewhere)).json.error.code, 100);
      assert.equal((await call('GET', `/${hidden}/photos`, reader)).json.data.length, 1, 'a community-wide reader sees it');
      assert.equal((await call('DELETE', `/${hidden}`, manager)).status, 200);

      assert.equal((await call('DELETE', `/${page}`, manager)).status, 200);
      assert.deepEqual(await ts.ctx.db.selectFrom('media').select('id').where('id', 'in', [byUrl.json.id, upload.json.id]).execute(), [], 'deleting the category deletes its photos');
      assert.deepEqual(await ts.ctx.db.selectFrom('knowledge_media').selectAll().where('category_id', '=', page).execute(), []);
    });

    test('POST /{category-id} with order_index reorders siblings, with parent_id moves; cycles and unknown parents are refused', async () => {
      const root = await create('Handbook');
      const a = await create('A', root);
      const b = await create('B', root);
      const c = await create('C', root);
      const other = await create('Policies');
      assert.deepEqual(await children(root), ['0:A', '1:B', '2:C']);

      assert.equal((await call('POST', `/${c}`, manager, { order_index: '0' })).status, 200);
      assert.deepEqual(await children(root), ['0:C', '1:A', '2:B']);
      const [moved] = await audits(c, 'knowledge.category_updated');
      assert.deepEqual(JSON.parse(moved.new_value!), { parent_id: root, order_index: 0 });
      assert.equal((await call('POST', `/${c}`, manager, { order_index: '0' })).status, 200);
      assert.equal((await audits(c, 'knowledge.category_updated')).length, 1, 'the same place again writes nothing');
      assert.equal((await call('POST', `/${a}`, manager, { order_index: '99' })).status, 200);
      assert.deepEqual(await children(root), ['0:C', '1:B', '2:A'], 'past the end means last');
      assert.equal((await call('POST', `/${a}`, manager, { order_index: '-1' })).json.error.code, 100);

      const deep = await create('Deep', b);
      for (const target of [b, deep]) {
        const cycle = await call('POST', `/${b}`, manager, { parent_id: target });
        assert.equal(cycle.json.error.code, 100, cycle.text);
        assert.match(cycle.json.error.message, target === b ? /own parent/ : /cycle/);
      }
      assert.equal((await call('POST', `/${b}`, manager, { parent_id: '999999' })).json.error.code, 100);
      assert.equal((await call('POST', `/${b}`, reader, { parent_id: other })).json.error.code, 200);

      const move = await call('POST', `/${b}`, manager, { parent_id: other, order_index: '0', title: 'B moved' });
      assert.equal(move.status, 200, move.text);
      assert.deepEqual(await children(root), ['0:C', '1:A'], 'the gap closes');
      assert.deepEqual(await children(other), ['0:B moved']);
      assert.deepEqual(await children(b), ['0:Deep'], 'the subtree moves along');
      const [last] = (await audits(b, 'knowledge.category_updated')).slice(-1);
      assert.deepEqual(JSON.parse(last.new_value!), { title: 'B moved', parent_id: other, order_index: 0 });

      const toRoot = await http('POST', `${ts.graph}/${a}`, { token: manager, json: { parent_id: null } });
      assert.equal(toRoot.status, 200, toRoot.text);
      assert.deepEqual(await children(), ['0:Handbook', '1:Policies', '2:A'], 'a subcategory moved to the top is last among the roots');
      const promoted = await call('GET', `/${a}?fields=parent_id,read_audience{audience_type}`, reader);
      assert.equal(promoted.json.parent_id, undefined);
      assert.equal(promoted.json.read_audience.audience_type, 'EVERYONE', 'an inherited audience becomes everyone at the top');
    });

    test('admin panel: Knowledge Library editors are listed, granted and revoked, and an editor may then write from the member app', async () => {
      const admin = await adminSession(ts);
      const eda = await ts.member({ email: 'eda@example.com', name: 'Eda Editor', password: 'eda-pass-1234567' });
      assert.deepEqual((await admin('GET', '/knowledge/editors')).json.data, []);
      assert.equal((await admin('PUT', '/knowledge/editors/1')).status, 404);
      const granted = await admin('PUT', `/knowledge/editors/${eda.id}`, {});
      assert.equal(granted.status, 200, granted.text);
      assert.equal(granted.json.changed, true);
      assert.equal((await admin('PUT', `/knowledge/editors/${eda.id}`, {})).json.changed, false);
      assert.equal((await audits(eda.id, 'knowledge.editor_granted')).length, 1);
      assert.deepEqual((await admin('GET', '/knowledge/editors')).json.data.map((e: { name: string }) => e.name), ['Eda Editor']);

      const signIn = await http('POST', `${ts.base}/api/session`, { json: { email: 'eda@example.com', password: 'eda-pass-1234567' }, headers: { 'x-csrf-token': 'sign-in' } });
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
      const created = await http('POST', `${ts.base}/api/knowledge`, { json: { title: 'Written by Eda' }, headers: { cookie, 'x-csrf-token': signIn.json.csrf_token } });
      assert.equal(created.status, 200, created.text);

      assert.equal((await admin('DELETE', `/knowledge/editors/${eda.id}`)).json.changed, true);
      assert.equal((await audits(eda.id, 'knowledge.editor_revoked')).length, 1);
      const refused = await http('POST', `${ts.base}/api/knowledge`, { json: { title: 'Again' }, headers: { cookie, 'x-csrf-token': signIn.json.csrf_token } });
      assert.equal(refused.status, 403, refused.text);
    });
  });
}
