import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { groupCreator, groupDeleter } from '../../../domain/commands/group.js';
import { groupMemberAdder } from '../../../domain/commands/groupMembership.js';
import type { IssuedCredentials } from '../../../domain/commands/integration.js';
import type { GroupRow } from '../../../db/repositories/group.js';
import { dialects } from '../../../../test/helpers/dialects.js';
import { http, SIGN_IN, startServer, type TestServer } from '../../../../test/helpers/server.js';
import { subscribe } from '../../../../test/webhooks/helpers.js';
import { Receiver } from '../../../../test/webhooks/receiver.js';

// Polls on group posts: made and answered in the member app, read through Graph's `poll` field
// and the Question / QuestionOption nodes, with the group/poll_votes webhook for every answer.

type Table = 'audit_event' | 'outbox' | 'post' | 'poll' | 'poll_option' | 'poll_vote';

for (const dialect of await dialects()) {
  describe(`polls (${dialect})`, () => {
    let ts: TestServer;
    type Session = { cookie: string; csrf: string };
    let eve: Session;
    let sam: Session;
    let olga: Session;
    let eveId: string;
    let samId: string;
    let eng: GroupRow;
    let secret: GroupRow;
    let reader: IssuedCredentials;
    let scopedOut: IssuedCredentials;
    let noRead: IssuedCredentials;
    let hook: Receiver;
    let outHook: Receiver;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0', COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8', COMMONPLACE_WEBHOOK_WORKER: '0' } });
      const e = await ts.member({ name: 'Eve Engineer', email: 'eve@example.com', password: 'eve-pass-123456' });
      const s = await ts.member({ name: 'Sam Sales', email: 'sam@example.com', password: 'sam-pass-123456' });
      await ts.member({ name: 'Olga Outsider', email: 'olga@example.com', password: 'olga-pass-123456' });
      eveId = e.id;
      samId = s.id;
      eng = await ts.write((w) => groupCreator(w, { name: 'Engineering', privacy: 'OPEN' }));
      secret = await ts.write((w) => groupCreator(w, { name: 'Board', privacy: 'SECRET' }));
      await ts.write((w) => groupMemberAdder(w, eng, e.id));
      await ts.write((w) => groupMemberAdder(w, eng, s.id));
      await ts.write((w) => groupMemberAdder(w, secret, e.id));
      eve = await signIn('eve@example.com', 'eve-pass-123456');
      sam = await signIn('sam@example.com', 'sam-pass-123456');
      olga = await signIn('olga@example.com', 'olga-pass-123456');
      reader = await ts.integration(['read_group'], { name: 'Reader', groups: [eng.id] });
      scopedOut = await ts.integration(['read_group'], { name: 'Elsewhere', groups: [secret.id] });
      noRead = await ts.integration(['write_group'], { name: 'Writer only' });
      [hook, outHook] = await Promise.all([Receiver.start(), Receiver.start()]);
      await subscribe(ts, reader, 'group', 'poll_votes', hook.url);
      await subscribe(ts, scopedOut, 'group', 'posts,poll_votes', outHook.url);
    });
    after(async () => {
      await Promise.all([hook.close(), outHook.close()]);
      await ts.close();
    });

    async function signIn(email: string, password: string): Promise<Session> {
      const r = await http('POST', `${ts.base}/api/session`, { json: { email, password }, headers: SIGN_IN });
      assert.equal(r.status, 200, r.text);
      return { cookie: r.headers.get('set-cookie')!.split(';')[0], csrf: r.json.csrf_token as string };
    }
    const api = (s: Session, method: string, path: string, json?: unknown) => http(method, `${ts.base}/api${path}`, { json, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    const graph = (path: string, token?: string) => http('GET', `${ts.graph}${path}`, { token });
    const count = async (table: Table) => Number((await ts.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const counts = async () => Promise.all((['audit_event', 'outbox', 'post', 'poll', 'poll_option', 'poll_vote'] as const).map(count));
    const makePoll = async (poll: unknown, message = '', group = eng.id) => {
      const r = await api(eve, 'POST', `/groups/${group}/posts`, { message, poll });
      assert.equal(r.status, 200, r.text);
      return r.json;
    };
    const vote = (s: Session, postId: string, optionIds: unknown) => api(s, 'PUT', `/posts/${postId}/poll/votes`, { option_ids: optionIds });

    test('a poll post: the question stands in for a message; one audit event and the group/posts webhook; bad polls write nothing', async () => {
      const before = await counts();
      const post = await makePoll({ question: '  Where do we go for lunch?  ', options: ['Pizza', ' Sushi ', '', 'Tacos'] });
      assert.equal(post.message, null);
      assert.deepEqual(
        { ...post.poll, id: undefined, options: post.poll.options.map((o: { name: string; vote_count: number; percent: number; mine: boolean }) => [o.name, o.vote_count, o.percent, o.mine]) },
        { id: undefined, question: 'Where do we go for lunch?', multiple_choice: false, voter_count: 0, options: [['Pizza', 0, 0, false], ['Sushi', 0, 0, false], ['Tacos', 0, 0, false]] },
      );
      const after = await counts();
      assert.deepEqual(after.map((n, i) => n - before[i]), [1, 1, 1, 1, 3, 0]);
      const audit = await ts.ctx.db.selectFrom('audit_event').selectAll().where('action', '=', 'post.created').orderBy('time', 'desc').executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(audit.new_value!).poll.options, ['Pizza', 'Sushi', 'Tacos']);

      const many = Array.from({ length: 21 }, (_, i) => `Option ${i}`);
      for (const [poll, message] of [
        [{ question: 'One?', options: ['Only'] }, /2 to 20 options, got 1/],
        [{ question: 'Many?', options: many }, /2 to 20 options, got 21/],
        [{ question: '', options: ['A', 'B'] }, /needs a question/],
        [{ question: 'x'.repeat(501), options: ['A', 'B'] }, /at most 500/],
        [{ question: 'Same?', options: ['Yes', 'yes'] }, /given twice/],
        [{ question: 'Long?', options: ['A', 'b'.repeat(201)] }, /at most 200/],
        [{ question: 'Bad?', options: 'A,B' }, /list of texts/],
        [{ question: 'Flag?', options: ['A', 'B'], multiple_choice: 'yes' }, /true or false/],
        ['Which?', /must be an object/],
      ] as const) {
        const r = await api(eve, 'POST', `/groups/${eng.id}/posts`, { message: 'hello', poll });
        assert.equal(r.status, 400, r.text);
        assert.equal(r.json.error.code, 'invalid_parameter');
        assert.match(r.json.error.message, /^\(#100\)/);
        assert.match(r.json.error.message, message);
      }
      assert.deepEqual(await counts(), after, 'a refused poll writes nothing');
      assert.equal((await api(olga, 'POST', `/groups/${eng.id}/posts`, { poll: { question: 'Mine?', options: ['A', 'B'] } })).status, 403, 'only members post polls');
    });

    test('single choice: vote, change, take back; the same answer twice records nothing; the webhook goes only to the group in scope', async () => {
      const post = await makePoll({ question: 'Standup time?', options: ['9:00', '9:30', '10:00'] });
      const [nine, half, ten] = post.poll.options.map((o: { id: string }) => o.id);
      const first = await vote(sam, post.id, [nine]);
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.json.poll.options.map((o: { vote_count: number; mine: boolean; percent: number }) => [o.vote_count, o.mine, o.percent]), [[1, true, 100], [0, false, 0], [0, false, 0]]);
      const eveVote = await vote(eve, post.id, [half]);
      assert.deepEqual(eveVote.json.poll.options.map((o: { percent: number }) => o.percent), [50, 50, 0]);
      assert.equal(eveVote.json.poll.voter_count, 2);

      const before = await counts();
      const again = await vote(sam, post.id, [nine]);
      assert.equal(again.status, 200);
      assert.deepEqual(await counts(), before, 'the same answer again is a no-op');
      const two = await vote(sam, post.id, [nine, ten]);
      assert.equal(two.status, 400);
      assert.match(two.json.error.message, /takes one answer/);
      const foreign = await makePoll({ question: 'Other?', options: ['A', 'B'] });
      const wrong = await vote(sam, post.id, [foreign.poll.options[0].id]);
      assert.equal(wrong.status, 400);
      assert.match(wrong.json.error.message, /not an option of this poll/);
      assert.equal((await vote(sam, post.id, 'nine')).status, 400);
      const afterBad = await counts();
      assert.deepEqual([afterBad[0], afterBad[1], afterBad[5]], [before[0] + 1, before[1] + 1, before[5]], 'only the foreign poll post was written');

      const changed = await vote(sam, post.id, [ten]);
      assert.deepEqual(changed.json.poll.options.map((o: { vote_count: number; mine: boolean }) => [o.vote_count, o.mine]), [[0, false], [1, false], [1, true]]);
      const removed = await api(sam, 'DELETE', `/posts/${post.id}/poll/votes`);
      assert.equal(removed.status, 200);
      assert.equal(removed.json.poll.voter_count, 1);
      assert.ok(removed.json.poll.options.every((o: { mine: boolean }) => !o.mine));
      const actions = await ts.ctx.db.selectFrom('audit_event').select(['action', 'actor_id']).where('target_type', '=', 'question').where('target_id', '=', post.poll.id).orderBy('time').orderBy('id').execute();
      assert.deepEqual(actions.map((a) => a.action).sort(), ['poll.vote_removed', 'poll.voted', 'poll.voted', 'poll.voted']);

      await ts.server.webhooks.runOnce();
      const got = hook.posts().map((r) => r.json).filter((j) => j.entry[0].changes[0].value.post_id === post.id);
      assert.ok(got.every((j) => j.object === 'group' && j.entry[0].id === eng.id && j.entry[0].changes[0].field === 'poll_votes'));
      const values = got.map((j) => j.entry[0].changes[0].value);
      const sams = values.filter((v) => v.from.id === samId);
      assert.deepEqual(sams.map((v) => [v.verb, v.options.map((o: { name: string }) => o.name)]), [['add', ['9:00']], ['edit', ['10:00']], ['remove', []]]);
      assert.equal(sams[0].from.name, 'Sam Sales');
      assert.equal(sams[0].question_id, post.poll.id);
      assert.equal(sams[0].question, 'Standup time?');
      assert.ok(values.some((v) => v.from.id === eveId && v.verb === 'add'));
      assert.ok(outHook.posts().every((r) => r.json.entry[0].id !== eng.id), 'an integration scoped elsewhere hears nothing of the group');
    });

    test('multiple choice: several options, then fewer; outsiders and posts without a poll are refused', async () => {
      const post = await makePoll({ question: 'Which days suit you?', options: ['Mon', 'Tue', 'Wed'], multiple_choice: true }, 'Offsite planning');
      assert.equal(post.poll.multiple_choice, true);
      const [mon, tue, wed] = post.poll.options.map((o: { id: string }) => o.id);
      const r = await vote(sam, post.id, [mon, wed, mon]);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.poll.options.map((o: { vote_count: number }) => o.vote_count), [1, 0, 1]);
      await vote(eve, post.id, [mon]);
      const fewer = await vote(sam, post.id, [tue, mon]);
      assert.deepEqual(fewer.json.poll.options.map((o: { vote_count: number; percent: number }) => [o.vote_count, o.percent]), [[2, 100], [1, 50], [0, 0]]);
      assert.equal(fewer.json.poll.voter_count, 2);

      const before = await counts();
      const outsider = await vote(olga, post.id, [mon]);
      assert.equal(outsider.status, 403, 'reading an OPEN group is not answering in it');
      const plain = await api(eve, 'POST', `/groups/${eng.id}/posts`, { message: 'no poll here' });
      const none = await vote(sam, plain.json.id, [mon]);
      assert.equal(none.status, 404);
      const hidden = await makePoll({ question: 'Board only?', options: ['Yes', 'No'] }, '', secret.id);
      assert.equal((await vote(sam, hidden.id, [hidden.poll.options[0].id])).status, 404);
      assert.equal((await api(sam, 'GET', `/groups/${eng.id}/feed`)).json.data.find((p: { id: string }) => p.id === post.id).poll.options[1].mine, true);
      const after = await counts();
      assert.equal(after[5], before[5], 'no vote was written');
    });

    test('Graph: poll{options{name,vote_count,votes}}, the Question and QuestionOption nodes with paging; the triad; deleting the post removes the poll', async () => {
      const post = await makePoll({ question: 'Ship on Friday?', options: ['Yes', 'No', 'Next week'] }, 'Release');
      const [yes, no] = post.poll.options.map((o: { id: string }) => o.id);
      await vote(sam, post.id, [yes]);
      await vote(eve, post.id, [yes]);
      const fields = 'type,status_type,poll{id,question,multiple_choice,voter_count,from,created_time,options{name,vote_count,votes{id,name}}}';
      const r = await graph(`/${post.id}?fields=${fields}`, reader.access_token);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.type, 'status');
      assert.equal(r.json.status_type, 'mobile_status_update');
      assert.equal(r.json.poll.id, post.poll.id);
      assert.equal(r.json.poll.question, 'Ship on Friday?');
      assert.equal(r.json.poll.multiple_choice, false);
      assert.equal(r.json.poll.voter_count, 2);
      assert.deepEqual(r.json.poll.from, { id: eveId, name: 'Eve Engineer' });
      assert.match(r.json.poll.created_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
      const options = r.json.poll.options.data;
      assert.deepEqual(options.map((o: { name: string; vote_count: number }) => [o.name, o.vote_count]), [['Yes', 2], ['No', 0], ['Next week', 0]]);
      assert.deepEqual(options[0].votes.data.map((v: { name: string }) => v.name), ['Sam Sales', 'Eve Engineer'], 'voters, oldest vote first');
      assert.deepEqual(options[1].votes.data, []);
      const plain = await api(eve, 'POST', `/groups/${eng.id}/posts`, { message: 'just text' });
      assert.equal((await graph(`/${plain.json.id}?fields=id,poll`, reader.access_token)).json.poll, undefined);

      const question = await graph(`/${post.poll.id}`, reader.access_token);
      assert.deepEqual(question.json, { id: post.poll.id, question: 'Ship on Friday?' });
      const page1 = await graph(`/${post.poll.id}/options?limit=2`, reader.access_token);
      assert.deepEqual(page1.json.data.map((o: { name: string }) => o.name), ['Yes', 'No']);
      assert.deepEqual(Object.keys(page1.json.data[0]).sort(), ['id', 'name', 'vote_count']);
      const page2 = await http('GET', page1.json.paging.next, { token: reader.access_token });
      assert.deepEqual(page2.json.data.map((o: { name: string }) => o.name), ['Next week']);
      const option = await graph(`/${no}?fields=id,name,vote_count,question`, reader.access_token);
      assert.deepEqual(option.json, { id: no, name: 'No', vote_count: 0, question: { id: post.poll.id } });
      const votes = await graph(`/${yes}/votes?limit=1&summary=true`, reader.access_token);
      assert.deepEqual(votes.json.data, [{ id: samId, name: 'Sam Sales' }]);
      assert.equal(votes.json.summary.total_count, 2);
      const rest = await http('GET', votes.json.paging.next, { token: reader.access_token });
      assert.deepEqual(rest.json.data.map((v: { id: string }) => v.id), [eveId]);

      for (const path of [`/${post.poll.id}`, `/${yes}/votes`, `/${post.id}?fields=poll`]) {
        assert.equal((await graph(path)).json.error.code, 190, path);
        const denied = await graph(path, noRead.access_token);
        assert.ok([10, 200].includes(denied.json.error.code), `${path}: ${denied.text}`);
        assert.equal((await graph(path, scopedOut.access_token)).json.error.code, 100, path);
      }

      assert.equal((await api(eve, 'DELETE', `/posts/${post.id}`)).status, 200);
      assert.equal(await ts.ctx.db.selectFrom('poll').select('id').where('id', '=', post.poll.id).executeTakeFirst(), undefined);
      assert.equal((await ts.ctx.db.selectFrom('poll_option').select('id').where('poll_id', '=', post.poll.id).execute()).length, 0);
      assert.equal((await ts.ctx.db.selectFrom('poll_vote').select('voter_id').where('poll_id', '=', post.poll.id).execute()).length, 0);
      assert.equal((await graph(`/${post.poll.id}`, reader.access_token)).json.error.code, 100);

      const doomed = await ts.write((w) => groupCreator(w, { name: 'Short-lived', privacy: 'OPEN', adminId: eveId }));
      await ts.write((w) => groupMemberAdder(w, doomed, samId));
      const last = await makePoll({ question: 'Keep the group?', options: ['Yes', 'No'] }, '', doomed.id);
      await vote(sam, last.id, [last.poll.options[1].id]);
      await ts.write((w) => groupDeleter(w, doomed.id));
      assert.equal((await ts.ctx.db.selectFrom('poll_option').select('id').where('poll_id', '=', last.poll.id).execute()).length, 0, 'deleting a group deletes its polls');
      assert.equal((await ts.ctx.db.selectFrom('poll_vote').select('voter_id').where('poll_id', '=', last.poll.id).execute()).length, 0);
    });
  });
}
