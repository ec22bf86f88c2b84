import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

// Group docs (Workplace's notes) over real HTTP: POST/GET /{group}/docs, the doc node with every
// documented field, HTML sanitized on the way in, edits as kept revisions, DELETE, comments,
// likes and reactions, and the triad.

const FIELDS = 'id,can_delete,can_edit,cover_photo_url,created_time,from,icon,link,message,revision,subject,updated_time';

for (const dialect of await dialects()) {
  describe(`group docs (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let group: string;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      token = (await ts.integration(['read_group', 'write_group', 'manage_group'])).access_token;
      group = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Docs', privacy: 'OPEN' } })).json.id;
    });
    after(() => ts.close());

    const audits = async (action: string) => (await ts.ctx.db.selectFrom('audit_event').select('id').where('action', '=', action).execute()).length;

    test('the triad: no token 190, no permission 200, out of scope a missing object', async () => {
      const doc = (await http('POST', `${ts.graph}/${group}/docs`, { token, form: { title: 'Triad', body: '<p>x</p>' } })).json.id;
      assert.equal((await http('GET', `${ts.graph}/${group}/docs`)).json.error.code, 190);
      assert.equal((await http('POST', `${ts.graph}/${group}/docs`, { form: { title: 'x' } })).json.error.code, 190);
      const reader = (await ts.integration(['read_group'])).access_token;
      assert.equal((await http('POST', `${ts.graph}/${group}/docs`, { token: reader, form: { title: 'x' } })).json.error.code, 200);
      assert.equal((await http('POST', `${ts.graph}/${doc}`, { token: reader, form: { title: 'y' } })).json.error.code, 200);
      const writer = (await ts.integration(['write_group'])).access_token;
      assert.equal((await http('GET', `${ts.graph}/${group}/docs`, { token: writer })).json.error.code, 200);
      const other = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Other', privacy: 'OPEN' } })).json.id;
      const scoped = (await ts.integration(['read_group', 'write_group'], { groups: [other] })).access_token;
      for (const [method, url] of [['GET', `${ts.graph}/${group}/docs`], ['GET', `${ts.graph}/${doc}`], ['POST', `${ts.graph}/${doc}?title=z`], ['DELETE', `${ts.graph}/${doc}`]]) {
        const r = await http(method, url, { token: scoped });
        assert.equal(r.status, 400, `${method} ${url}: ${r.text}`);
        assert.equal(r.json.error.code, 100);
      }
      const noTitle = await http('POST', `${ts.graph}/${group}/docs`, { token, form: { body: '<p>no title</p>' } });
      assert.equal(noTitle.json.error.code, 100, noTitle.text);
    });

    test('create with HTML that is sanitized on the way in; read every documented field; list it', async () => {
      const before = await audits('post.created');
      const body = '<h1 onclick="steal()">Plan</h1><p>Ship <b>it</b><script>alert(1)</script> <a href="javascript:alert(1)">bad</a> <a href="https://example.com">good</a></p><iframe src="https://evil.example"></iframe><img src="https://example.com/a.png" onerror="x()">';
      const created = await http('POST', `${ts.graph}/${group}/docs`, { token, form: { title: 'Roadmap', body } });
      assert.equal(created.status, 200, created.text);
      assert.equal(await audits('post.created'), before + 1, 'one audit event for the doc and its post');
      const doc = created.json.id;
      const read = await http('GET', `${ts.graph}/${doc}?fields=${FIELDS}`, { token });
      assert.equal(read.status, 200, read.text);
      const d = read.json;
      assert.equal(d.subject, 'Roadmap');
      assert.equal(d.revision, '1');
      assert.equal(d.can_edit, true);
      assert.equal(d.can_delete, true);
      assert.ok(d.from.id);
      assert.match(d.link, new RegExp(`/groups/${group}/docs/${doc}$`));
      assert.match(d.icon, /doc-icon\.svg$/);
      assert.match(d.created_time, /\+0000$/);
      assert.ok(!('cover_photo_url' in d));
      assert.ok(!/script|onclick|onerror|javascript:|iframe/i.test(d.message), d.message);
      assert.match(d.message, /<h1>Plan<\/h1>/);
      assert.match(d.message, /<b>it<\/b>/);
      assert.match(d.message, /<a href="https:\/\/example.com" rel="noopener noreferrer nofollow" target="_blank">good<\/a>/);
      assert.match(d.message, /<img src="https:\/\/example.com\/a.png" \/>/);

      const list = await http('GET', `${ts.graph}/${group}/docs?fields=id,subject,revision`, { token });
      assert.equal(list.json.data[0].id, doc, 'most recently updated first');
      const feed = await http('GET', `${ts.graph}/${group}/feed?fields=message`, { token });
      assert.ok(feed.json.data.some((p: { message?: string }) => p.message === 'Roadmap'), 'the doc shows in the feed');

      const other = (await ts.integration(['read_group'])).access_token;
      const asReader = await http('GET', `${ts.graph}/${doc}?fields=can_edit,can_delete`, { token: other });
      assert.deepEqual([asReader.json.can_edit, asReader.json.can_delete], [false, false]);
    });

    test('edits are revisions, all kept; a no-op edit writes nothing; delete takes revisions, post and comments', async () => {
      const doc = (await http('POST', `${ts.graph}/${group}/docs`, { token, form: { title: 'Notes', body: '<p>one</p>' } })).json.id;
      const editor = (await ts.integration(['read_group', 'write_group'], { name: 'Editor Bot' })).access_token;
      const edit = await http('POST', `${ts.graph}/${doc}`, { token: editor, form: { body: '<p>two</p><style>p{}</style>' } });
      assert.equal(edit.status, 200, edit.text);
      await http('POST', `${ts.graph}/${doc}`, { token, json: { title: 'Notes v3' } });
      const updates = await audits('doc.updated');
      const same = await http('POST', `${ts.graph}/${doc}`, { token, form: { title: 'Notes v3' } });
      assert.equal(same.status, 200);
      assert.equal(await audits('doc.updated'), updates, 'no change, no event');

      const read = await http('GET', `${ts.graph}/${doc}?fields=subject,message,revision,revisions{revision,subject,message,from}`, { token });
      assert.equal(read.status, 200, read.text);
      assert.equal(read.json.revision, '3');
      assert.equal(read.json.subject, 'Notes v3');
      assert.equal(read.json.message, '<p>two</p>');
      assert.deepEqual(read.json.revisions.data.map((r: { revision: string }) => r.revision), ['3', '2', '1']);
      assert.equal(read.json.revisions.data[2].message, '<p>one</p>');
      assert.equal(read.json.revisions.data[1].from.name, 'Editor Bot');
      const paged = await http('GET', `${ts.graph}/${doc}/revisions?limit=1`, { token });
      const next = await http('GET', paged.json.paging.next, { token });
      assert.equal(next.json.data[0].revision, '2');

      const comment = await http('POST', `${ts.graph}/${doc}/comments`, { token, form: { message: 'Nice' } });
      assert.equal(comment.status, 200, comment.text);
      assert.equal((await http('POST', `${ts.graph}/${doc}/likes`, { token })).status, 200);
      const feedback = await http('GET', `${ts.graph}/${doc}?fields=comments.summary(true),likes,reactions{type}`, { token });
      assert.equal(feedback.json.comments.summary.total_count, 1);
      assert.equal(feedback.json.reactions.data[0].type, 'LIKE');

      const reader = (await ts.integration(['read_group'])).access_token;
      const readerDelete = await http('DELETE', `${ts.graph}/${doc}`, { token: reader });
      assert.equal(readerDelete.json.error.code, 200, 'deleting someone else\'s doc needs the moderation permission');
      const del = await http('DELETE', `${ts.graph}/${doc}`, { token });
      assert.equal(del.status, 200, del.text);
      assert.equal((await http('GET', `${ts.graph}/${doc}`, { token })).json.error.code, 100);
      assert.equal((await ts.ctx.db.selectFrom('doc_revision').select('revision').where('doc_id', '=', doc).execute()).length, 0);
      assert.equal((await http('GET', `${ts.graph}/${comment.json.id}`, { token })).json.error.code, 100, 'its comments went too');
    });
  });
}
