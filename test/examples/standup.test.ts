import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startStandup, type RunningStandup } from '../../examples/standup-bot/bot.js';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import type { GroupRow } from '../../src/db/repositories/group.js';
import { memberSession, type MemberSession } from '../chat/helpers.js';
import { dialects } from '../helpers/dialects.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { until } from './until.js';

// The standup example against a real server: it asks each member of a group in Work Chat,
// takes their answers (or a skip) over real webhooks, and posts the summary into the group.

for (const dialect of await dialects()) {
  describe(`example standup bot (${dialect})`, () => {
    let ts: TestServer;
    let creds: IssuedCredentials;
    let group: GroupRow;
    let standup: RunningStandup;
    const people: Record<string, MemberSession> = {};

    const threadOf = async (who: string) => {
      const threads = (await people[who]!('GET', '/threads')).json.data as any[];
      return threads.find((t) => t.participants?.some((p: any) => p.id === creds.page_id))?.id as string | undefined;
    };
    const botLines = async (who: string) => {
      const thread = await threadOf(who);
      if (!thread) return [];
      return ((await people[who]!('GET', `/threads/${thread}/messages`)).json.data as any[]).filter((m) => m.from?.id === creds.page_id || m.sender?.id === creds.page_id).map((m) => m.text as string);
    };
    const say = async (who: string, text: string) => {
      const r = await people[who]!('POST', `/threads/${await threadOf(who)}/messages`, { text });
      assert.equal(r.status, 200, r.text);
    };
    const waitFor = (who: string, text: string) => until(`${who} hears "${text}"`, async () => ((await botLines(who)).some((l) => l?.includes(text)) ? true : undefined));
    const summaries = () => ts.ctx.db.selectFrom('post').selectAll().where('feed_id', '=', group.id).where('author_id', '=', creds.page_id).orderBy('created_time').execute();

    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8' } });
      creds = await ts.integration(['message', 'read_group_membership', 'write_group'], { name: 'Standup' });
      const rows: { id: string }[] = [];
      for (const [email, name] of [['pat@example.com', 'Pat Lee'], ['sam@example.com', 'Sam Wu'], ['lee@example.com', 'Lee Chan']] as const) {
        rows.push(await ts.member({ email, name, password: 'member-Password-123' }));
        people[email.split('@')[0]!] = await memberSession(ts, email, 'member-Password-123');
      }
      group = await ts.write((w) => groupCreator(w, { name: 'Kitchen', adminId: rows[0]!.id }));
      for (const r of rows) await ts.write((w) => groupMemberAdder(w, group, r.id));
      standup = await startStandup({ graphUrl: ts.graph, accessToken: creds.access_token, appId: creds.app_id, appSecret: creds.app_secret, verifyToken: 'standup', groupId: group.id, callbackUrl: '', today: () => '2026-12-04', log: () => {} });
    });
    after(async () => {
      await standup?.close();
      await ts?.close();
    });

    test('asks everyone, follows up question by question, and posts the summary once all have answered or skipped', async () => {
      assert.deepEqual(await standup.start(), { asked: 3 });
      for (const who of ['pat', 'sam', 'lee']) await waitFor(who, 'Standup for Kitchen. What did you do yesterday?');

      await say('pat', 'Fixed the oven');
      await waitFor('pat', 'What will you do today?');
      await say('pat', 'Bake bread');
      await waitFor('pat', 'Is anything blocking you?');
      await say('pat', 'No flour');
      await waitFor('pat', 'Thanks! Your update goes into the summary.');

      await say('sam', 'Inventory');
      await waitFor('sam', 'What will you do today?');
      const r = await people.sam!('POST', `/threads/${await threadOf('sam')}/messages`, { quick_reply: { payload: 'STANDUP_SKIP' } });
      assert.equal(r.status, 200, r.text);
      await waitFor('sam', 'OK, the rest is skipped.');
      assert.equal((await summaries()).length, 0, 'Lee has not answered yet');

      await people.lee!('POST', `/threads/${await threadOf('lee')}/messages`, { quick_reply: { payload: 'STANDUP_SKIP' } });
      const [summary] = await until('the summary', async () => ((await summaries()).length ? await summaries() : undefined));
      assert.equal(
        summary!.message,
        [
          '**Standup — Kitchen — 2026-12-04**',
          '',
          '**Pat Lee**',
          '- What did you do yesterday? Fixed the oven',
          '- What will you do today? Bake bread',
          '- Is anything blocking you? No flour',
          '',
          '**Sam Wu**',
          '- What did you do yesterday? Inventory',
          '',
          'Skipped today: Lee Chan',
        ].join('\n'),
      );
      await say('pat', 'one more thing');
      await waitFor('pat', 'There is no standup question waiting for you.');
    });

    test('at the deadline, finish() posts who answered and who did not', async () => {
      await standup.start();
      await waitFor('sam', 'Good morning Sam!');
      await until('the second question to Sam', async () => ((await botLines('sam')).filter((l) => l?.includes('Standup for Kitchen')).length === 2 ? true : undefined));
      await say('sam', 'Ordered flour');
      await until('the follow-up', async () => ((await botLines('sam')).filter((l) => l === 'What will you do today?').length === 2 ? true : undefined));
      const id = await standup.finish();
      assert.ok(id);
      const all = await summaries();
      assert.equal(all.length, 2);
      assert.equal(all[1]!.message, ['**Standup — Kitchen — 2026-12-04**', '', '**Sam Wu**', '- What did you do yesterday? Ordered flour', '', 'No update from: Lee Chan, Pat Lee'].join('\n'));
      assert.equal(await standup.finish(), undefined, 'nothing left to post');
    });
  });
}
