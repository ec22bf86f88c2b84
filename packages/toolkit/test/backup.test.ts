import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { GraphClient } from '@commonplace/sdk';
import { dialects } from '../../../test/helpers/dialects.ts';
import { startServer, type TestServer } from '../../../test/helpers/server.ts';
import { readJsonLines, verifyChecksums } from '../src/backup/files.ts';
import { tempDir, toolkit } from './helpers.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/commonplace-toolkit.mjs');
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

for (const dialect of await dialects()) {
  describe(`backup groups and restore (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let graph: GraphClient;
    let group: string;
    let out: string;
    const posts: string[] = [];
    const run = (args: string[]) => toolkit(args, { base: ts.base, token });
    const lines = (file: string) => readJsonLines<any>(path.join(out, 'groups', group, file));

    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      token = (await ts.integration(['read_group', 'write_group', 'manage_group', 'read_user_email'])).access_token;
      graph = ts.client(token);
      group = (await graph.createGroup({ name: 'Backup source', privacy: 'OPEN' })).id;
      const ana = await ts.member({ name: 'Ana Lind', email: 'ana@example.com' });
      await graph.addMember(group, ana.id);
      for (let i = 1; i <= 12; i++) {
        const { id } = await graph.postToGroup(group, { message: `post ${i} <script>alert(1)</script>` });
        posts.push(id);
        const c = await graph.comment(id, `comment on ${i}`);
        if (i % 4 === 0) await graph.comment(c.id, `reply on ${i}`);
      }
      await graph.like(posts[0]!);
      await graph.uploadPhoto(group, { file: { data: PNG, filename: 'dot.png', contentType: 'image/png' }, message: 'a photo post' });
      out = tempDir();
    });
    after(async () => {
      await ts.close();
      fs.rmSync(out, { recursive: true, force: true });
    });

    test('a first backup holds posts, comments, replies, reactions, members, photos and media, checksummed, with a viewer', async () => {
      const r = await run(['--json', 'backup', 'groups', '--group', group, '--out', out]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.json.groups[0].posts, 13);
      assert.equal(r.json.groups[0].fetched, 13);
      const saved = lines('posts.jsonl');
      assert.equal(saved.length, 13);
      const first = saved.find((p) => p.id === posts[0]);
      assert.match(first.post.message, /^post 1 /);
      assert.equal(first.comments[0].message, 'comment on 1');
      assert.equal(first.reactions.length, 1);
      assert.equal(saved.find((p) => p.id === posts[3]).comments[0].replies[0].message, 'reply on 4');
      assert.ok(lines('members.jsonl').some((m) => m.name === 'Ana Lind'));
      const photos = lines('photos.jsonl');
      assert.equal(photos.length, 1);
      assert.deepEqual(fs.readFileSync(path.join(out, 'groups', group, photos[0].file)), PNG);
      assert.deepEqual(verifyChecksums(out), []);
      const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
      assert.match(html, /<script src="data.js"><\/script>/);
      const data = fs.readFileSync(path.join(out, 'data.js'), 'utf8');
      assert.ok(data.includes('post 12'));
      assert.ok(!data.includes('<script>'), 'content cannot close the data script');
      fs.appendFileSync(path.join(out, 'groups', group, 'posts.jsonl'), ' ');
      assert.deepEqual(verifyChecksums(out), [`groups/${group}/posts.jsonl: checksum differs`]);
      assert.equal((await run(['backup', 'verify', '--in', out])).code, 1);
    });

    test('an incremental run fetches only new and changed posts', async () => {
      await run(['backup', 'groups', '--group', group, '--out', out]);
      await graph.comment(posts[5]!, 'a late comment');
      await graph.editPost(posts[6]!, 'post 7 edited');
      const { id } = await graph.postToGroup(group, { message: 'post 13' });
      posts.push(id);
      const r = await run(['--json', 'backup', 'groups', '--group', group, '--out', out]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.json.groups[0].fetched, 3, JSON.stringify(r.json));
      assert.equal(r.json.groups[0].unchanged, 11);
      const saved = lines('posts.jsonl');
      assert.equal(saved.length, 14);
      assert.deepEqual(saved.find((p) => p.id === posts[5]).comments.map((c: any) => c.message), ['comment on 6', 'a late comment']);
      assert.equal(saved.find((p) => p.id === posts[6]).post.message, 'post 7 edited');
      assert.deepEqual(verifyChecksums(out), []);
    });

    test('a crashed run resumes: posts fetched before the crash are reused', async () => {
      const fresh = tempDir();
      try {
        const partial = path.join(fresh, 'groups', group, 'posts.partial.jsonl');
        const child = spawn(process.execPath, [BIN, '--base-url', ts.base, '--token', token, '--concurrency', '1', 'backup', 'groups', '--group', group, '--out', fresh], { stdio: 'ignore' });
        await new Promise<void>((resolve, reject) => {
          const timer = setInterval(() => {
            if (fs.existsSync(partial) && readJsonLines(partial).length >= 3) {
              clearInterval(timer);
              child.kill('SIGKILL');
              resolve();
            }
          }, 5);
          child.once('exit', () => {
            clearInterval(timer);
            reject(new Error('the backup finished before it could be interrupted'));
          });
        });
        const before = readJsonLines<any>(partial).length;
        assert.ok(!fs.existsSync(path.join(fresh, 'groups', group, 'posts.jsonl')), 'no final file before the run completed');
        const r = await toolkit(['--json', 'backup', 'groups', '--group', group, '--out', fresh], { base: ts.base, token });
        assert.equal(r.code, 0, r.err);
        assert.equal(r.json.groups[0].resumed, true);
        assert.equal(r.json.groups[0].unchanged, before);
        assert.equal(r.json.groups[0].fetched, 14 - before);
        assert.equal(readJsonLines(path.join(fresh, 'groups', group, 'posts.jsonl')).length, 14);
        assert.ok(!fs.existsSync(partial));
      } finally {
        fs.rmSync(fresh, { recursive: true, force: true });
      }
    });

    test('restore recreates the content in another group as the bot, credited, and resumes without duplicates', async () => {
      const target = (await graph.createGroup({ name: 'Restored', privacy: 'CLOSED' })).id;
      const r = await run(['--json', 'restore', '--from', out, '--to-group', target]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.json.posts, 14);
      assert.equal(r.json.photos, 1);
      assert.equal(r.json.comments, 12 + 3 + 1);
      const feed = await graph.collect<any>(`${target}/feed`, { fields: 'id,message,from{id,name},comments{message,comments{message}}', limit: 100 });
      assert.equal(feed.length, 14);
      const one = feed.find((p) => /post 1 </.test(p.message));
      assert.match(one.message, /^\[Originally posted by .+ on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\]\n\npost 1 /);
      assert.match(one.comments.data[0].message, /^\[Comment by .+ on .+\]\ncomment on 1$/);
      const four = feed.find((p) => /post 4 </.test(p.message));
      assert.match(four.comments.data[0].comments.data[0].message, /reply on 4$/);
      const bot = await graph.me('id');
      assert.ok(feed.every((p) => p.from.id === bot.id), 'posted as the bot page');
      const again = await run(['--json', 'restore', '--from', out, '--to-group', target]);
      assert.equal(again.json.posts, 0);
      assert.equal(again.json.comments, 0);
      assert.equal((await graph.collect(`${target}/feed`, { limit: 100 })).length, 14, 'a rerun posts nothing twice');
    });
  });
}
