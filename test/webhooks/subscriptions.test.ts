import assert from 'node:assert/strict';
import nodeHttp from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import XHubSignature from 'x-hub-signature';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import { postCreator } from '../../src/domain/commands/post.js';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import type { GroupRow } from '../../src/db/repositories/group.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { change, messaging, Receiver } from './receiver.js';

// Subscriptions through the Graph API (app token), the verification handshake, and signed
// deliveries checked by two independent verifiers.

for (const dialect of await dialects()) {
  describe(`webhook subscriptions (${dialect})`, () => {
    let ts: TestServer;
    let bot: IssuedCredentials;
    let receiver: Receiver;
    let group: GroupRow;
    let alice: { id: string; email: string | null; name: string };
    const appToken = () => `${bot.app_id}|${bot.app_secret}`;
    const subscribe = (form: Record<string, string>, token = appToken()) => http('POST', `${ts.graph}/app/subscriptions`, { token, form });

    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8' } });
      receiver = await Receiver.start({ verifyToken: 'vt-good' });
      bot = await ts.integration(['read_group', 'write_group', 'bot_mention', 'message'], { name: 'Hook Bot' });
      alice = await ts.member({ email: 'alice@example.com', name: 'Alice Émile' });
      group = await ts.write((w) => groupCreator(w, { name: 'Hooks', adminId: alice.id }));
    });
    after(async () => {
      await receiver.close();
      await ts.close();
    });

    test('no token is error 190; a subscription needs the permission of its fields', async () => {
      const none = await http('POST', `${ts.graph}/app/subscriptions`, { form: { object: 'group', fields: 'posts', callback_url: receiver.url, verify_token: 'vt-good' } });
      assert.equal(none.json.error.code, 190);
      const reader = await ts.integration(['read_group'], { name: 'Reader' });
      const r = await subscribe({ object: 'user', fields: 'status', callback_url: receiver.url, verify_token: 'vt-good' }, `${reader.app_id}|${reader.app_secret}`);
      assert.equal(r.status, 403, r.text);
      assert.equal(r.json.error.code, 200);
      assert.match(r.json.error.message, /read_user_feed/);
      const unknown = await subscribe({ object: 'group', fields: 'likes', callback_url: receiver.url, verify_token: 'vt-good' });
      assert.equal(unknown.status, 400);
      assert.match(unknown.json.error.message, /Unknown field likes/);
    });

    test("every field Workplace and Messenger list is accepted and stored, those Commonplace never produces included; they need the topic's permission", async () => {
      const fields = 'messages,messaging_postbacks,messaging_optins,messaging_referrals,message_echoes,messaging_handovers,standby,messaging_account_linking';
      const r = await subscribe({ object: 'page', fields, callback_url: receiver.url, verify_token: 'vt-good' });
      assert.equal(r.status, 200, r.text);
      const listed = await http('GET', `${ts.graph}/app/subscriptions`, { token: appToken() });
      const page = listed.json.data.find((s: { object: string }) => s.object === 'page');
      assert.deepEqual(page.fields.map((f: { name: string }) => f.name).sort(), fields.split(',').sort());
      const subscribed = await http('GET', `${ts.graph}/me/subscribed_apps`, { token: bot.access_token });
      assert.ok(subscribed.json.data[0].subscribed_fields.includes('messaging_optins'));
      const reader = await ts.integration(['read_group'], { name: 'Optin Reader' });
      const denied = await subscribe({ object: 'page', fields: 'messaging_optins', callback_url: receiver.url, verify_token: 'vt-good' }, `${reader.app_id}|${reader.app_secret}`);
      assert.equal(denied.json.error.code, 200);
      assert.match(denied.json.error.message, /message/);
      const removed = await http('DELETE', `${ts.graph}/app/subscriptions?object=page&fields=messaging_optins,messaging_referrals,message_echoes,messaging_handovers,standby,messaging_account_linking,messages,messaging_postbacks`, { token: appToken() });
      assert.equal(removed.status, 200, removed.text);
    });

    test("message_echoes: the bot's own Send API message comes back to its page with is_echo, app_id, mid and content", async () => {
      const r = await subscribe({ object: 'page', fields: 'message_echoes', callback_url: receiver.url, verify_token: 'vt-good' });
      assert.equal(r.status, 200, r.text);
      const sent = await http('POST', `${ts.graph}/me/messages`, { token: bot.access_token, json: { recipient: { id: alice.id }, message: { text: 'Ticket 42 is open' } } });
      assert.equal(sent.status, 200, sent.text);
      const echo = await receiver.waitFor((x) => messaging(x)?.message?.mid === sent.json.message_id);
      const item = messaging(echo);
      assert.deepEqual(item.sender, { id: bot.page_id });
      assert.deepEqual(item.recipient, { id: alice.id });
      assert.deepEqual(item.message, { is_echo: true, app_id: bot.app_id, mid: sent.json.message_id, text: 'Ticket 42 is open' });
      assert.equal(echo.json.entry[0].id, bot.page_id);
      const template = { type: 'template', payload: { template_type: 'button', text: 'Close it?', buttons: [{ type: 'postback', title: 'Close', payload: 'CLOSE_42' }] } };
      const withButton = await http('POST', `${ts.graph}/me/messages`, { token: bot.access_token, json: { recipient: { id: alice.id }, message: { attachment: template } } });
      const templateEcho = messaging(await receiver.waitFor((x) => messaging(x)?.message?.mid === withButton.json.message_id));
      assert.deepEqual(templateEcho.message.attachments, [template]);
      await http('DELETE', `${ts.graph}/app/subscriptions?object=page&fields=message_echoes`, { token: appToken() });
    });

    test('a wrong verify token is refused with what came back, and nothing is stored', async () => {
      const before = receiver.got.length;
      const r = await subscribe({ object: 'group', fields: 'posts', callback_url: receiver.url, verify_token: 'vt-bad' });
      assert.equal(r.status, 400, r.text);
      assert.match(r.json.error.message, /Callback verification failed/);
      assert.match(r.json.error.message, /HTTP 403/);
      assert.match(r.json.error.message, /verify token mismatch/);
      const handshake = receiver.got[before];
      assert.equal(handshake.method, 'GET');
      assert.equal(handshake.url.searchParams.get('hub.mode'), 'subscribe');
      assert.equal(handshake.url.searchParams.get('hub.verify_token'), 'vt-bad');
      assert.ok(handshake.url.searchParams.get('hub.challenge'));
      const list = await http('GET', `${ts.graph}/app/subscriptions`, { token: appToken() });
      assert.deepEqual(list.json, { data: [] });
    });

    test('a callback that answers 200 without echoing the challenge is refused', async () => {
      const server = nodeHttp.createServer((_q, s) => s.end('hello'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`;
      const r = await subscribe({ object: 'group', fields: 'posts', callback_url: url, verify_token: 'x' });
      server.close();
      assert.equal(r.status, 400);
      assert.match(r.json.error.message, /body "hello" instead of the hub\.challenge/);
    });

    test('the right verify token stores the subscription; GET lists it in Graph shape', async () => {
      const r = await subscribe({ object: 'group', fields: 'posts,comments', callback_url: receiver.url, verify_token: 'vt-good' });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { success: true });
      const page = await subscribe({ object: 'page', fields: 'mention', callback_url: receiver.url, verify_token: 'vt-good' });
      assert.equal(page.status, 200, page.text);
      const list = await http('GET', `${ts.graph}/app/subscriptions`, { token: appToken() });
      assert.deepEqual(list.json.data, [
        { object: 'group', callback_url: receiver.url, active: true, fields: [{ name: 'posts', version: 'v19.0' }, { name: 'comments', version: 'v19.0' }] },
        { object: 'page', callback_url: receiver.url, active: true, fields: [{ name: 'mention', version: 'v19.0' }] },
      ]);
      const apps = await http('GET', `${ts.graph}/me/subscribed_apps`, { token: bot.access_token });
      assert.deepEqual(apps.json, { data: [{ id: bot.app_id, name: 'Hook Bot', subscribed_fields: ['mention'] }] });
      assert.deepEqual((await http('POST', `${ts.graph}/me/subscribed_apps`, { token: bot.access_token })).json, { success: true });
    });

    test('a group post is delivered once, signed sha1 and sha256 over the exact bytes (independent verifiers)', async () => {
      const member = { kind: 'member' as const, memberId: alice.id, isAdmin: false };
      const post = await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: 'Grüße aus Köln ☕' }), member);
      const delivery = await receiver.waitFor((r) => change(r)?.value?.post_id === `${group.id}_${post.id}`);
      const raw = delivery.raw;
      assert.ok(/^[\x00-\x7f]*$/.test(raw.toString('latin1')), 'the body is ASCII only');
      assert.match(raw.toString(), /Gr\\u00fc\\u00dfe aus K\\u00f6ln \\u2615/);
      assert.equal(delivery.json.object, 'group');
      assert.equal(delivery.json.entry[0].id, group.id);
      assert.equal(typeof delivery.json.entry[0].time, 'number');
      assert.equal(change(delivery)!.field, 'posts');
      assert.equal(change(delivery)!.value.message, 'Grüße aus Köln ☕');
      const sha1 = delivery.headers['x-hub-signature'] as string;
      const sha256 = delivery.headers['x-hub-signature-256'] as string;
      assert.equal(new XHubSignature('sha1', bot.app_secret).verify(sha1, raw), true);
      assert.equal(new XHubSignature('sha256', bot.app_secret).verify(sha256, raw), true);
      assert.equal(await octokitVerify(bot.app_secret, raw.toString('utf8'), sha256), true);
      assert.equal(new XHubSignature('sha1', 'wrong-secret').verify(sha1, raw), false);
      assert.equal(await octokitVerify('wrong-secret', raw.toString('utf8'), sha256), false);
      assert.match(delivery.headers['x-commonplace-delivery'] as string, /^\d+$/);
      assert.match(delivery.headers['x-commonplace-event'] as string, /^\d+$/);
      assert.equal(delivery.headers['x-commonplace-attempt'], '1');
      assert.ok(Math.abs(Number(delivery.headers['x-commonplace-timestamp']) - Date.now() / 1000) < 60);
      assert.equal(delivery.headers['content-type'], 'application/json');
    });

    test('membership changes are not delivered to a subscription without the membership field', async () => {
      const bob = await ts.member({ email: 'bob@example.com', name: 'Bob' });
      const before = receiver.posts().length;
      await ts.write((w) => groupMemberAdder(w, group, bob.id));
      await ts.server.webhooks.runOnce();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(receiver.posts().filter((p) => change(p)?.field === 'membership').length, 0);
      assert.equal(receiver.posts().length, before);
    });

    test('DELETE removes fields, then the topic', async () => {
      const del = await http('DELETE', `${ts.graph}/app/subscriptions?object=group&fields=comments`, { token: appToken() });
      assert.deepEqual(del.json, { success: true });
      let list = await http('GET', `${ts.graph}/app/subscriptions`, { token: appToken() });
      assert.deepEqual(list.json.data.find((s: any) => s.object === 'group').fields, [{ name: 'posts', version: 'v19.0' }]);
      await http('DELETE', `${ts.graph}/app/subscriptions?object=page`, { token: appToken() });
      list = await http('GET', `${ts.graph}/app/subscriptions`, { token: appToken() });
      assert.deepEqual(list.json.data.map((s: any) => s.object), ['group']);
    });
  });
}
