import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createWebhookListener, signatureHeaders, type WebhookEvent, webhookEvents } from '../src/index.ts';

const SECRET = 'listener-secret';

describe('webhookEvents', () => {
  test('flattens changes and messaging items, in order', () => {
    const events = webhookEvents({
      object: 'page',
      entry: [
        { id: 'p1', time: 1, changes: [{ field: 'mention', value: { post_id: '1_2' } }] },
        {
          id: 'p1',
          time: 2,
          messaging: [
            { sender: { id: 'u' }, recipient: { id: 'p1' }, timestamp: 3, message: { mid: 'm_1', text: 'hi' } },
            { sender: { id: 'u' }, recipient: { id: 'p1' }, timestamp: 4, postback: { title: 'Yes', payload: 'Y' } },
            { sender: { id: 'u' }, recipient: { id: 'p1' }, timestamp: 5, read: { watermark: 5 } },
          ],
        },
      ],
    });
    assert.deepEqual(events.map((e) => e.type), ['change', 'message', 'postback', 'read']);
    assert.equal(events[0].type === 'change' && events[0].field, 'mention');
  });
});

describe('createWebhookListener', () => {
  const got: { event: WebhookEvent; id: string | undefined }[] = [];
  let server: http.Server;
  let url: string;
  before(async () => {
    server = http.createServer(createWebhookListener({ appSecret: ['old-secret', SECRET], verifyToken: 'vt', onEvent: (event, delivery) => void got.push({ event, id: delivery.id }) }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const post = (body: string, headers: Record<string, string>) => fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  test('answers the handshake with the challenge, and 403 for a wrong token', async () => {
    const ok = await fetch(`${url}?hub.mode=subscribe&hub.challenge=abc123&hub.verify_token=vt`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'abc123');
    assert.equal((await fetch(`${url}?hub.mode=subscribe&hub.challenge=abc123&hub.verify_token=nope`)).status, 403);
  });

  test('refuses a bad signature, acknowledges a good one, drops a duplicate delivery', async () => {
    const body = '{"object":"group","entry":[{"id":"g","time":1,"changes":[{"field":"posts","value":{"message":"caf\\u00e9"}}]}]}';
    const bad = await post(body, { ...signatureHeaders('wrong', body), 'x-commonplace-delivery': 'd1' });
    assert.equal(bad.status, 401);
    const signed = { ...signatureHeaders(SECRET, body), 'x-commonplace-delivery': 'd1' };
    assert.equal((await post(body, signed)).status, 200);
    assert.equal((await post(body, signed)).status, 200);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(got.length, 1);
    assert.equal(got[0].id, 'd1');
    const event = got[0].event;
    assert.ok(event.type === 'change' && event.value.message === 'café');
  });
});
