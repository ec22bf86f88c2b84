import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GraphApiError, GraphClient, MAX_BATCH_SIZE, batchItemError } from '../src/index.ts';
import type { BatchRequest } from '../src/index.ts';
import { fakeGraph, parseBody } from './fake-graph.ts';
import type { FakeGraph } from './fake-graph.ts';

describe('batch', () => {
  let graph: FakeGraph;
  before(async () => {
    graph = await fakeGraph(() => ({
      body: [
        { code: 200, headers: [{ name: 'Content-Type', value: 'application/json' }], body: '{"id":"1","name":"Bot"}' },
        { code: 200, body: '{"id":"g1_9"}' },
        null,
        { code: 400, body: '{"error":{"message":"Invalid parameter","type":"OAuthException","code":100,"fbtrace_id":"Z"}}' },
      ],
    }));
  });
  after(() => graph.close());

  test('POSTs / with form fields batch (JSON) and include_headers, and parses item bodies', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok', authStyle: 'query' });
    const requests: BatchRequest[] = [
      { method: 'GET', relative_url: 'me?fields=id,name' },
      { method: 'POST', relative_url: 'g1/feed', body: { message: 'hi & bye', formatting: 'MARKDOWN' }, name: 'post' },
      { method: 'POST', relative_url: 'g1/feed', body: 'message=raw' },
      { method: 'DELETE', relative_url: '{result=post:$.id}', depends_on: 'post' },
    ];
    const results = await client.batch(requests, { includeHeaders: true });

    const req = graph.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url.pathname, '/graph/');
    assert.match(String(req.headers['content-type']), /^application\/x-www-form-urlencoded/);
    const form = (await parseBody(req)) as Record<string, string>;
    assert.equal(form['include_headers'], 'true');
    assert.equal(form['access_token'], 'tok');
    assert.deepEqual(JSON.parse(form['batch']!), [
      { method: 'GET', relative_url: 'me?fields=id,name' },
      { method: 'POST', relative_url: 'g1/feed', body: 'message=hi+%26+bye&formatting=MARKDOWN', name: 'post' },
      { method: 'POST', relative_url: 'g1/feed', body: 'message=raw' },
      { method: 'DELETE', relative_url: '{result=post:$.id}', depends_on: 'post' },
    ]);

    assert.equal(results.length, 4);
    assert.deepEqual(results[0], { code: 200, headers: [{ name: 'Content-Type', value: 'application/json' }], body: { id: '1', name: 'Bot' } });
    assert.deepEqual(results[1], { code: 200, body: { id: 'g1_9' } });
    assert.equal(results[2], null);
    assert.equal(results[3]!.code, 400);
    const error = batchItemError(results[3]!);
    assert.ok(error instanceof GraphApiError);
    assert.equal(error.code, 100);
    assert.equal(error.fbtrace_id, 'Z');
    assert.equal(batchItemError(results[0]!), undefined);
  });

  test('include_headers defaults to false', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok' });
    await client.batch([{ method: 'GET', relative_url: 'me' }]);
    const form = (await parseBody(graph.requests[graph.requests.length - 1]!)) as Record<string, string>;
    assert.equal(form['include_headers'], 'false');
    assert.equal(graph.requests[graph.requests.length - 1]!.headers.authorization, 'Bearer tok');
  });

  test('more than 50 operations are refused before any request; 50 is fine; 0 sends nothing', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok' });
    const count = graph.requests.length;
    const many = Array.from({ length: MAX_BATCH_SIZE + 1 }, (): BatchRequest => ({ method: 'GET', relative_url: 'me' }));
    await assert.rejects(client.batch(many), RangeError);
    assert.deepEqual(await client.batch([]), []);
    assert.equal(graph.requests.length, count);
    await client.batch(many.slice(0, MAX_BATCH_SIZE));
    assert.equal(graph.requests.length, count + 1);
  });
});
