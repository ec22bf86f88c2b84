import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { IMAGE_HOST_ENV, startImageHost } from '../helpers/images.js';

// Photos given by URL are fetched by the server: they come from a real image host on 127.0.0.1.
const images = await startImageHost();
after(() => images.close());

// Posting as Meta's samples post: several photos in attached_media in every shape the samples
// use (JSON, bracket notation, multipart, PowerShell's single-quoted pseudo-JSON), and files=
// naming an unknown file refused out loud instead of dropped.

for (const dialect of await dialects()) {
  describe(`posting with photos (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let group: string;
    let n = 0;
    before(async () => {
      ts = await startServer(dialect, { env: { ...IMAGE_HOST_ENV, COMMONPLACE_RATE_LIMIT: '0' } });
      token = (await ts.integration(['read_group', 'write_group', 'manage_group'])).access_token;
      group = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Photos', privacy: 'OPEN' } })).json.id;
    });
    after(() => ts.close());

    const photos = async (count: number): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const r = await http('POST', `${ts.graph}/me/photos?published=false&url=${encodeURIComponent(images.url(`p${++n}.png`))}`, { token });
        assert.equal(r.status, 200, r.text);
        ids.push(r.json.id);
      }
      return ids;
    };
    const albumOf = async (postId: string) => {
      const r = await http('GET', `${ts.graph}/${postId}?fields=type,status_type,attachments`, { token });
      assert.equal(r.status, 200, r.text);
      return r.json;
    };

    test('several photos in attached_media make one post holding them in order, presented as an album with subattachments', async () => {
      const shapes: [string, (ids: string[]) => Promise<Awaited<ReturnType<typeof http>>>][] = [
        ['a JSON array in a form field', (ids) => http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: `json ${n}`, attached_media: JSON.stringify(ids.map((id) => ({ media_fbid: id }))) } })],
        ['a JSON body with the ids as numbers', (ids) => http('POST', `${ts.graph}/${group}/feed`, { token, headers: { 'content-type': 'application/json' }, body: `{"message":"numbers ${n}","attached_media":[${ids.map((id) => `{"media_fbid":${id}}`).join(',')}]}` })],
        ['bracket notation with JSON per entry', (ids) => http('POST', `${ts.graph}/${group}/feed`, { token, form: Object.fromEntries([['message', `brackets ${n}`], ...ids.map((id, i) => [`attached_media[${i}]`, JSON.stringify({ media_fbid: id })])]) })],
        ['PowerShell pseudo-JSON', (ids) => http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: `powershell ${n}`, attached_media: `[${ids.map((id) => `{'media_fbid':'${id}'}`).join(',')}]` } })],
        ['pseudo-JSON with bare keys', (ids) => http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: `bare ${n}`, attached_media: `[${ids.map((id) => `{media_fbid:${id}}`).join(', ')}]` } })],
        [
          'multipart fields',
          (ids) => {
            const form = new FormData();
            form.append('message', `multipart ${n}`);
            ids.forEach((id, i) => form.append(`attached_media[${i}]`, `{"media_fbid":"${id}"}`));
            return http('POST', `${ts.graph}/${group}/feed`, { token, body: form });
          },
        ],
      ];
      for (const [label, send] of shapes) {
        const ids = await photos(3);
        const r = await send(ids);
        assert.equal(r.status, 200, `${label}: ${r.text}`);
        const post = await albumOf(r.json.id);
        assert.equal(post.type, 'photo', label);
        assert.equal(post.status_type, 'added_photos', label);
        const album = post.attachments.data[0];
        assert.equal(album.type, 'album', label);
        assert.deepEqual(album.subattachments.data.map((s: { target: { id: string } }) => s.target.id), ids, label);
        assert.ok(album.subattachments.data.every((s: { type: string; media: { image: { src: string } } }) => s.type === 'photo' && s.media.image.src), label);
      }
    });

    test('a photo named twice is attached once; unknown or malformed entries are a Graph error 100 and write nothing', async () => {
      const [a, b] = await photos(2);
      const twice = await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'twice', attached_media: JSON.stringify([{ media_fbid: a }, { media_fbid: b }, { media_fbid: a }]) } });
      assert.equal(twice.status, 200, twice.text);
      assert.deepEqual((await albumOf(twice.json.id)).attachments.data[0].subattachments.data.map((s: { target: { id: string } }) => s.target.id), [a, b]);
      const [c] = await photos(1);
      for (const bad of ['[{', `[{'media_fbid':'${c}'`, '[{"media_fbid":"abc"}]', '[{"id":1}]', '[true]']) {
        const r = await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: `bad ${bad}`, attached_media: bad } });
        assert.equal(r.status, 400, `${bad}: ${r.text}`);
        assert.equal(r.json.error.code, 100, bad);
      }
      const unused = await http('GET', `${ts.graph}/${c}?fields=id`, { token });
      assert.equal(unused.status, 200, 'the photo is still unattached and readable by its owner');
    });

    test('files= naming no uploaded file is a Graph error 100 and writes nothing (files themselves: test/graph/files.test.ts)', async () => {
      const before = await ts.ctx.db.selectFrom('post').select('id').execute();
      const r = await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'with a file', files: '1234567890123456' } });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error.code, 100);
      assert.match(r.json.error.message, /files/);
      assert.equal((await ts.ctx.db.selectFrom('post').select('id').execute()).length, before.length, 'no post was written');
      const empty = await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'empty files', files: '' } });
      assert.equal(empty.status, 200, 'an empty files= names no file');
    });
  });
}
