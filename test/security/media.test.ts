import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { remoteMediaImporter } from '../../src/domain/commands/media.js';
import { mediaKeyRotator } from '../../src/domain/commands/mediaKey.js';
import { transact } from '../../src/domain/commands/shared.js';
import { LINK_BUCKET_MS } from '../../src/media/links.js';
import { dialects } from '../helpers/dialects.js';
import { IMAGE_HOST_ENV, type ImageHost, startImageHost } from '../helpers/images.js';
import { http, ManualClock, startServer, type TestServer } from '../helpers/server.js';

// Issue 15, finding 8: photos given by URL are fetched once by the server through the egress
// policy and served from its own storage; media links expire and are signed by rotatable keys.

const audits = async (ts: TestServer) => (await ts.ctx.db.selectFrom('audit_event').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
async function bytesOf(ts: TestServer, key: string): Promise<Buffer> {
  const file = await ts.ctx.media.get(key);
  assert.ok(file, `${key} is stored`);
  if (Buffer.isBuffer(file.body)) return file.body;
  const chunks: Buffer[] = [];
  for await (const chunk of file.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
const mediaRows = async (ts: TestServer) => (await ts.ctx.db.selectFrom('media').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

for (const dialect of await dialects()) {
  describe(`media given by URL and expiring links (${dialect})`, () => {
    let ts: TestServer;
    let host: ImageHost;
    let token: string;
    let group: string;
    const clock = new ManualClock(Date.UTC(2026, 3, 1, 10, 20));
    before(async () => {
      host = await startImageHost();
      ts = await startServer(dialect, { clock, env: IMAGE_HOST_ENV });
      token = (await ts.integration(['read_group', 'write_group', 'manage_group'])).access_token;
      group = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Photos', privacy: 'OPEN' } })).json.id;
    });
    after(async () => {
      await ts?.close();
      await host?.close();
    });

    const upload = (url: string) => http('POST', `${ts.graph}/${group}/photos`, { token, form: { url, message: 'by url' } });
    const source = async (photoId: string) => (await http('GET', `${ts.graph}/${photoId}?fields=images,width,height`, { token })).json;

    test('a photo given by URL is fetched once, stored, and served from /media with its real size', async () => {
      const before = host.hits.length;
      const r = await upload(host.url('cat.png'));
      assert.equal(r.status, 200, r.text);
      assert.equal(host.hits.length, before + 1);
      const photo = await source(r.json.id);
      assert.equal(photo.width, 30);
      assert.equal(photo.height, 20);
      const src: string = photo.images[0].source;
      assert.ok(src.startsWith(`${ts.base}/media/${r.json.id}/`), src);
      assert.match(src, /\?ext=\d+&hash=\d+\.[\w-]{22}$/);
      const served = await fetch(src);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), host.png);
      assert.equal(host.hits.length, before + 1, 'viewing never reaches the remote host');
    });

    test('a redirect is followed and checked again', async () => {
      const r = await upload(host.url('moved.png'));
      assert.equal(r.status, 200, r.text);
      assert.ok(host.hits.includes('/target.png'));
    });

    test('failures answer Graph errors and write nothing', async () => {
      const cases: [string, number, RegExp][] = [
        [host.url('gone.png'), 100, /answered 404/],
        [host.url('page.html'), 324, /Missing or invalid image file/],
        [host.url('big.png'), 100, /larger than/],
        ['http://127.0.0.1:1/closed.png', 100, /Failed to fetch the file from the url/],
      ];
      for (const [url, code, message] of cases) {
        const [a, m] = [await audits(ts), await mediaRows(ts)];
        const r = await upload(url);
        assert.equal(r.status, 400, `${url}: ${r.text}`);
        assert.equal(r.json.error.code, code, url);
        assert.match(r.json.error.message, message);
        if (code === 100) assert.equal(r.json.error.error_subcode, 2018008);
        assert.equal(await audits(ts), a, `${url} wrote an audit event`);
        assert.equal(await mediaRows(ts), m, `${url} wrote a media row`);
      }
    });

    test('links are the same within a bucket, refused after their expiry, and fresh on every read', async () => {
      const id = (await upload(host.url('clock.png'))).json.id;
      const first: string = (await source(id)).images[0].source;
      clock.advance(60_000);
      assert.equal((await source(id)).images[0].source, first, 'stable within the hour');
      const served = await fetch(first);
      assert.match(served.headers.get('cache-control') ?? '', /^private, max-age=\d+$/);
      assert.ok(Number(/max-age=(\d+)/.exec(served.headers.get('cache-control')!)![1]) <= 86_400);
      clock.advance(ts.ctx.config.mediaLinkTtlMs + LINK_BUCKET_MS);
      assert.equal((await fetch(first)).status, 404, 'expired');
      const fresh: string = (await source(id)).images[0].source;
      assert.notEqual(fresh, first);
      assert.equal((await fetch(fresh)).status, 200);
      const tampered = fresh.replace(/ext=(\d+)/, (_m, ext: string) => `ext=${Number(ext) + 3600}`);
      assert.equal((await fetch(tampered)).status, 404, 'the expiry is signed');
      assert.equal((await fetch(fresh.replace(/[?].*$/, ''))).status, 404, 'unsigned');
    });

    test('a rotated key keeps verifying its links for the grace period, then not', async () => {
      const id = (await upload(host.url('rotate.png'))).json.id;
      const old: string = (await source(id)).images[0].source;
      const rotated = await transact(ts.ctx, { kind: 'system' }, (w) => mediaKeyRotator(w));
      await ts.ctx.mediaLinks.load();
      const now: string = (await source(id)).images[0].source;
      assert.notEqual(now, old);
      assert.ok(now.includes(`hash=${rotated.key_id}.`), now);
      assert.equal((await fetch(old)).status, 200, 'previous key within its grace period');
      assert.equal((await fetch(now)).status, 200);
      const event = await ts.ctx.db.selectFrom('audit_event').selectAll().where('action', '=', 'media.key_rotated').executeTakeFirst();
      assert.ok(event, 'the rotation is audited');
      clock.advance(ts.ctx.mediaLinks.graceMs + 1);
      const later: string = (await source(id)).images[0].source;
      assert.equal((await fetch(later)).status, 200);
      assert.equal((await fetch(old)).status, 404);
    });

    test('a profile picture by image_url is fetched and stored', async () => {
      const pics = (await ts.integration(['manage_work_profile', 'read_user_work_profile'])).access_token;
      const member = await ts.member({ email: 'pic@example.com', name: 'Pic' });
      const r = await http('POST', `${ts.graph}/${member.id}/profile_pictures`, { token: pics, form: { image_url: host.url('me.jpg') } });
      assert.equal(r.status, 200, r.text);
      const url: string = (await http('GET', `${ts.graph}/${member.id}/picture?redirect=false`, { token: pics })).json.data.url;
      assert.ok(url.startsWith(`${ts.base}/media/`), url);
      assert.equal((await fetch(url)).headers.get('content-type'), 'image/jpeg');
      const refused = await http('POST', `${ts.graph}/${member.id}/profile_pictures`, { token: pics, form: { image_url: host.url('page.html') } });
      assert.equal(refused.json.error.code, 324);
    });

    test('pages allow images only from the server itself', async () => {
      for (const path of ['/', '/admin/']) {
      const page = await http('GET', `${ts.base}${path}`, { headers: { accept: 'text/html' } });
      const csp = page.headers.get('content-security-policy');
      if (page.status !== 200 || !csp) return assert.fail(`no page: ${page.status} (npm run build:web first)`);
      assert.match(csp, /img-src 'self' data:;/);
      assert.doesNotMatch(csp, /img-src[^;]*http/);
      }
    });
  });

  describe(`media attached by URL before the server fetched URLs (${dialect})`, () => {
    let ts: TestServer;
    let host: ImageHost;
    before(async () => {
      host = await startImageHost();
      ts = await startServer(dialect, { env: IMAGE_HOST_ENV });
    });
    after(async () => {
      await ts?.close();
      await host?.close();
    });

    test('`media import-remote` stores them (pictures squared), audits each, and leaves the failures to retry', async () => {
      const member = await ts.member({ email: 'old@example.com', name: 'Old Picture' });
      const legacy = (id: string, url: string) => ({
        id, owner_id: member.id, owner_type: 'member' as const, kind: 'photo' as const, source_url: url, file_name: null, mime_type: null,
        size: null, caption: null, published: 0 as const, group_id: null, created_time: ts.clock.now(),
      });
      await ts.ctx.db.insertInto('media').values([legacy('900000000000001', host.url('legacy.png')), legacy('900000000000002', host.url('gone.png')), legacy('900000000000003', host.url('avatar.jpg'))]).execute();
      await ts.ctx.db.updateTable('member').set({ picture_media_id: '900000000000003' }).where('id', '=', member.id).execute();

      const first = await remoteMediaImporter(ts.ctx, () => {});
      assert.equal(first.imported, 2);
      assert.deepEqual(first.failed.map((f) => f.id), ['900000000000002']);
      assert.match(first.failed[0].reason, /Failed to fetch/);
      const rows = await ts.ctx.db.selectFrom('media').selectAll().where('id', 'like', '9000000000000%').orderBy('id').execute();
      assert.equal(rows[0].width, 30);
      assert.equal(rows[0].height, 20);
      assert.deepEqual(await bytesOf(ts, rows[0].file_name!), host.png);
      assert.equal(rows[1].file_name, null, 'a failure leaves the row as it was');
      assert.equal(rows[2].width, rows[2].height, 'a profile picture is cropped square, as an upload is');
      const imported = await ts.ctx.db.selectFrom('audit_event').select('target_id').where('action', '=', 'media.imported').orderBy('target_id').execute();
      assert.deepEqual(imported.map((a) => a.target_id), ['900000000000001', '900000000000003']);

      const hits = host.hits.length;
      const again = await remoteMediaImporter(ts.ctx, () => {});
      assert.equal(again.imported, 0);
      assert.equal(again.failed.length, 1, 'only the failure is tried again');
      assert.equal(host.hits.length, hits + 1);
    });
  });

  describe(`media given by URL under the default egress policy (${dialect})`, () => {
    let ts: TestServer;
    let host: ImageHost;
    before(async () => {
      host = await startImageHost();
      ts = await startServer(dialect);
    });
    after(async () => {
      await ts?.close();
      await host?.close();
    });

    test('loopback, private and metadata addresses are refused without being contacted', async () => {
      const token = (await ts.integration(['read_group', 'write_group', 'manage_group'])).access_token;
      const group = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Egress', privacy: 'OPEN' } })).json.id;
      for (const url of [host.url('inside.png'), 'http://[::ffff:127.0.0.1]:9/x.png', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.1/x.png']) {
        const r = await http('POST', `${ts.graph}/${group}/photos`, { token, form: { url } });
        assert.equal(r.status, 400, `${url}: ${r.text}`);
        assert.equal(r.json.error.code, 100);
        assert.equal(r.json.error.error_subcode, 2018008);
        assert.match(r.json.error.message, /egress refused/);
      }
      assert.deepEqual(host.hits, []);
    });
  });
}
