import assert from 'node:assert/strict';
import nodeHttp from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { groupCreator } from '../../src/domain/commands/group.js';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import { postCreator } from '../../src/domain/commands/post.js';
import { AllowList, addressRefusal, specialKind } from '../../src/webhooks/egress.js';
import { dialects } from '../helpers/dialects.js';
import { http, ManualClock, startServer, type TestServer } from '../helpers/server.js';
import { adminSession } from './helpers.js';
import { Receiver } from './receiver.js';

// The egress policy: callbacks that resolve to loopback, private, link-local or metadata
// addresses are refused unless allowed; redirects are never followed.

describe('egress address classes', () => {
  test('special ranges are named, public addresses pass', () => {
    const cases: [string, string | undefined][] = [
      ['127.0.0.1', 'loopback'],
      ['127.8.9.10', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.20.0.1', 'private'],
      ['192.168.1.1', 'private'],
      ['fd12::1', 'private'],
      ['169.254.10.10', 'link-local'],
      ['fe80::1', 'link-local'],
      ['169.254.169.254', 'metadata'],
      ['fd00:ec2::254', 'metadata'],
      ['100.100.100.200', 'metadata'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['100.64.1.1', 'shared'],
      ['224.0.0.1', 'multicast'],
      ['64:ff9b::a9fe:a9fe', 'metadata'],
      ['93.184.216.34', undefined],
      ['2606:4700:4700::1111', undefined],
      ['8.8.8.8', undefined],
    ];
    for (const [address, kind] of cases) assert.equal(specialKind(address), kind, address);
  });

  test('allow-lists take host names, wildcards, addresses and CIDRs', () => {
    const allow = new AllowList(['hooks.internal', '*.corp.example', '10.0.0.0/8', '::1']);
    assert.equal(addressRefusal('hooks.internal', '10.9.9.9', allow), undefined);
    assert.equal(addressRefusal('a.corp.example', '192.168.1.1', allow), undefined);
    assert.equal(addressRefusal('other', '10.2.3.4', allow), undefined);
    assert.equal(addressRefusal('other', '::1', allow), undefined);
    assert.match(addressRefusal('other', '192.168.1.1', allow)!, /other resolves to 192\.168\.1\.1, a private address/);
    assert.throws(() => new AllowList(['10.0.0.0/40']), /not a valid CIDR/);
    assert.throws(() => new AllowList(['http://x']), /neither a host name/);
  });
});

for (const dialect of await dialects()) {
  describe(`egress policy (${dialect})`, () => {
    const clock = new ManualClock(Date.UTC(2026, 7, 1));
    let ts: TestServer;
    let bot: IssuedCredentials;
    let receiver: Receiver;
    let admin: Awaited<ReturnType<typeof adminSession>>;
    const subscribeTo = (url: string) =>
      http('POST', `${ts.graph}/app/subscriptions`, { token: `${bot.app_id}|${bot.app_secret}`, form: { object: 'group', fields: 'posts', callback_url: url, verify_token: 'verify-me' } });

    before(async () => {
      ts = await startServer(dialect, { clock, env: { COMMONPLACE_WEBHOOK_WORKER: '0', COMMONPLACE_WEBHOOK_TIMEOUT_MS: '1000' } });
      bot = await ts.integration(['read_group'], { name: 'Egress Bot' });
      receiver = await Receiver.start();
      admin = await adminSession(ts);
    });
    after(async () => {
      await receiver.close();
      await ts.close();
    });

    test('loopback, localhost, private, link-local and metadata callbacks are refused, saying why', async () => {
      const port = new URL(receiver.url).port;
      const cases: [string, RegExp][] = [
        [receiver.url, /127\.0\.0\.1, a loopback address/],
        [`http://localhost:${port}/hook`, /localhost resolves to (127\.0\.0\.1|::1), a loopback address/],
        [`http://[::1]:${port}/hook`, /::1, a loopback address/],
        [`http://[::ffff:127.0.0.1]:${port}/hook`, /loopback address/],
        ['http://10.0.0.7/hook', /10\.0\.0\.7, a private address/],
        ['http://169.254.169.254/latest/meta-data', /169\.254\.169\.254, a metadata address/],
        ['http://169.254.1.1/hook', /a link-local address/],
        ['ftp://example.com/hook', /must be http or https/],
        ['http://user:pw@example.com/hook', /must not carry credentials/],
      ];
      for (const [url, why] of cases) {
        const before = receiver.got.length;
        const r = await subscribeTo(url);
        assert.equal(r.status, 400, `${url}: ${r.text}`);
        assert.match(r.json.error.message, /Callback verification failed: /);
        assert.match(r.json.error.message, why, url);
        assert.equal(receiver.got.length, before, `${url} was not contacted`);
      }
      assert.deepEqual((await http('GET', `${ts.graph}/app/subscriptions`, { token: `${bot.app_id}|${bot.app_secret}` })).json.data, []);
    });

    test("the integration's own allow-list lets a host through; deliveries are checked again when sent", async () => {
      const set = await admin('PATCH', `/integrations/${bot.app_id}/webhook_settings`, { allowed_hosts: ['127.0.0.1/32'] });
      assert.equal(set.status, 200, set.text);
      const r = await subscribeTo(receiver.url);
      assert.equal(r.status, 200, r.text);
      const alice = await ts.member({ email: 'alice@example.com', name: 'Alice' });
      const group = await ts.write((w) => groupCreator(w, { name: 'Egress', adminId: alice.id }));
      const member = { kind: 'member' as const, memberId: alice.id, isAdmin: false };
      await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: 'allowed' }), member);
      await ts.server.webhooks.runOnce();
      assert.equal(receiver.posts().length, 1);
      await admin('PATCH', `/integrations/${bot.app_id}/webhook_settings`, { allowed_hosts: [] });
      await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: 'refused now' }), member);
      await ts.server.webhooks.runOnce();
      assert.equal(receiver.posts().length, 1, 'not sent once the allow-list no longer covers it');
      const log = await admin('GET', `/integrations/${bot.app_id}/deliveries?state=pending`);
      assert.match(log.json.data[0].last_error, /egress refused: 127\.0\.0\.1, a loopback address/);
      assert.equal(log.json.data[0].attempt_log[0].response_status, null);
      const bad = await admin('PATCH', `/integrations/${bot.app_id}/webhook_settings`, { allowed_hosts: ['not a host!'] });
      assert.equal(bad.status, 400);
      await admin('PATCH', `/integrations/${bot.app_id}/webhook_settings`, { allowed_hosts: ['127.0.0.0/8'] });
    });

    test('a host name is checked on the address actually connected to', async () => {
      const other = await ts.integration(['read_group'], { name: 'Host Bot' });
      await admin('PATCH', `/integrations/${other.app_id}/webhook_settings`, { allowed_hosts: ['localhost'] });
      const hook = await Receiver.start();
      const url = hook.url.replace('127.0.0.1', 'localhost');
      const r = await http('POST', `${ts.graph}/app/subscriptions`, { token: `${other.app_id}|${other.app_secret}`, form: { object: 'group', fields: 'posts', callback_url: url, verify_token: 'verify-me' } });
      assert.equal(r.status, 200, r.text);
      await admin('PATCH', `/integrations/${other.app_id}/webhook_settings`, { allowed_hosts: [] });
      const alice = await ts.member({ email: 'host@example.com', name: 'Host' });
      const group = await ts.write((w) => groupCreator(w, { name: 'Hosts', adminId: alice.id }));
      await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: 'via a name' }), { kind: 'member', memberId: alice.id, isAdmin: false });
      await ts.server.webhooks.runOnce();
      assert.equal(hook.posts().length, 0);
      const log = await admin('GET', `/integrations/${other.app_id}/deliveries`);
      assert.match(log.json.data[0].last_error, /egress refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
      await hook.close();
    });

    test('a timeout, a refused connection and a 4xx are failures that are retried', async () => {
      const other = await ts.integration(['read_group'], { name: 'Slow Bot' });
      await admin('PATCH', `/integrations/${other.app_id}/webhook_settings`, { allowed_hosts: ['127.0.0.1'] });
      const slow = await Receiver.start();
      const r = await http('POST', `${ts.graph}/app/subscriptions`, { token: `${other.app_id}|${other.app_secret}`, form: { object: 'group', fields: 'posts', callback_url: slow.url, verify_token: 'verify-me' } });
      assert.equal(r.status, 200, r.text);
      const alice = await ts.member({ email: 'slow@example.com', name: 'Slow' });
      const group = await ts.write((w) => groupCreator(w, { name: 'Slow', adminId: alice.id }));
      clock.advance(1000);
      await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: 'patience' }), { kind: 'member', memberId: alice.id, isAdmin: false });
      const lastError = async () => (await admin('GET', `/integrations/${other.app_id}/deliveries`)).json.data[0].last_error as string;
      slow.set({ status: () => new Promise((res) => setTimeout(() => res(200), 2500)) });
      await ts.server.webhooks.runOnce();
      assert.match(await lastError(), /timeout: no complete answer within 1000 ms/);
      slow.set({ status: () => ({ status: 404, body: 'no such hook' }) });
      clock.advance(60_000);
      await ts.server.webhooks.runOnce();
      assert.equal(await lastError(), 'HTTP 404');
      await slow.close();
      clock.advance(120_000);
      await ts.server.webhooks.runOnce();
      assert.match(await lastError(), /connection (refused|reset)/);
      const d = (await admin('GET', `/integrations/${other.app_id}/deliveries`)).json.data[0];
      assert.equal(d.state, 'pending');
      assert.equal(d.attempts, 3);
      assert.ok(d.next_retry_time);
    });

    test('redirects are not followed, for handshakes and deliveries', async () => {
      let target = 0;
      const sink = nodeHttp.createServer((_q, s) => {
        target++;
        s.end('you should not be here');
      });
      await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
      const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;
      const redirector = nodeHttp.createServer((_q, s) => {
        s.writeHead(307, { location: sinkUrl });
        s.end();
      });
      await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
      const redirectUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/hook`;
      const handshake = await subscribeTo(redirectUrl);
      assert.equal(handshake.status, 400);
      assert.match(handshake.json.error.message, /HTTP 307 \(redirect to http:\/\/127\.0\.0\.1:\d+\/\); redirects are not followed/);
      receiver.set({ status: () => ({ status: 302, headers: { location: sinkUrl } }) });
      const bob = await ts.member({ email: 'redirect@example.com', name: 'Redirect' });
      const group = await ts.write((w) => groupCreator(w, { name: 'Redirects', adminId: bob.id }));
      await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: 'follow me' }), { kind: 'member', memberId: bob.id, isAdmin: false });
      await ts.server.webhooks.runOnce();
      const log = await admin('GET', `/integrations/${bot.app_id}/deliveries?state=pending`);
      assert.match(log.json.data[0].last_error, /HTTP 302: redirect to http:\/\/127\.0\.0\.1:\d+\/ not followed/);
      assert.equal(target, 0, 'the redirect target was never contacted');
      sink.close();
      redirector.close();
    });
  });
}
