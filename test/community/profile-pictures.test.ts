import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { IMAGE_HOST_ENV, startImageHost } from '../helpers/images.js';

// Photos given by URL are fetched by the server: they come from a real image host on 127.0.0.1.
const images = await startImageHost();
after(() => images.close());

const png = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#1f6feb' } }).png().toBuffer();

for (const dialect of await dialects()) {
  describe(`Graph profile pictures (${dialect})`, () => {
    let ts: TestServer;
    let profiles: string;
    let reader: string;
    let member: { id: string };
    before(async () => {
      ts = await startServer(dialect, { env: { ...IMAGE_HOST_ENV, COMMONPLACE_RATE_LIMIT: '0' } });
      profiles = (await ts.integration(['manage_work_profile'])).access_token;
      reader = (await ts.integration(['read_user_work_profile'])).access_token;
      member = await ts.member({ name: 'Pia Picture', email: 'pia@example.com' });
    });
    after(() => ts.close());

    const upload = async (token: string | undefined, image: Buffer) => {
      const form = new FormData();
      form.set('source', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'me.png');
      form.set('caption', 'At the offsite');
      return http('POST', `${ts.graph}/${member.id}/profile_pictures`, { token, body: form });
    };

    test('POST /{member}/profile_pictures: triad; upload sets the picture with one audit event; bad input is error 100', async () => {
      const image = await png(800, 600);
      assert.equal((await upload(undefined, image)).json.error.code, 190);
      assert.equal((await upload(reader, image)).json.error.code, 200);
      assert.equal((await upload(profiles, Buffer.from('not an image'))).json.error.code, 100);
      assert.equal((await http('POST', `${ts.graph}/${member.id}/profile_pictures`, { token: profiles, form: {} })).json.error.code, 100);
      assert.equal((await http('POST', `${ts.graph}/${member.id}/profile_pictures`, { token: profiles, form: { image_url: 'javascript:alert(1)' } })).json.error.code, 100);
      const r = await upload(profiles, image);
      assert.equal(r.status, 200, r.text);
      const row = await ts.ctx.db.selectFrom('member').select('picture_media_id').where('id', '=', member.id).executeTakeFirstOrThrow();
      assert.equal(row.picture_media_id, r.json.id);
      const events = await ts.ctx.db.selectFrom('audit_event').selectAll().where('target_id', '=', member.id).where('action', '=', 'account.picture_changed').execute();
      assert.equal(events.length, 1);
    });

    test('picture?redirect=false&width=&height= answers a resized square and its size; the image is that size', async () => {
      const plain = await http('GET', `${ts.graph}/${member.id}/picture?redirect=false`, { token: reader });
      assert.equal(plain.json.data.is_silhouette, false);
      const sized = await http('GET', `${ts.graph}/${member.id}/picture?redirect=false&width=90&height=80`, { token: reader });
      assert.equal(sized.status, 200, sized.text);
      assert.deepEqual({ w: sized.json.data.width, h: sized.json.data.height }, { w: 100, h: 100 });
      const image = await fetch(sized.json.data.url);
      assert.equal(image.status, 200);
      const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
      assert.deepEqual({ w: meta.width, h: meta.height }, { w: 100, h: 100 });
      const large = await http('GET', `${ts.graph}/${member.id}/picture?redirect=false&type=large`, { token: reader });
      assert.equal(large.json.data.width, 200);
      const redirect = await http('GET', `${ts.graph}/${member.id}/picture?width=50`, { token: reader });
      assert.equal(redirect.status, 302);
      assert.match(redirect.headers.get('location')!, /\/s50\//);
      const forged = sized.json.data.url.replace('/s100/', '/s512/');
      assert.equal((await fetch(forged)).status, 404, 'the signature covers the size');
      assert.equal((await http('GET', `${ts.graph}/${member.id}/picture?redirect=false&width=-3`, { token: reader })).json.error.code, 100);
    });

    test('by URL: the picture is fetched once and served from the server, resized like an upload', async () => {
      const r = await http('POST', `${ts.graph}/${member.id}/profile_pictures`, { token: profiles, form: { image_url: images.url('pia.jpg') } });
      assert.equal(r.status, 200, r.text);
      const plain = await http('GET', `${ts.graph}/${member.id}/picture?redirect=false&width=100`, { token: reader });
      assert.ok(plain.json.data.url.startsWith(`${ts.base}/media/`), plain.json.data.url);
      assert.equal((await fetch(plain.json.data.url)).headers.get('content-type'), 'image/jpeg');
    });
  });
}
