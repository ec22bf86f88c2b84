import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { GraphClient } from '@commonplace/sdk';
import { dialects } from '../../../test/helpers/dialects.ts';
import { http, SIGN_IN, startServer, type TestServer } from '../../../test/helpers/server.ts';
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
    const events: string[] = [];
    let poll: { post: string; options: { id: string; name: string }[] };
    type Session = { cookie: string; csrf: string };
    let ana: Session;
    let bob: Session;
    const run = (args: string[]) => toolkit(args, { base: ts.base, token });
    const lines = (file: string) => readJsonLines<any>(path.join(out, 'groups', group, file));
    // Members act in the member app (polls and their votes exist only there; Graph has no write call for them).
    async function signIn(email: string, password: string): Promise<Session> {
      const r = await http('POST', `${ts.base}/api/session`, { json: { email, password }, headers: SIGN_IN });
      assert.equal(r.status, 200, r.text);
      return { cookie: r.headers.get('set-cookie')!.split(';')[0]!, csrf: r.json.csrf_token as string };
    }
    async function api(s: Session, method: string, url: string, json?: unknown) {
      const r = await http(method, `${ts.base}/api${url}`, { json, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
      assert.equal(r.status, 200, r.text);
      return r.json;
    }
    const vote = (s: Session, option: number) => api(s, 'PUT', `/posts/${poll.post}/poll/votes`, { option_ids: [poll.options[option]!.id] });
    const rsvp = (s: Session, event: string, status: string) => api(s, 'POST', `/events/${event}/rsvp`, { rsvp_status: status });
    const newEvent = async (params: Record<string, string>) => {
      const { id } = await graph.post<{ id: string }>(`${group}/events`, params);
      events.push(id);
      return id;
    };

    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      token = (await ts.integration(['read_group', 'write_group', 'manage_group', 'read_user_email'])).access_token;
      graph = ts.client(token);
      group = (await graph.createGroup({ name: 'Backup source', privacy: 'OPEN' })).id;
      const anaRow = await ts.member({ name: 'Ana Lind', email: 'ana@example.com', password: 'ana-pass-123456' });
      const bobRow = await ts.member({ name: 'Bob Berg', email: 'bob@example.com', password: 'bob-pass-123456' });
      await graph.addMember(group, anaRow.id);
      await graph.addMember(group, bobRow.id);
      ana = await signIn('ana@example.com', 'ana-pass-123456');
      bob = await signIn('bob@example.com', 'bob-pass-123456');
      for (let i = 1; i <= 12; i++) {
        const { id } = await graph.postToGroup(group, { message: `post ${i} <script>alert(1)</script>` });
        posts.push(id);
        const c = await graph.comment(id, `comment on ${i}`);
        if (i % 4 === 0) await graph.comment(c.id, `reply on ${i}`);
      }
      await graph.like(posts[0]!);
      await graph.uploadPhoto(group, { file: { data: PNG, filename: 'dot.png', contentType: 'image/png' }, message: 'a photo post' });
      const made = await api(ana, 'POST', `/groups/${group}/posts`, { message: '', poll: { question: 'Lunch where?', options: ['Pizza', 'Sushi', 'Tacos'] } });
      poll = { post: made.id, options: made.poll.options };
      posts.push(made.id);
      await vote(ana, 0);
      const offsite = await newEvent({ name: 'Offsite', description: 'Bring boots', start_time: '2027-03-01T09:00:00+0100', end_time: '2027-03-01T17:00:00+0100', timezone: 'Europe/Paris', location: 'Lake house', owner: anaRow.id });
      await graph.post(`${offsite}/attending`);
      await rsvp(ana, offsite, 'maybe');
      await rsvp(bob, offsite, 'declined');
      const party = await newEvent({ name: 'Old party', start_time: '2026-01-10T18:00:00Z' });
      await graph.post(party, { is_canceled: true });
      await newEvent({ name: 'Temporary', start_time: '2027-05-01T10:00:00Z' });
      out = tempDir();
    });
    after(async () => {
      await ts.close();
      fs.rmSync(out, { recursive: true, force: true });
    });

    test('a first backup holds posts, comments, replies, reactions, polls, events with their answers, members, photos and media, checksummed, with a viewer', async () => {
      const r = await run(['--json', 'backup', 'groups', '--group', group, '--out', out]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.json.groups[0].posts, 14);
      assert.equal(r.json.groups[0].fetched, 14);
      assert.equal(r.json.groups[0].polls, 1);
      assert.equal(r.json.groups[0].events, 3);
      assert.equal(r.json.groups[0].eventsFetched, 3);
      const saved = lines('posts.jsonl');
      assert.equal(saved.length, 14);
      const withPoll = saved.find((p) => p.id === poll.post);
      assert.equal(withPoll.poll.question, 'Lunch where?');
      assert.equal(withPoll.poll.voter_count, 1);
      assert.deepEqual(
        withPoll.poll.options.map((o: any) => [o.name, o.vote_count, o.votes.map((v: any) => v.name)]),
        [['Pizza', 1, ['Ana Lind']], ['Sushi', 0, []], ['Tacos', 0, []]],
      );
      assert.equal(saved.find((p) => p.id === posts[0]).poll, null);
      assert.equal(saved.find((p) => p.id === posts[0]).post.poll, undefined);
      const evs = lines('events.jsonl');
      assert.deepEqual(evs.map((e) => e.id).sort(), [...events].sort());
      const offsite = evs.find((e) => e.id === events[0]);
      assert.deepEqual(
        [offsite.event.name, offsite.event.description, offsite.event.start_time, offsite.event.timezone, offsite.event.place, offsite.event.owner.name, offsite.event.is_canceled],
        ['Offsite', 'Bring boots', '2027-03-01T09:00:00+0100', 'Europe/Paris', { name: 'Lake house' }, 'Ana Lind', false],
      );
      assert.deepEqual(
        Object.fromEntries(Object.entries(offsite.rsvps).map(([k, v]: [string, any]) => [k, v.map((g: any) => [g.name, g.rsvp_status])])),
        { attending: [['Test Bot', 'attending']], maybe: [['Ana Lind', 'unsure']], declined: [['Bob Berg', 'declined']], interested: [] },
      );
      assert.equal(evs.find((e) => e.id === events[1]).event.is_canceled, true);
      assert.ok(fs.readFileSync(path.join(out, 'SHA256SUMS'), 'utf8').includes(`groups/${group}/events.jsonl`));
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
      assert.ok(data.includes('Lunch where?') && data.includes('Bring boots'), 'the viewer shows polls and events');
      assert.match(fs.readFileSync(path.join(out, 'viewer.js'), 'utf8'), /Poll: /);
      assert.ok(!data.includes('<script>'), 'content cannot close the data script');
      fs.appendFileSync(path.join(out, 'groups', group, 'posts.jsonl'), ' ');
      assert.deepEqual(verifyChecksums(out), [`groups/${group}/posts.jsonl: checksum differs`]);
      assert.equal((await run(['backup', 'verify', '--in', out])).code, 1);
    });

    test('an incremental run fetches only new and changed posts and events (a vote or an answer counts as a change)', async () => {
      const quiet = await run(['--json', 'backup', 'groups', '--group', group, '--out', out]);
      assert.deepEqual([quiet.json.groups[0].fetched, quiet.json.groups[0].eventsFetched, quiet.json.groups[0].eventsUnchanged], [0, 0, 3]);
      await graph.delete(events.pop()!);
      await graph.comment(posts[5]!, 'a late comment');
      await graph.editPost(posts[6]!, 'post 7 edited');
      await vote(bob, 1);
      await rsvp(bob, events[0]!, 'attending');
      const { id } = await graph.postToGroup(group, { message: 'post 13' });
      posts.push(id);
      await newEvent({ name: 'Retro', start_time: '2027-04-01T15:00:00Z', end_time: '2027-04-01T16:00:00Z', location: 'Room 4' });
      const r = await run(['--json', 'backup', 'groups', '--group', group, '--out', out]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.json.groups[0].fetched, 4, JSON.stringify(r.json));
      assert.equal(r.json.groups[0].unchanged, 11);
      assert.deepEqual([r.json.groups[0].events, r.json.groups[0].eventsFetched, r.json.groups[0].eventsUnchanged, r.json.groups[0].eventsRemoved], [3, 2, 1, 1]);
      assert.ok(!lines('events.jsonl').some((e) => e.event.name === 'Temporary'), 'a deleted event leaves the backup');
      const evs = lines('events.jsonl');
      assert.equal(evs.find((e) => e.id === events[2]).event.name, 'Retro');
      assert.deepEqual(evs.find((e) => e.id === events[0]).rsvps.attending.map((g: any) => g.name).sort(), ['Bob Berg', 'Test Bot']);
      assert.deepEqual(evs.find((e) => e.id === events[0]).rsvps.declined, []);
      const saved = lines('posts.jsonl');
      assert.equal(saved.length, 15);
      assert.deepEqual(saved.find((p) => p.id === poll.post).poll.options.map((o: any) => o.vote_count), [1, 1, 0]);
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
        assert.equal(r.json.groups[0].fetched, 15 - before);
        assert.equal(r.json.groups[0].eventsFetched, 3);
        assert.equal(readJsonLines(path.join(fresh, 'groups', group, 'posts.jsonl')).length, 15);
        assert.equal(readJsonLines(path.join(fresh, 'groups', group, 'events.jsonl')).length, 3);
        assert.ok(!fs.existsSync(partial));
      } finally {
        fs.rmSync(fresh, { recursive: true, force: true });
      }
    });

    test('restore recreates the content and events in another group as the bot, credited, polls as text, and resumes without duplicates', async () => {
      const target = (await graph.createGroup({ name: 'Restored', privacy: 'CLOSED' })).id;
      const r = await run(['--json', 'restore', '--from', out, '--to-group', target]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.json.posts, 15);
      assert.equal(r.json.photos, 1);
      assert.equal(r.json.comments, 12 + 3 + 1);
      assert.equal(r.json.events, 3);
      const feed = await graph.collect<any>(`${target}/feed`, { fields: 'id,message,from{id,name},comments{message,comments{message}}', limit: 100 });
      assert.equal(feed.length, 15);
      const polled = feed.find((p) => /Poll: Lunch where\?/.test(p.message));
      assert.match(polled.message, /^\[Originally posted by Ana Lind on .+\]\n\nPoll: Lunch where\?\n• Pizza: 1 vote \(Ana Lind\)\n• Sushi: 1 vote \(Bob Berg\)\n• Tacos: 0 votes\n2 people voted$/);
      const restored = await graph.collect<any>(`${target}/events`, { fields: 'id,name,description,start_time,end_time,timezone,place,owner{id,name},is_canceled', include_canceled: true, limit: 100 });
      assert.deepEqual(restored.map((e) => e.name).sort(), ['Offsite', 'Old party', 'Retro']);
      const offsite = restored.find((e) => e.name === 'Offsite');
      assert.deepEqual([offsite.start_time, offsite.end_time, offsite.timezone, offsite.place], ['2027-03-01T09:00:00+0100', '2027-03-01T17:00:00+0100', 'Europe/Paris', { name: 'Lake house' }]);
      assert.equal(offsite.description, '[Originally hosted by Ana Lind]\n\nBring boots\n\nAnswers when it was backed up:\nGoing (2): Test Bot, Bob Berg\nMaybe (1): Ana Lind');
      assert.equal(restored.find((e) => e.name === 'Old party').is_canceled, true);
      assert.equal(restored.find((e) => e.name === 'Retro').is_canceled, false);
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
      assert.equal(again.json.events, 0);
      assert.equal((await graph.collect(`${target}/feed`, { limit: 100 })).length, 15, 'a rerun posts nothing twice');
      assert.equal((await graph.collect(`${target}/events`, { include_canceled: true, limit: 100 })).length, 3, 'a rerun creates no event twice');
    });

    test('a restore stopped between creating a canceled event and canceling it cancels it on the rerun', async () => {
      const target = (await graph.createGroup({ name: 'Restored again', privacy: 'CLOSED' })).id;
      const left = (await graph.post<{ id: string }>(`${target}/events`, { name: 'Old party', start_time: '2026-01-10T18:00:00Z' })).id;
      fs.writeFileSync(path.join(out, `restore-${group}-to-${target}.jsonl`), JSON.stringify({ old: events[1], new: left }) + '\n');
      const r = await run(['--json', 'restore', '--from', out, '--to-group', target]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.json.events, 2);
      assert.equal(r.json.skipped, 1);
      assert.equal((await graph.get<any>(left, { fields: 'is_canceled' })).is_canceled, true);
      assert.equal((await graph.collect(`${target}/events`, { include_canceled: true, limit: 100 })).length, 3);
    });
  });
}
