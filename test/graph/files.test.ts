import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

// Group files over real HTTP: POST /group_file_revisions (multipart `file`), files= on
// POST /{group}/feed, GET /{group}/files with cursors, the file attachment on the post, signed
// downloads, per-kind size limits, and deletion that leaves no file in the media store.

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

function upload(name: string, data: Buffer | string, type = 'application/pdf'): FormData {
  const form = new FormData();
  form.append('file', new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type }), name);
  return form;
}

const mediaFiles = (ts: TestServer) => {
  const dir = path.join(ts.dataDir, 'media');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => !f.endsWith('.tmp')) : [];
};
const spooled = (ts: TestServer) => {
  const dir = path.join(ts.dataDir, 'uploads');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};

for (const dialect of await dialects()) {
  describe(`group files (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let group: string;
    let other: string;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0', COMMONPLACE_FILE_MAX_BYTES: String(12 * 1024 * 1024) } });
      token = (await ts.integration(['read_group', 'write_group', 'manage_group'])).access_token;
      group = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Files', privacy: 'OPEN' } })).json.id;
      other = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Elsewhere', privacy: 'OPEN' } })).json.id;
    });
    after(() => ts.close());

    const uploadFile = async (name: string, data: Buffer | string, type?: string, as = token) => {
      const r = await http('POST', `${ts.graph}/group_file_revisions`, { token: as, body: upload(name, data, type) });
      assert.equal(r.status, 200, r.text);
      assert.match(r.json.id, /^\d+$/);
      return r.json.id as string;
    };

    test('the triad: no token 190, no write permission 200, a group out of scope reads as a missing object', async () => {
      const none = await http('POST', `${ts.graph}/group_file_revisions`, { body: upload('a.pdf', 'x') });
      assert.equal(none.json.error.code, 190, none.text);
      const reader = (await ts.integration(['read_group'])).access_token;
      const denied = await http('POST', `${ts.graph}/group_file_revisions`, { token: reader, body: upload('a.pdf', 'x') });
      assert.equal(denied.json.error.code, 200, denied.text);
      const id = await uploadFile('scope.pdf', 'scoped');
      const post = await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'scoped file', files: id } });
      assert.equal(post.status, 200, post.text);
      const scoped = (await ts.integration(['read_group', 'write_group'], { groups: [other] })).access_token;
      for (const url of [`${ts.graph}/${group}/files`, `${ts.graph}/${id}`]) {
        const r = await http('GET', url, { token: scoped });
        assert.equal(r.status, 400, r.text);
        assert.equal(r.json.error.code, 100, url);
      }
      const noRead = (await ts.integration(['write_group'])).access_token;
      assert.equal((await http('GET', `${ts.graph}/${group}/files`, { token: noRead })).json.error.code, 200);
    });

    test('upload, post with files=, list with every documented field, attachment on the post, signed download', async () => {
      const audits = async () => (await ts.ctx.db.selectFrom('audit_event').select('id').where('action', '=', 'group_file.uploaded').execute()).length;
      const before = await audits();
      const pdf = await uploadFile('Quarterly report.pdf', '%PDF-1.4 report');
      const pic = await uploadFile('chart.png', PNG, 'image/png');
      assert.equal(await audits(), before + 2, 'one audit event per upload');
      const unattached = await http('GET', `${ts.graph}/${group}/files`, { token });
      assert.ok(!unattached.json.data.some((f: { id: string }) => f.id === pdf), 'an unattached upload is not in the group yet');

      const post = await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'Numbers for Q3', files: `${pdf},${pic}` } });
      assert.equal(post.status, 200, post.text);
      const list = await http('GET', `${ts.graph}/${group}/files?fields=id,download_link,from,group,message,updated_time`, { token });
      assert.equal(list.status, 200, list.text);
      const listed = list.json.data.find((f: { id: string }) => f.id === pdf);
      assert.ok(listed, list.text);
      assert.equal(listed.message, 'Numbers for Q3');
      assert.equal(listed.group.id, group);
      assert.ok(listed.from.id && listed.from.name, 'from is the bot page');
      assert.match(listed.updated_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
      assert.match(listed.download_link, new RegExp(`^${ts.base}/group-files/${pdf}/`));

      const download = await fetch(listed.download_link);
      assert.equal(download.status, 200);
      assert.equal(await download.text(), '%PDF-1.4 report');
      assert.equal(download.headers.get('content-type'), 'application/pdf');
      assert.match(download.headers.get('content-disposition') ?? '', /^attachment; .*filename\*=UTF-8''Quarterly%20report\.pdf/);
      const forged = await fetch(listed.download_link.replace(/hash=[^&]+/, 'hash=1.forgedforgedforgedforged'));
      assert.equal(forged.status, 404, 'a link with a wrong signature serves nothing');

      const attachments = await http('GET', `${ts.graph}/${post.json.id}?fields=attachments`, { token });
      const files = attachments.json.attachments.data;
      assert.deepEqual(files.map((a: { type: string }) => a.type), ['file_upload', 'file_upload']);
      assert.equal(files[0].title, 'Quarterly report.pdf');
      assert.equal(files[0].url, listed.download_link);
      assert.match(files[0].media.image.src, /file-icon\.svg$/);
      assert.equal(files[1].title, 'chart.png');
      assert.match(files[1].media.image.src, new RegExp(`/group-files/${pic}/`), 'an image file previews as itself');
      const image = await fetch(files[1].url);
      assert.equal(image.headers.get('content-type'), 'image/png');
      assert.match(image.headers.get('content-disposition') ?? '', /^inline/);

      const again = await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'reuse', files: pdf } });
      assert.equal(again.status, 400, 'a file goes in one post');
      assert.equal(again.json.error.code, 100);
    });

    test('files= takes a JSON array too; a file declared as an image that is none downloads as bytes', async () => {
      const fake = await uploadFile('fake.png', '<html><script>alert(1)</script></html>', 'image/png');
      const html = await uploadFile('page.html', '<html></html>', 'text/html');
      const post = await http('POST', `${ts.graph}/${group}/feed`, { token, json: { files: [fake, Number(html)] } });
      assert.equal(post.status, 200, post.text);
      const list = await http('GET', `${ts.graph}/${group}/files?fields=id,download_link&limit=100`, { token });
      const links = new Map(list.json.data.map((f: { id: string; download_link: string }) => [f.id, f.download_link]));
      const fakeDownload = await fetch(links.get(fake) as string);
      assert.equal(fakeDownload.headers.get('content-type'), 'application/octet-stream');
      assert.match(fakeDownload.headers.get('content-disposition') ?? '', /^attachment/);
      const htmlDownload = await fetch(links.get(html) as string);
      assert.match(htmlDownload.headers.get('content-disposition') ?? '', /^attachment/);
      assert.match(htmlDownload.headers.get('content-security-policy') ?? '', /sandbox/);
      const timeline = await http('POST', `${ts.graph}/me/feed`, { token, form: { message: 'x', files: await uploadFile('t.txt', 't', 'text/plain') } });
      assert.equal(timeline.status, 400, timeline.text);
    });

    test('a 10 MiB file uploads, lists and downloads byte for byte; past the configured limit it is a Graph error and nothing is kept', async () => {
      const big = Buffer.alloc(10 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
      const id = await uploadFile('big.bin', big, 'application/octet-stream');
      await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'big one', files: id } });
      const file = await http('GET', `${ts.graph}/${id}?fields=download_link`, { token });
      const bytes = Buffer.from(await (await fetch(file.json.download_link)).arrayBuffer());
      assert.equal(bytes.length, big.length);
      assert.ok(bytes.equals(big), 'the download is the upload');

      const storedBefore = mediaFiles(ts).length;
      const rowsBefore = (await ts.ctx.db.selectFrom('group_file').select('id').execute()).length;
      const tooBig = await http('POST', `${ts.graph}/group_file_revisions`, { token, body: upload('huge.bin', Buffer.alloc(12 * 1024 * 1024 + 1)) });
      assert.equal(tooBig.status, 413, tooBig.text);
      assert.equal(tooBig.json.error.code, 100);
      assert.match(tooBig.json.error.message, /group file has at most 12 MiB/);
      assert.equal(mediaFiles(ts).length, storedBefore, 'nothing stored');
      assert.equal((await ts.ctx.db.selectFrom('group_file').select('id').execute()).length, rowsBefore, 'no row');
      assert.deepEqual(spooled(ts), [], 'no spooled part left behind');
      const empty = await http('POST', `${ts.graph}/group_file_revisions`, { token, body: upload('empty.txt', '') });
      assert.equal(empty.status, 400, empty.text);
      const noFile = await http('POST', `${ts.graph}/group_file_revisions`, { token, form: { file: 'not a file' } });
      assert.equal(noFile.status, 400, noFile.text);
      assert.equal(noFile.json.error.code, 100);
    });

    test('deleting a file, its post, or expiring an unattached upload removes the stored bytes', async () => {
      const a = await uploadFile('a.txt', 'alpha', 'text/plain');
      const b = await uploadFile('b.txt', 'beta', 'text/plain');
      const post = await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'two files', files: `${a},${b}` } });
      const key = async (id: string) => (await ts.ctx.db.selectFrom('group_file').select('file_name').where('id', '=', id).executeTakeFirst())?.file_name;
      const keyA = (await key(a))!;
      const keyB = (await key(b))!;
      assert.ok(mediaFiles(ts).includes(keyA) && mediaFiles(ts).includes(keyB));
      const del = await http('DELETE', `${ts.graph}/${a}`, { token });
      assert.equal(del.status, 200, del.text);
      assert.ok(!mediaFiles(ts).includes(keyA), 'the deleted file left the store');
      assert.equal((await http('GET', `${ts.graph}/${a}`, { token })).json.error.code, 100);
      await http('DELETE', `${ts.graph}/${post.json.id}`, { token });
      assert.ok(!mediaFiles(ts).includes(keyB), 'deleting the post took its file along');
      assert.equal((await ts.ctx.db.selectFrom('media_trash').select('key').execute()).length, 0, 'the trash is empty');

      const lonely = await uploadFile('lonely.txt', 'never posted', 'text/plain');
      const keyL = (await key(lonely))!;
      const { expireUnattachedFiles, UNATTACHED_FILE_TTL_MS } = await import('../../src/media/trash.js');
      await expireUnattachedFiles({ ...ts.ctx, clock: { now: () => Date.now() + UNATTACHED_FILE_TTL_MS + 1000 } } as typeof ts.ctx);
      assert.equal(await key(lonely), undefined, 'the unattached upload expired');
      assert.ok(!mediaFiles(ts).includes(keyL), 'with its bytes');
    });

    test('GET /{group}/files pages with cursors, newest first', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = await uploadFile(`page${i}.txt`, `p${i}`, 'text/plain');
        await http('POST', `${ts.graph}/${other}/feed`, { token, form: { message: `page ${i}`, files: id } });
        ids.push(id);
      }
      const seen: string[] = [];
      let url: string | undefined = `${ts.graph}/${other}/files?limit=2`;
      while (url) {
        const r = await http('GET', url, { token });
        assert.equal(r.status, 200, r.text);
        seen.push(...r.json.data.map((f: { id: string }) => f.id));
        url = r.json.paging?.next;
      }
      assert.deepEqual(seen, [...ids].reverse());
      const nested = await http('GET', `${ts.graph}/${other}?fields=files.limit(1){id,download_link}`, { token });
      assert.equal(nested.status, 200, nested.text);
      assert.equal(nested.json.files.data[0].id, ids[4]);
    });
  });
}
