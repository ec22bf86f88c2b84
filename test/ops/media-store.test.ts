import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import S3rver from 's3rver';
import { mediaMigrator } from '../../src/cli/media.js';
import { type MediaStore, openMediaStore, type StoredFile } from '../../src/media/store.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

async function bytes(file: StoredFile | undefined): Promise<Buffer | undefined> {
  if (!file) return undefined;
  return Buffer.isBuffer(file.body) ? file.body : Buffer.concat(await file.body.toArray());
}

/** What every backend must do the same way. */
async function exercise(store: MediaStore): Promise<void> {
  const data = Buffer.from(`bytes for ${store.describe} ${Math.random()}`);
  await store.put('123.png', data, 'image/png');
  const got = await store.get('123.png');
  assert.equal(got?.size, data.length);
  assert.deepEqual(await bytes(got), data);
  const part = await store.get('123.png', { start: 2, end: 6 });
  assert.equal(part?.size, data.length, 'a range still reports the whole size');
  assert.deepEqual(await bytes(part), data.subarray(2, 7), 'a range is the bytes start to end, inclusive');
  await store.put('123.png', PNG, 'image/png');
  assert.deepEqual(await bytes(await store.get('123.png')), PNG, 'a second put replaces the file');
  assert.equal(await store.get('missing.png'), undefined);
  await store.delete('123.png');
  assert.equal(await store.get('123.png'), undefined);
  await assert.rejects(() => store.put('../escape.png', data, null), /bad media key/);
}

// s3rver: a real S3 API server (HTTP, XML, SigV4 checks) from npm, on 127.0.0.1.
describe('S3-compatible media store', () => {
  let s3: S3rver;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-s3-'));
    s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'media', configs: [] }] });
    const { port } = (await s3.run()) as unknown as { port: number };
    env = { AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
  });
  after(async () => {
    await s3.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('puts, gets, replaces and deletes objects under the prefix', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const store = await openMediaStore('s3://media/commonplace/uploads', { config: { dataDir: dir }, db: undefined as never, now: Date.now });
      assert.equal(store.describe, 's3://media/commonplace/uploads');
      await exercise(store);
      await store.put('kept.png', PNG, 'image/png');
      assert.ok(fs.readdirSync(path.join(dir, 'media'), { recursive: true }).some((f) => String(f).includes(path.join('commonplace', 'uploads', 'kept.png'))), 'the object is under the prefix');
    } finally {
      process.env = saved;
    }
  });

  // s3rver checks the access key id but not SigV4 signatures, so a wrong key id stands in for wrong credentials.
  test('unknown credentials fail loudly instead of reading as missing', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, env, { AWS_ACCESS_KEY_ID: 'NOBODY' });
    try {
      const store = await openMediaStore('s3://media/x', { config: { dataDir: dir }, db: undefined as never, now: Date.now });
      await assert.rejects(() => store.put('a.png', PNG, 'image/png'), /Access Key Id/);
      await assert.rejects(() => store.get('a.png'), /Access Key Id/);
    } finally {
      process.env = saved;
    }
  });
});

for (const dialect of await dialects()) {
  describe(`media stores and migration (${dialect})`, () => {
    let ts: TestServer;
    before(async () => {
      ts = await startServer(dialect);
    });
    after(() => ts.close());

    test('directory and database stores behave alike', async () => {
      await exercise(await openMediaStore(undefined, { config: { dataDir: ts.dataDir }, db: ts.ctx.db, now: Date.now }));
      await exercise(await openMediaStore('database', { config: { dataDir: ts.dataDir }, db: ts.ctx.db, now: Date.now }));
      await assert.rejects(() => openMediaStore('ftp://nope', { config: { dataDir: ts.dataDir }, db: ts.ctx.db, now: Date.now }), /COMMONPLACE_MEDIA_URL must be/);
    });

    test('media migrate copies every upload, and the same signed URL serves it from the new store', async () => {
      const bot = await ts.integration(['read_group', 'write_group']);
      const form = new FormData();
      form.append('source', new Blob([PNG], { type: 'image/png' }), 'dot.png');
      const uploaded = await http('POST', `${ts.graph}/me/photos`, { token: bot.access_token, body: form });
      assert.equal(uploaded.status, 200, uploaded.text);
      const url = new URL((await http('GET', `${ts.graph}/${uploaded.json.id}?fields=images`, { token: bot.access_token })).json.images[0].source);
      const target = await openMediaStore('database', { config: ts.ctx.config, db: ts.ctx.db, now: Date.now });
      const progress: number[] = [];
      const summary = await mediaMigrator(ts.ctx, target, (done) => progress.push(done));
      assert.equal(summary.copied, 1);
      assert.deepEqual(summary.missing, []);
      assert.deepEqual(progress, [0, 1]);
      fs.rmSync(path.join(ts.dataDir, 'media'), { recursive: true, force: true });
      assert.equal((await fetch(`${ts.base}${url.pathname}${url.search}`)).status, 404, 'the old store is gone');
      (ts.ctx as { media: MediaStore }).media = target;
      const served = await fetch(`${ts.base}${url.pathname}${url.search}`);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), PNG);
    });
  });
}
