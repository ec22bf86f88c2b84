import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { GraphClient } from '@commonplace/sdk';
import { dialects } from '../../../test/helpers/dialects.ts';
import { startServer, type TestServer } from '../../../test/helpers/server.ts';
import { readJsonLines, sha256, verifyChecksums } from '../src/backup/files.ts';
import { tempDir, toolkit } from './helpers.ts';

// A group's library in the backup, over real HTTP: a group file (uploaded, then posted with
// files=), a doc with its revisions, an album with an uploaded photo and an uploaded video, each
// with its bytes in media/ matching what was uploaded; incremental runs; the viewer lists them.

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n% a tiny test file\n%%EOF\n');
/** Bytes that start like an MP4 file (an ftyp box), then a recognisable pattern. */
function mp4(size: number): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt32BE(24, 0);
  b.write('ftypisom', 4, 'latin1');
  for (let i = 24; i < size; i++) b[i] = (i * 7) % 256;
  return b;
}
const VIDEO = mp4(4096);

for (const dialect of await dialects()) {
  describe(`backup groups: files, docs, albums and videos (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let graph: GraphClient;
    let group: string;
    let out: string;
    let fileId: string;
    let docId: string;
    let albumId: string;
    let videoId: string;
    const run = () => toolkit(['--json', 'backup', 'groups', '--group', group, '--out', out], { base: ts.base, token });
    const dir = () => path.join(out, 'groups', group);
    const lines = (file: string) => readJsonLines<any>(path.join(dir(), file));
    const bytes = (file: string) => fs.readFileSync(path.join(dir(), file));

    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      token = (await ts.integration(['read_group', 'write_group', 'manage_group'])).access_token;
      graph = ts.client(token);
      group = (await graph.createGroup({ name: 'Library', privacy: 'OPEN' })).id;
      fileId = (await graph.post<{ id: string }>('group_file_revisions', {}, { files: { file: { data: PDF, filename: 'Q3 plan.pdf', contentType: 'application/pdf' } } })).id;
      await graph.post(`${group}/feed`, { message: 'The Q3 plan', files: fileId });
      docId = (await graph.post<{ id: string }>(`${group}/docs`, { title: 'Roadmap', body: '<p>First draft</p>' })).id;
      await graph.post(docId, { body: '<p>Second draft</p>' });
      albumId = (await graph.post<{ id: string }>(`${group}/albums`, { name: 'Offsite', message: 'Lisbon' })).id;
      await graph.post(`${albumId}/photos`, { message: 'the lake' }, { files: { source: { data: PNG, filename: 'lake.png', contentType: 'image/png' } } });
      videoId = (await graph.post<{ id: string }>(`${group}/videos`, { title: 'All hands', description: 'Q3 all hands' }, { files: { source: { data: VIDEO, filename: 'talk.mp4', contentType: 'video/mp4' } } })).id;
      out = tempDir();
    });
    after(async () => {
      await ts?.close();
      if (out) fs.rmSync(out, { recursive: true, force: true });
    });

    test('a first backup holds each file, doc (every revision), album photo and video, with the uploaded bytes, checksummed, in the viewer', async () => {
      const r = await run();
      assert.equal(r.code, 0, r.err);
      const g = r.json.groups[0];
      assert.deepEqual([g.files, g.filesFetched, g.docs, g.docsFetched, g.albums, g.albumsFetched, g.videos, g.videosFetched], [1, 1, 1, 1, 1, 1, 1, 1], JSON.stringify(g));

      const [file] = lines('files.jsonl');
      assert.equal(file.id, fileId);
      assert.equal(file.name, 'Q3 plan.pdf');
      assert.equal(file.meta.message, 'The Q3 plan');
      assert.equal(file.meta.group.id, group);
      assert.equal(file.meta.from.name, 'Test Bot');
      assert.ok(file.meta.updated_time);
      assert.equal(file.meta.download_link, undefined, 'an expiring signed link is not kept');
      assert.match(file.file, /^media\/file-\d+-Q3_plan\.pdf$/);
      assert.deepEqual(bytes(file.file), PDF);
      assert.equal(file.sha256, sha256(PDF));

      const [doc] = lines('docs.jsonl');
      assert.equal(doc.id, docId);
      assert.deepEqual([doc.doc.subject, doc.doc.message, doc.doc.revision, doc.doc.from.name], ['Roadmap', '<p>Second draft</p>', '2', 'Test Bot']);
      assert.deepEqual(doc.revisions.map((v: any) => v.message).sort(), ['<p>First draft</p>', '<p>Second draft</p>']);

      const [album] = lines('albums.jsonl');
      assert.equal(album.id, albumId);
      assert.deepEqual([album.album.name, album.album.count, album.photos.length], ['Offsite', 1, 1]);
      assert.deepEqual(bytes(album.photos[0].file), PNG);
      assert.equal(album.photos[0].sha256, sha256(PNG));

      const [video] = lines('videos.jsonl');
      assert.equal(video.id, videoId);
      assert.deepEqual([video.video.title, video.video.description], ['All hands', 'Q3 all hands']);
      assert.equal(video.file, `media/video-${videoId}.mp4`);
      assert.deepEqual(bytes(video.file), VIDEO);

      const sums = fs.readFileSync(path.join(out, 'SHA256SUMS'), 'utf8');
      for (const f of ['files.jsonl', 'docs.jsonl', 'albums.jsonl', 'videos.jsonl', file.file, video.file, album.photos[0].file]) assert.ok(sums.includes(`groups/${group}/${f}`), f);
      assert.deepEqual(verifyChecksums(out), []);
      const data = fs.readFileSync(path.join(out, 'data.js'), 'utf8');
      assert.ok(data.includes('Q3 plan.pdf') && data.includes('Roadmap') && data.includes('Offsite') && data.includes('All hands'), 'the viewer has the library');
      const viewer = fs.readFileSync(path.join(out, 'viewer.js'), 'utf8');
      for (const heading of ['Files', 'Docs', 'Albums', 'Videos']) assert.ok(viewer.includes(`['${heading}'`), heading);
      assert.ok(!fs.existsSync(path.join(dir(), 'files.partial.jsonl')));
    });

    test('a second run fetches nothing; an edit, a new photo, a new file and a damaged download are fetched again', async () => {
      const quiet = await run();
      assert.equal(quiet.code, 0, quiet.err);
      const q = quiet.json.groups[0];
      assert.deepEqual([q.filesFetched, q.docsFetched, q.albumsFetched, q.videosFetched], [0, 0, 0, 0], JSON.stringify(q));

      await graph.post(docId, { body: '<p>Final</p>' });
      await graph.post(`${albumId}/photos`, {}, { files: { source: { data: PNG, filename: 'dock.png', contentType: 'image/png' } } });
      const second = (await graph.post<{ id: string }>('group_file_revisions', {}, { files: { file: { data: Buffer.from('notes'), filename: 'notes.txt', contentType: 'text/plain' } } })).id;
      await graph.post(`${group}/feed`, { message: 'Notes', files: second });
      const video = lines('videos.jsonl')[0];
      fs.writeFileSync(path.join(dir(), video.file), 'damaged');

      const r = await run();
      assert.equal(r.code, 0, r.err);
      const g = r.json.groups[0];
      assert.deepEqual([g.files, g.filesFetched, g.docsFetched, g.albums, g.albumsFetched, g.videosFetched], [2, 1, 1, 1, 1, 1], JSON.stringify(g));
      const doc = lines('docs.jsonl')[0];
      assert.deepEqual([doc.doc.message, doc.revisions.length], ['<p>Final</p>', 3]);
      assert.equal(lines('albums.jsonl')[0].photos.length, 2);
      const notes = lines('files.jsonl').find((f) => f.id === second);
      assert.equal(bytes(notes.file).toString(), 'notes');
      assert.deepEqual(bytes(video.file), VIDEO, 'the damaged download is replaced');
      assert.deepEqual(verifyChecksums(out), []);
    });

    test('restore recreates the library in another group with identical bytes and content, credited; a rerun creates nothing', async () => {
      const target = (await graph.createGroup({ name: 'Library copy', privacy: 'CLOSED' })).id;
      const restore = () => toolkit(['--json', 'restore', '--from', out, '--to-group', target], { base: ts.base, token });
      const r = await restore();
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(r.json.library, { files: 2, docs: 1, albums: 1, albumPhotos: 2, videos: 1 }, JSON.stringify(r.json));

      const download = async (url: string) => {
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(res.status, 200, url);
        return Buffer.from(await res.arrayBuffer());
      };
      // Files: each comes back attached to the copy of the post that carried it, with the same bytes.
      const files = await graph.collect<any>(`${target}/files`, { fields: 'id,download_link,message,from{id,name}', limit: 100 });
      assert.equal(files.length, 2);
      const pdf = files.find((f) => f.message.includes('The Q3 plan'));
      assert.ok(pdf, JSON.stringify(files));
      assert.match(pdf.message, /^\[Originally posted by Test Bot on \d{4}-\d\d-\d\d \d\d:\d\d UTC\]/);
      assert.match(pdf.download_link, /Q3%20plan\.pdf/);
      assert.deepEqual(await download(pdf.download_link), PDF);
      const notes = files.find((f) => f.message.includes('Notes'));
      assert.deepEqual((await download(notes.download_link)).toString(), 'notes');
      const feed = await graph.collect<any>(`${target}/feed`, { fields: 'id,message', limit: 100 });
      assert.equal(feed.filter((p) => p.message?.includes('The Q3 plan')).length, 1, 'a file posted with a post is not posted twice');
      assert.equal(feed.filter((p) => p.message?.includes('Q3 all hands')).length, 1, 'the video post is the new video\'s own, not also a text copy');
      assert.equal(feed.filter((p) => p.message?.includes('Lisbon')).length, 1, 'the album post is the new album\'s own, not also a text copy');

      // Docs: the latest revision's HTML, the original author credited at the top.
      const [doc] = await graph.collect<any>(`${target}/docs`, { fields: 'id,subject,message', limit: 100 });
      assert.equal(doc.subject, 'Roadmap');
      assert.match(doc.message, /^<p><em>\[Originally written by Test Bot on [^\]]+\]<\/em><\/p>/);
      assert.ok(doc.message.endsWith('<p>Final</p>'), doc.message);

      // Albums: name, credited description, every photo with the same bytes.
      const [album] = await graph.collect<any>(`${target}/albums`, { fields: 'id,name,description,count', limit: 100 });
      assert.equal(album.name, 'Offsite');
      assert.match(album.description, /^\[Album originally created by Test Bot on [^\]]+\]/);
      const photos = await graph.collect<any>(`${album.id}/photos`, { fields: 'id,name,images', limit: 100 });
      assert.equal(photos.length, 2);
      for (const p of photos) {
        assert.match(p.name, /^\[Photo by Test Bot on [^\]]+\]/);
        const largest = [...p.images].sort((a: any, b: any) => b.width - a.width)[0];
        assert.deepEqual(await download(largest.source), PNG);
      }
      assert.ok(photos.some((p) => p.name.includes('the lake')), 'a caption is kept');

      // Videos: title, credited description, the same bytes.
      const [video] = await graph.collect<any>(`${target}/videos`, { fields: 'id,title,description,source', limit: 100 });
      assert.equal(video.title, 'All hands');
      assert.match(video.description, /^\[Video originally posted by Test Bot on [^\]]+\]\r?\n\r?\nQ3 all hands$/, 'multipart text fields carry CRLF line breaks');
      assert.deepEqual(await download(video.source), VIDEO);

      const map = readJsonLines<{ old: string; new: string }>(path.join(out, `restore-${group}-to-${target}.jsonl`));
      for (const key of [`doc:${docId}`, `album:${albumId}`, `video:${videoId}`, `file:${fileId}`]) assert.ok(map.some((m) => m.old === key), key);

      const again = await restore();
      assert.equal(again.code, 0, again.err);
      assert.deepEqual(again.json.library, { files: 0, docs: 0, albums: 0, albumPhotos: 0, videos: 0 });
      assert.equal(again.json.posts, 0);
      assert.equal((await graph.collect<any>(`${target}/files`, { fields: 'id', limit: 100 })).length, 2);
      assert.equal((await graph.collect<any>(`${target}/docs`, { fields: 'id', limit: 100 })).length, 1);
      assert.equal((await graph.collect<any>(`${target}/albums`, { fields: 'id', limit: 100 })).length, 1);
      assert.equal((await graph.collect<any>(`${album.id}/photos`, { fields: 'id', limit: 100 })).length, 2);
      assert.equal((await graph.collect<any>(`${target}/videos`, { fields: 'id', limit: 100 })).length, 1);
    });

    test('a file whose post is not in the backup is posted on its own, crediting its uploader', async () => {
      const copy = tempDir();
      try {
        fs.cpSync(out, copy, { recursive: true });
        fs.rmSync(path.join(copy, 'groups', group, 'posts.jsonl'));
        for (const f of fs.readdirSync(copy)) if (f.startsWith('restore-')) fs.rmSync(path.join(copy, f));
        const target = (await graph.createGroup({ name: 'Files only', privacy: 'CLOSED' })).id;
        const r = await toolkit(['--json', 'restore', '--from', copy, '--to-group', target], { base: ts.base, token });
        assert.equal(r.code, 0, r.err);
        assert.equal(r.json.posts, 0);
        assert.equal(r.json.library.files, 2);
        const files = await graph.collect<any>(`${target}/files`, { fields: 'id,message', limit: 100 });
        const pdf = files.find((f) => f.message.startsWith('[File Q3 plan.pdf originally uploaded by Test Bot on '));
        assert.ok(pdf, JSON.stringify(files));
        assert.match(pdf.message, /\n\nThe Q3 plan$/);
        const feed = await graph.collect<any>(`${target}/feed`, { fields: 'id,message,type', limit: 100 });
        assert.equal(feed.length, 5, 'two file posts, the doc, the album and the video');
      } finally {
        fs.rmSync(copy, { recursive: true, force: true });
      }
    });
  });
}
