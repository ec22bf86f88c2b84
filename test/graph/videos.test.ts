import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

// Group videos over real HTTP: POST /{group}/videos by file_url or uploaded source, Graph's
// resumable upload (upload_phase=start|transfer|finish with start_offset/end_offset) surviving a
// server restart between chunks, the video node, GET /{group}/videos, and the video post.

/** Bytes that start like an MP4 file (an ftyp box), then a recognisable pattern. */
function mp4(size: number): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt32BE(24, 0);
  b.write('ftypisom', 4, 'latin1');
  for (let i = 24; i < size; i++) b[i] = (i * 7) % 256;
  return b;
}
const part = (name: string, data: Buffer, filename = 'clip.mp4') => {
  const form = new FormData();
  form.append(name, new Blob([new Uint8Array(data)], { type: 'video/mp4' }), filename);
  return form;
};
const FIELDS = 'id,created_time,updated_time,description,title,length,picture,source,permalink_url,from,format,status';

for (const dialect of await dialects()) {
  describe(`group videos (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let group: string;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      token = (await ts.integration(['read_group', 'write_group', 'manage_group'])).access_token;
      group = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Videos', privacy: 'OPEN' } })).json.id;
    });
    after(() => ts.close());

    test('the triad, and by file_url: the video node with its fields, a video post, GET /{group}/videos', async () => {
      assert.equal((await http('POST', `${ts.graph}/${group}/videos`, { form: { file_url: 'https://example.com/v.mp4' } })).json.error.code, 190);
      const reader = (await ts.integration(['read_group'])).access_token;
      assert.equal((await http('POST', `${ts.graph}/${group}/videos`, { token: reader, form: { file_url: 'https://example.com/v.mp4' } })).json.error.code, 200);
      const other = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Elsewhere', privacy: 'OPEN' } })).json.id;
      const scoped = (await ts.integration(['read_group', 'write_group'], { groups: [other] })).access_token;
      assert.equal((await http('POST', `${ts.graph}/${group}/videos`, { token: scoped, form: { file_url: 'https://example.com/v.mp4' } })).json.error.code, 100);

      const r = await http('POST', `${ts.graph}/${group}/videos`, { token, form: { file_url: 'https://example.com/talk.mp4', title: 'All hands', description: 'Q3 all hands' } });
      assert.equal(r.status, 200, r.text);
      const v = (await http('GET', `${ts.graph}/${r.json.id}?fields=${FIELDS}`, { token })).json;
      assert.equal(v.title, 'All hands');
      assert.equal(v.description, 'Q3 all hands');
      assert.equal(v.source, 'https://example.com/talk.mp4');
      assert.match(v.picture, /video-no-thumbnail\.svg$/, 'no thumbnail is made, and the field says so');
      assert.ok(!('length' in v), 'the length is not known');
      assert.equal(v.status.video_status, 'ready');
      assert.ok(v.from.id);
      assert.match(v.permalink_url, new RegExp(`/groups/${group}/videos/${r.json.id}$`));
      assert.equal(v.format[0].filter, 'native');
      assert.equal((await http('GET', `${ts.graph}/${r.json.id}`, { token: scoped })).json.error.code, 100);

      const list = await http('GET', `${ts.graph}/${group}/videos?fields=id,title`, { token });
      assert.equal(list.json.data[0].id, r.json.id);
      const feed = await http('GET', `${ts.graph}/${group}/feed?fields=type,status_type,source,message,attachments&limit=1`, { token });
      const post = feed.json.data[0];
      assert.equal(post.type, 'video');
      assert.equal(post.status_type, 'added_video');
      assert.equal(post.source, 'https://example.com/talk.mp4');
      assert.equal(post.attachments.data[0].type, 'video_inline');
      assert.equal(post.attachments.data[0].target.id, r.json.id);
    });

    test('an uploaded source is stored and plays back from its signed link; a file that is no video is refused', async () => {
      const bytes = mp4(300_000);
      const r = await http('POST', `${ts.graph}/${group}/videos?title=Upload`, { token, body: part('source', bytes) });
      assert.equal(r.status, 200, r.text);
      const v = (await http('GET', `${ts.graph}/${r.json.id}?fields=source`, { token })).json;
      const played = await fetch(v.source);
      assert.equal(played.headers.get('content-type'), 'video/mp4');
      assert.ok(Buffer.from(await played.arrayBuffer()).equals(bytes));
      assert.equal(played.headers.get('accept-ranges'), 'bytes');
      // Players seek with byte ranges: a middle range, an open end, a suffix, and one past the end.
      const ranged = async (range: string) => fetch(v.source, { headers: { range } });
      const middle = await ranged('bytes=1000-1999');
      assert.equal(middle.status, 206);
      assert.equal(middle.headers.get('content-range'), `bytes 1000-1999/${bytes.length}`);
      assert.ok(Buffer.from(await middle.arrayBuffer()).equals(bytes.subarray(1000, 2000)));
      const tail = await ranged(`bytes=${bytes.length - 10}-`);
      assert.ok(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 10)));
      const suffix = await ranged('bytes=-5');
      assert.equal(suffix.headers.get('content-range'), `bytes ${bytes.length - 5}-${bytes.length - 1}/${bytes.length}`);
      assert.ok(Buffer.from(await suffix.arrayBuffer()).equals(bytes.subarray(bytes.length - 5)));
      const beyond = await ranged(`bytes=${bytes.length}-`);
      assert.equal(beyond.status, 416);
      assert.equal(beyond.headers.get('content-range'), `bytes */${bytes.length}`);
      await beyond.arrayBuffer();
      const bad = await http('POST', `${ts.graph}/${group}/videos`, { token, body: part('source', Buffer.from('not a video at all'), 'x.mp4') });
      assert.equal(bad.status, 400, bad.text);
      assert.equal(bad.json.error.code, 100);
    });

    test('resumable upload: start, transfer in chunks (the rest to a newly started server), finish; wrong offsets are refused', async () => {
      const size = 20 * 1024 * 1024 + 12345;
      const bytes = mp4(size);
      const start = await http('POST', `${ts.graph}/${group}/videos`, { token, form: { upload_phase: 'start', file_size: String(size) } });
      assert.equal(start.status, 200, start.text);
      const { upload_session_id: session, video_id: videoId } = start.json;
      assert.equal(start.json.start_offset, '0');
      assert.equal(start.json.end_offset, String(8 * 1024 * 1024));
      assert.equal((await http('GET', `${ts.graph}/${group}/videos`, { token })).json.data.some((x: { id: string }) => x.id === videoId), false, 'not listed before it is finished');

      let graph = ts.graph;
      const send = async (from: number, to: number) => {
        const form = part('video_file_chunk', bytes.subarray(from, to));
        form.append('upload_phase', 'transfer');
        form.append('upload_session_id', session);
        form.append('start_offset', String(from));
        return http('POST', `${graph}/${group}/videos`, { token, body: form });
      };
      let offsets = start.json;
      const first = await send(Number(offsets.start_offset), Number(offsets.end_offset));
      assert.equal(first.status, 200, first.text);
      offsets = first.json;
      const repeated = await send(0, 1024);
      assert.equal(repeated.status, 400, 'a chunk at a stale offset is refused');
      assert.match(repeated.json.error.message, new RegExp(`start_offset must be ${offsets.start_offset}`));
      const early = await http('POST', `${ts.graph}/${group}/videos`, { token, form: { upload_phase: 'finish', upload_session_id: session } });
      assert.equal(early.status, 400, 'finishing before every byte arrived is refused');

      // The rest goes to a freshly started server process: the session and its chunks live in the
      // database and the media store, not in the first server's memory.
      const { buildServer } = await import('../../src/server.js');
      const restarted = await buildServer(ts.ctx);
      await restarted.app.listen({ port: 0, host: '127.0.0.1' });
      const address = restarted.app.server.address();
      graph = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graph`;

      while (offsets.start_offset !== offsets.end_offset) {
        const r = await send(Number(offsets.start_offset), Number(offsets.end_offset));
        assert.equal(r.status, 200, r.text);
        offsets = r.json;
      }
      assert.equal(offsets.start_offset, String(size));
      const finish = await http('POST', `${graph}/${group}/videos`, { token, form: { upload_phase: 'finish', upload_session_id: session, title: 'Big one', description: 'Resumable' } });
      await restarted.close();
      assert.equal(finish.status, 200, finish.text);
      assert.deepEqual(finish.json, { success: true });
      const v = (await http('GET', `${ts.graph}/${videoId}?fields=title,description,source,status`, { token })).json;
      assert.equal(v.title, 'Big one');
      assert.equal(v.status.video_status, 'ready');
      const played = Buffer.from(await (await fetch(v.source)).arrayBuffer());
      assert.equal(played.length, size);
      assert.ok(played.equals(bytes), 'the video is the bytes sent, in order');
      const leftovers = fs.readdirSync(path.join(ts.dataDir, 'media')).filter((f) => f.startsWith(`${session}.c`));
      assert.deepEqual(leftovers, [], 'the chunks left the store');
      assert.equal((await http('POST', `${ts.graph}/${group}/videos`, { token, form: { upload_phase: 'finish', upload_session_id: session } })).status, 400, 'the session is gone');

      const del = await http('DELETE', `${ts.graph}/${videoId}`, { token });
      assert.equal(del.status, 200, del.text);
      assert.equal((await fetch(v.source)).status, 404);
      assert.ok(!fs.readdirSync(path.join(ts.dataDir, 'media')).some((f) => f.startsWith(videoId)), 'its file left the store');
    });

    test('a resumable upload larger than the configured video limit is refused at start', async () => {
      const r = await http('POST', `${ts.graph}/${group}/videos`, { token, form: { upload_phase: 'start', file_size: String(ts.ctx.config.uploadLimits.video + 1) } });
      assert.equal(r.status, 400, r.text);
      assert.match(r.json.error.message, /at most/);
    });
  });
}
