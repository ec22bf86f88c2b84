import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { IncomingWebhook } from '@slack/webhook';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { hookCreator, hookKeyRotator, hookPath, hookRevoker } from '../../src/domain/commands/incomingHook.js';
import { groupCreator, groupUpdater } from '../../src/domain/commands/group.js';
import { groupThreadCreator } from '../../src/domain/commands/chat.js';
import { GITHUB_RENDERED, renderGithubEvent } from '../../src/automation/github.js';
import { IMAGE_HOST_ENV, startImageHost } from '../helpers/images.js';

type Example = Record<string, unknown> & { commits?: { id: string }[]; ref?: string };
const examples = (await import('@octokit/webhooks-examples')).default as unknown as { name: string; examples: Example[] }[];
const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

// Images in Slack messages are fetched by the server: they come from a real image host on 127.0.0.1.
const images = await startImageHost();
after(() => images.close());

for (const dialect of await dialects()) {
  describe(`incoming webhooks (${dialect})`, () => {
    let ts: TestServer;
    let groupId: string;
    let appId: string;
    let token: string;
    before(async () => {
      ts = await startServer(dialect, { env: IMAGE_HOST_ENV });
      const app = await ts.integration(['read_group', 'write_group'], { name: 'Deploys' });
      appId = app.app_id;
      token = app.access_token;
      groupId = (await ts.write((w) => groupCreator(w, { name: 'Ops', privacy: 'OPEN' }))).id;
    });
    after(() => ts.close());

    const create = (input: Partial<Parameters<typeof hookCreator>[1]> = {}) => ts.write((w) => hookCreator(w, { target: groupId, appId, ...input }));
    const feed = async () =>
      ((await http('GET', `${ts.graph}/${groupId}/feed?fields=message,from{id,name},formatting&limit=100`, { token })).json.data as { id: string; message?: string; from: { id: string; name: string } }[]).map((p) => ({ ...p, message: p.message ?? '' }));

    test("@slack/webhook posts text, blocks and attachments unchanged, as the integration's bot page", async () => {
      const { key, hook } = await create();
      const webhook = new IncomingWebhook(ts.base + hookPath(key));
      const r1 = await webhook.send({ text: 'Deploy *v3.0* of `api` ~failed~ _retrying_: <https://ci.example.com/7|build 7> cc <!here>' });
      assert.equal(r1.text, 'ok');
      await webhook.send({
        text: 'fallback only',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: 'Release 3.0' } },
          { type: 'section', text: { type: 'mrkdwn', text: '*Changes* in <https://example.com/r|the notes>' }, fields: [{ type: 'mrkdwn', text: '*Owner*\nops' }] },
          { type: 'divider' },
          { type: 'image', image_url: images.url('chart.png'), alt_text: 'chart' },
          { type: 'context', elements: [{ type: 'mrkdwn', text: 'sent by CI' }] },
          { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open run' }, url: 'https://ci.example.com/run/9' }] },
        ],
      });
      await webhook.send({ attachments: [{ color: 'danger', pretext: 'Nightly', title: 'Tests', title_link: 'https://ci.example.com/t', text: 'Some failed', fields: [{ title: 'failed', value: '3', short: true }, { title: 'passed', value: '97', short: true }], footer: 'CI', ts: '1764800000' }] });
      const posts = await feed();
      const [attachment, blocks, text] = posts;
      assert.equal(text.message, 'Deploy **v3.0** of `api` ~~failed~~ _retrying_: [build 7](https://ci.example.com/7) cc here', 'mrkdwn becomes Markdown; <!here> is inert without allow_broadcast');
      assert.equal(text.from.id, (await ts.ctx.db.selectFrom('app').select('page_id').where('id', '=', appId).executeTakeFirstOrThrow()).page_id);
      assert.equal(text.from.name, 'Deploys');
      assert.equal(
        blocks.message,
        ['### Release 3.0', '**Changes** in [the notes](https://example.com/r)\n\n**Owner**\nops', '---', 'sent by CI', '[Open run](https://ci.example.com/run/9)'].join('\n\n'),
        'the image is attached as a photo, not written into the text',
      );
      const shown = await http('GET', `${ts.graph}/${blocks.id}?fields=type,attachments`, { token });
      assert.equal(shown.json.type, 'photo');
      assert.equal(shown.json.attachments.data[0].description, 'chart');
      assert.match(shown.json.attachments.data[0].media.image.src, /^http:\/\/127\.0\.0\.1:\d+\/media\/.+\?ext=\d+&hash=/);
      assert.ok(!shown.json.attachments.data[0].media.image.src.startsWith(images.base));
      assert.ok(!blocks.message.includes('fallback only'), 'text is only the fallback when blocks are given');
      assert.equal(attachment.message, 'Nightly\n\n> 🔴 **[Tests](https://ci.example.com/t)**\n>\n> Some failed\n>\n> **failed**: 3 · **passed**: 97\n>\n> _CI · 2025-12-03 22:13 UTC_');
      const row = await ts.ctx.db.selectFrom('incoming_hook').selectAll().where('id', '=', hook.id).executeTakeFirstOrThrow();
      assert.equal(row.post_count, 3);
      assert.ok(row.last_used_time);
      assert.ok(!JSON.stringify(row).includes(key), 'the key is stored only hashed');
      const audits = await ts.ctx.db.selectFrom('audit_event').selectAll().where('action', '=', 'post.created').where('actor_id', '=', appId).execute();
      assert.equal(audits.length, 3, 'every post is audited');
      const outbox = await ts.ctx.db.selectFrom('outbox').selectAll().where('topic', '=', 'group').where('field', '=', 'posts').where('entry_id', '=', groupId).execute();
      assert.ok(outbox.length >= 3, 'posts from hooks reach webhook subscribers like any post');
    });

    test("Slack's answers: invalid_payload, no_text, no_service, channel_is_archived, rate_limited, request_too_large", async () => {
      const { key, hook } = await create({ ratePerMinute: 3 });
      const url = ts.base + hookPath(key);
      const bad = await http('POST', url, { body: '{nope', headers: { 'content-type': 'application/json' } });
      assert.deepEqual([bad.status, bad.text], [400, 'invalid_payload']);
      const empty = await http('POST', url, { json: {} });
      assert.deepEqual([empty.status, empty.text], [400, 'no_text']);
      const blocks = await http('POST', url, { json: { blocks: 'nope' } });
      assert.deepEqual([blocks.status, blocks.text], [400, 'invalid_blocks']);
      const limited = await http('POST', url, { json: { text: 'four' } });
      assert.deepEqual([limited.status, limited.text], [429, 'rate_limited']);
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
      const unknown = await http('POST', `${ts.base}/hooks/cphk_unknown`, { json: { text: 'x' } });
      assert.deepEqual([unknown.status, unknown.text], [404, 'no_service']);
      const big = await http('POST', ts.base + hookPath((await create()).key), { json: { text: 'x'.repeat(1_100_000) } });
      assert.deepEqual([big.status, big.text], [413, 'request_too_large']);
      const log = await ts.ctx.db.selectFrom('hook_delivery').selectAll().where('hook_id', '=', hook.id).orderBy('time').execute();
      assert.deepEqual(log.map((d) => d.answer).sort(), ['invalid_blocks', 'invalid_payload', 'no_text', 'rate_limited'].sort(), 'every request to a live hook is logged');

      const archivedGroup = await ts.write((w) => groupCreator(w, { name: 'Old', privacy: 'OPEN' }));
      const archivedHook = await ts.write((w) => hookCreator(w, { target: archivedGroup.id, name: 'Old hook' }));
      await ts.write((w) => groupUpdater(w, archivedGroup, { archived: true } as never));
      const gone = await http('POST', ts.base + hookPath(archivedHook.key), { json: { text: 'hello' } });
      assert.deepEqual([gone.status, gone.text], [410, 'channel_is_archived']);
    });

    test('rotation retires the old URL; revocation answers no_service', async () => {
      const first = await create();
      const rotated = await ts.write((w) => hookKeyRotator(w, first.hook));
      assert.equal((await http('POST', ts.base + hookPath(first.key), { json: { text: 'old' } })).text, 'no_service');
      assert.equal((await http('POST', ts.base + hookPath(rotated.key), { json: { text: 'rotated works' } })).text, 'ok');
      await ts.write((w) => hookRevoker(w, rotated.hook));
      assert.equal((await http('POST', ts.base + hookPath(rotated.key), { json: { text: 'revoked' } })).status, 404);
      const actions = (await ts.ctx.db.selectFrom('audit_event').select('action').where('target_id', '=', first.hook.id).execute()).map((a) => a.action).sort();
      assert.deepEqual(actions, ['hook.created', 'hook.key_rotated', 'hook.revoked']);
    });

    test('username and icon overrides only when allowed; thread_ts answers with a comment; broadcasts when allowed', async () => {
      const plain = await create({ name: 'Plain hook' });
      await http('POST', ts.base + hookPath(plain.key), { json: { text: 'no override', username: 'Jenkins' } });
      const open = await create({ name: 'Open hook', allowOverrides: true, allowBroadcast: true });
      await http('POST', ts.base + hookPath(open.key), { json: { text: 'with override <!channel>', username: 'Jenkins', icon_url: images.url('jenkins.png') } });
      const posts = await feed();
      const overridden = posts.find((p) => p.message.startsWith('with override'))!;
      assert.equal(overridden.message, 'with override @channel');
      assert.equal(overridden.from.name, 'Jenkins');
      assert.equal(posts.find((p) => p.message === 'no override')!.from.name, 'Plain hook');
      const reply = await http('POST', ts.base + hookPath(plain.key), { json: { text: 'a reply', thread_ts: overridden.id } });
      assert.equal(reply.text, 'ok');
      const comments = await http('GET', `${ts.graph}/${overridden.id}/comments?fields=message,from{name}`, { token });
      assert.deepEqual(comments.json.data.map((c: { message: string }) => c.message), ['a reply']);
    });

    test('Slack images: fetched once through the egress policy and attached (post photos, a comment photo, chat image files); a failing one stays a link', async () => {
      const { key } = await create({ name: 'Dashboards' });
      const url = ts.base + hookPath(key);
      const sent = await http('POST', url, {
        json: {
          blocks: [
            { type: 'section', text: { type: 'mrkdwn', text: '*Latency*' }, accessory: { type: 'image', image_url: images.url('latency.png'), alt_text: 'latency' } },
            { type: 'image', title: { type: 'plain_text', text: 'Errors' }, image_url: images.url('gone.png'), alt_text: 'errors chart' },
            { type: 'context', elements: [{ type: 'image', image_url: images.url('page.html'), alt_text: 'logo' }, { type: 'mrkdwn', text: 'from Grafana' }] },
          ],
          attachments: [{ title: 'Heatmap', image_url: images.url('heat.jpg'), thumb_url: images.url('thumb.png') }, { title: 'Thumb only', thumb_url: images.url('latency.png') }],
        },
      });
      assert.deepEqual([sent.status, sent.text], [200, 'ok']);
      assert.ok(!images.hits.includes('/thumb.png'), 'the thumbnail is not fetched when the full image is given');
      const [post] = await feed();
      assert.equal(
        post.message,
        ['**Latency**', `**Errors**\n\n[errors chart](${images.url('gone.png')})`, `[logo](${images.url('page.html')}) · from Grafana`, '> **Heatmap**', '> **Thumb only**'].join('\n\n'),
        'fetched images leave the text; failing ones (404, not an image) stay as links',
      );
      const shown = await http('GET', `${ts.graph}/${post.id}?fields=type,attachments`, { token });
      const album = shown.json.attachments.data[0];
      assert.equal(album.type, 'album');
      assert.deepEqual(album.subattachments.data.map((s: { description: string }) => s.description), ['latency', undefined], 'latency.png once (used twice), then the heatmap');
      for (const s of album.subattachments.data) {
        const served = await fetch(s.media.image.src);
        assert.equal(served.status, 200);
        assert.match(served.headers.get('content-type') ?? '', /^image\/(png|jpeg)$/);
      }
      const delivery = await ts.ctx.db.selectFrom('hook_delivery').select('rendered').where('object_id', '=', post.id).executeTakeFirstOrThrow();
      assert.equal(delivery.rendered, post.message, 'the delivery log shows the text as posted');

      const reply = await http('POST', url, { json: { thread_ts: post.id, blocks: [{ type: 'image', image_url: images.url('r1.png'), alt_text: 'one' }, { type: 'image', image_url: images.url('r2.png'), alt_text: 'two' }] } });
      assert.equal(reply.text, 'ok');
      const comments = await http('GET', `${ts.graph}/${post.id}/comments?fields=message,attachment`, { token });
      assert.equal(comments.json.data[0].message, `[two](${images.url('r2.png')})`, 'a comment holds one photo: the others stay links');
      assert.ok(comments.json.data[0].attachment, 'the first image is the comment photo');

      const only = await http('POST', url, { json: { blocks: [{ type: 'image', image_url: images.url('only.png'), alt_text: 'only' }] } });
      assert.equal(only.text, 'ok', 'a message that is only an image is not no_text');
      const [photoPost] = await feed();
      assert.equal(photoPost.message, '', 'a post of only a photo has no message');

      const many = await http('POST', url, { json: { blocks: Array.from({ length: 12 }, (_, i) => ({ type: 'image', image_url: images.url(`many-${i}.png`), alt_text: `chart ${i}` })) } });
      assert.equal(many.text, 'ok', 'more images than a request may fetch never refuse the post');
      const [manyPost] = await feed();
      assert.equal(manyPost.message, `[chart 10](${images.url('many-10.png')})\n\n[chart 11](${images.url('many-11.png')})`, 'images beyond the limit stay links');
      const manyShown = await http('GET', `${ts.graph}/${manyPost.id}?fields=attachments`, { token });
      assert.equal(manyShown.json.attachments.data[0].subattachments.data.length, 10);
      assert.ok(!images.hits.includes('/many-10.png'), 'nothing beyond the limit is fetched');

      const a = await ts.member({ email: 'img-ana@example.com', name: 'Ana Img' });
      const b = await ts.member({ email: 'img-bo@example.com', name: 'Bo Img' });
      const state = await ts.write((w) => groupThreadCreator(w, { id: a.id, type: 'member', name: 'Ana Img' }, [{ id: b.id, type: 'member', name: 'Bo Img' }], 'Charts'));
      const chat = await ts.write((w) => hookCreator(w, { target: `t_${state.thread.id}`, name: 'Chart bot' }));
      const toChat = await http('POST', ts.base + hookPath(chat.key), { json: { text: 'CPU', attachments: [{ image_url: images.url('cpu.png') }, { image_url: images.url('gone.png'), fallback: 'disk' }] } });
      assert.equal(toChat.text, 'ok');
      const [message] = await ts.ctx.db.selectFrom('chat_message').selectAll().where('thread_id', '=', state.thread.id).where('source', '=', 'message').execute();
      assert.equal(message.text, `CPU\n\n> [disk](${images.url('gone.png')})`);
      const stored = JSON.parse(message.attachments!);
      assert.equal(stored.length, 1);
      assert.equal(stored[0].type, 'image');
      const file = await ts.ctx.db.selectFrom('chat_file').selectAll().where('id', '=', stored[0].payload.attachment_id).executeTakeFirstOrThrow();
      assert.deepEqual([file.name, file.mime_type, file.size, file.url], ['cpu.png', 'image/png', images.png.length, null]);
    });

    test('a hook for a group chat thread joins the thread and sends its messages there', async () => {
      const a = await ts.member({ email: 'ana@example.com', name: 'Ana' });
      const b = await ts.member({ email: 'bo@example.com', name: 'Bo' });
      const state = await ts.write((w) => groupThreadCreator(w, { id: a.id, type: 'member', name: 'Ana' }, [{ id: b.id, type: 'member', name: 'Bo' }], 'On call'));
      const { key, hook } = await ts.write((w) => hookCreator(w, { target: `t_${state.thread.id}`, name: 'Pager' }));
      assert.equal((await http('POST', ts.base + hookPath(key), { json: { text: 'Disk *full* on db-1' } })).text, 'ok');
      const messages = await ts.ctx.db.selectFrom('chat_message').selectAll().where('thread_id', '=', state.thread.id).where('source', '=', 'message').execute();
      assert.deepEqual(messages.map((m) => [m.sender_id, m.text]), [[hook.page_id, 'Disk **full** on db-1']]);
      const oneToOne = await ts.ctx.db.selectFrom('chat_thread').select('id').where('kind', '=', 'one_to_one').executeTakeFirst();
      if (oneToOne) await assert.rejects(ts.write((w) => hookCreator(w, { target: `t_${oneToOne.id}` })), /group chat threads/);
    });

    test('GitHub: X-Hub-Signature-256 is checked; every example of the rendered events renders', async () => {
      const { key, signingSecret } = await create({ source: 'github', name: 'GitHub' });
      assert.ok(signingSecret);
      const url = ts.base + hookPath(key);
      const push = examples.find((e) => e.name === 'push')!.examples.find((e) => e.commits?.length && e.ref === 'refs/heads/master')!;
      const body = JSON.stringify(push);
      const unsigned = await http('POST', url, { body, headers: { 'content-type': 'application/json', 'x-github-event': 'push' } });
      assert.deepEqual([unsigned.status, unsigned.text], [403, 'invalid_token']);
      const wrong = await http('POST', url, { body, headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sign('wrong', body) } });
      assert.equal(wrong.status, 403);
      const ok = await http('POST', url, { body, headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sign(signingSecret!, body) } });
      assert.deepEqual([ok.status, ok.text], [200, 'ok']);
      const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
      assert.equal((await http('POST', url, { body: ping, headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-hub-signature-256': sign(signingSecret!, ping) } })).text, 'ok');
      const posts = await feed();
      assert.match(posts[0].message, /created branch `master` in \[Codertocat\/Hello-World\]/);
      assert.ok(posts[0].message.includes(push.commits![0].id.slice(0, 7)), 'commits are listed');
      assert.ok(!posts.some((p) => p.message.includes('logically awesome')), 'ping is answered, not posted');

      let rendered = 0;
      for (const name of GITHUB_RENDERED) {
        const set = examples.find((e) => e.name === name);
        assert.ok(set, name);
        for (const example of set.examples) {
          const markdown = renderGithubEvent(name, example);
          assert.ok(markdown && markdown.length > 10 && !markdown.includes('undefined'), `${name}: ${markdown}`);
          rendered++;
        }
      }
      assert.ok(rendered > 80, `${rendered} examples rendered`);
      const star = examples.find((e) => e.name === 'star')!.examples[0];
      assert.match(renderGithubEvent('star', star)!, /GitHub `star` created in/);
    });

    test('Alertmanager: a firing-then-resolved group updates one post', async () => {
      const { key } = await create({ source: 'alertmanager', name: 'Alerts' });
      const url = ts.base + hookPath(key);
      const alert = (status: string, instance: string, endsAt = '0001-01-01T00:00:00Z') => ({
        status,
        labels: { alertname: 'HighLatency', severity: 'page', instance },
        annotations: { summary: `p99 over 2s on ${instance}` },
        startsAt: '2026-12-04T03:00:00Z',
        endsAt,
        generatorURL: 'http://prometheus.example.com/graph',
        fingerprint: `fp-${instance}`,
      });
      const notification = (status: string, alerts: unknown[]) => ({
        version: '4',
        groupKey: '{}:{alertname="HighLatency"}',
        status,
        receiver: 'commonplace',
        groupLabels: { alertname: 'HighLatency' },
        commonLabels: { alertname: 'HighLatency', severity: 'page' },
        commonAnnotations: {},
        externalURL: 'http://alertmanager.example.com',
        alerts,
      });
      assert.equal((await http('POST', url, { json: notification('firing', [alert('firing', 'a'), alert('firing', 'b')]) })).text, 'ok');
      let posts = (await feed()).filter((p) => p.message.includes('HighLatency'));
      assert.equal(posts.length, 1);
      assert.match(posts[0].message, /FIRING: 2/);
      await http('POST', url, { json: notification('firing', [alert('resolved', 'a', '2026-12-04T03:10:00Z'), alert('firing', 'b')]) });
      posts = (await feed()).filter((p) => p.message.includes('HighLatency'));
      assert.equal(posts.length, 1, 'the same post is updated');
      assert.match(posts[0].message, /FIRING: 1\*\* · ✅ resolved: 1/);
      await http('POST', url, { json: notification('resolved', [alert('resolved', 'b', '2026-12-04T03:20:00Z')]) });
      posts = (await feed()).filter((p) => p.message.includes('HighLatency'));
      assert.equal(posts.length, 1);
      assert.match(posts[0].message, /^✅ \*\*RESOLVED\*\*/);
      assert.match(posts[0].message, /instance=a/, 'alerts left out of a later notification keep their last state');
      const bad = await http('POST', url, { json: { text: 'not an alert' } });
      assert.deepEqual([bad.status, bad.text], [400, 'invalid_payload']);
    });
  });
}
