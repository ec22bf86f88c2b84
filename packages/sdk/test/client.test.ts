import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { GraphApiError, GraphClient, GraphNetworkError, appsecretProof, encodePath } from '../src/index.ts';
import { fakeGraph, parseBody, recordingSleep } from './fake-graph.ts';
import type { FakeGraph, Recorded, Reply } from './fake-graph.ts';

const hmac = (key: string, message: string) => createHmac('sha256', key).update(message).digest('hex');

describe('auth forms', () => {
  let graph: FakeGraph;
  before(async () => {
    graph = await fakeGraph(() => ({ body: { id: '1', name: 'Bot' } }));
  });
  after(() => graph.close());
  const last = (): Recorded => graph.requests[graph.requests.length - 1]!;

  test('Bearer header by default, with a User-Agent and no token in the URL', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok-1' });
    const me = await client.me(['id', 'name']);
    assert.deepEqual(me, { id: '1', name: 'Bot' });
    const req = last();
    assert.equal(req.method, 'GET');
    assert.equal(req.url.pathname, '/graph/me');
    assert.equal(req.url.searchParams.get('fields'), 'id,name');
    assert.equal(req.headers.authorization, 'Bearer tok-1');
    assert.equal(req.url.searchParams.has('access_token'), false);
    assert.match(String(req.headers['user-agent']), /^commonplace-sdk\//);
  });

  test('a configured "Bearer ..." value and a custom User-Agent are tolerated', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: '  Bearer   tok-2 ', userAgent: 'GithubRep-test' });
    await client.get('me');
    assert.equal(last().headers.authorization, 'Bearer tok-2');
    assert.equal(last().headers['user-agent'], 'GithubRep-test');
  });

  test('authStyle query puts access_token in the query for GET/DELETE and in the body for POST', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok-q', authStyle: 'query' });
    await client.get('community');
    assert.equal(last().url.searchParams.get('access_token'), 'tok-q');
    assert.equal(last().headers.authorization, undefined);
    await client.delete('123/likes');
    assert.equal(last().method, 'DELETE');
    assert.equal(last().url.searchParams.get('access_token'), 'tok-q');
    await client.post('g/feed', { message: 'hi' });
    assert.deepEqual(await parseBody(last()), { message: 'hi', access_token: 'tok-q' });
    assert.equal(last().url.search, '');
    await client.post('g/feed', { message: 'hi' }, { bodyFormat: 'form' });
    assert.deepEqual(await parseBody(last()), { message: 'hi', access_token: 'tok-q' });
  });

  test('app token APP_ID|APP_SECRET when only appId and appSecret are given', async () => {
    assert.equal(GraphClient.appToken('42', 's3cret'), '42|s3cret');
    const client = new GraphClient({ baseUrl: graph.baseUrl, appId: '42', appSecret: 's3cret', appsecretProof: true });
    await client.post('app/subscriptions', { object: 'group', fields: 'posts' });
    assert.equal(last().headers.authorization, 'Bearer 42|s3cret');
    assert.deepEqual(await parseBody(last()), { object: 'group', fields: 'posts' });
    const queryClient = new GraphClient({ baseUrl: graph.baseUrl, appId: '42', appSecret: 's3cret', authStyle: 'query' });
    await queryClient.get('app/subscriptions');
    assert.equal(last().url.searchParams.get('access_token'), '42|s3cret');
  });

  test('appsecret_proof = hex(HMAC-SHA256(appSecret, accessToken))', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok-p', appSecret: 'sec', appsecretProof: true });
    await client.get('me');
    const expected = hmac('sec', 'tok-p');
    assert.equal(last().url.searchParams.get('appsecret_proof'), expected);
    assert.equal(last().url.searchParams.has('appsecret_time'), false);
    assert.equal(appsecretProof('sec', 'tok-p'), expected);
    await client.post('g/feed', { message: 'x' });
    assert.deepEqual(await parseBody(last()), { message: 'x', appsecret_proof: expected });
  });

  test("appsecretProof 'timed' sends appsecret_time and HMAC of token|time", async () => {
    const client = new GraphClient({
      baseUrl: graph.baseUrl,
      accessToken: 'tok-t',
      appSecret: 'sec',
      appsecretProof: 'timed',
      clock: () => 1_700_000_000_500,
    });
    await client.get('me');
    assert.equal(last().url.searchParams.get('appsecret_time'), '1700000000');
    assert.equal(last().url.searchParams.get('appsecret_proof'), hmac('sec', 'tok-t|1700000000'));
    await client.post('g/feed', { message: 'x' }, { bodyFormat: 'form' });
    assert.deepEqual(await parseBody(last()), {
      message: 'x',
      appsecret_time: '1700000000',
      appsecret_proof: hmac('sec', 'tok-t|1700000000'),
    });
  });

  test('no proof unless asked for', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'tok', appSecret: 'sec' });
    await client.get('me');
    assert.equal(last().url.searchParams.has('appsecret_proof'), false);
  });
});

describe('URLs and bodies', () => {
  let graph: FakeGraph;
  before(async () => {
    graph = await fakeGraph(() => ({ body: { id: '9', success: true } }));
  });
  after(() => graph.close());
  const last = (): Recorded => graph.requests[graph.requests.length - 1]!;

  test('version prefix, trailing slashes and leading slashes', async () => {
    const client = new GraphClient({ baseUrl: `${graph.baseUrl}/`, accessToken: 't', version: '19.0' });
    await client.get('//community/groups');
    assert.equal(last().url.pathname, '/graph/v19.0/community/groups');
    const v = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 't', version: 'v13.0' });
    await v.get('/me?fields=id');
    assert.equal(last().rawUrl, '/graph/v13.0/me?fields=id');
  });

  test('emails in paths are URL-encoded, existing escapes are kept', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 't' });
    await client.member('jane.doe+ops@example.com', 'id,email');
    assert.equal(last().rawUrl, '/graph/jane.doe%2Bops%40example.com?fields=id%2Cemail');
    await client.get('jane%40example.com/managers');
    assert.equal(last().url.pathname, '/graph/jane%40example.com/managers');
    assert.equal(encodePath('/t_123/messages'), 't_123/messages');
    assert.equal(encodePath('a b/100_200'), 'a%20b/100_200');
    assert.equal(encodePath('zoë.😀@exämple.com'), 'zo%C3%AB.%F0%9F%98%80%40ex%C3%A4mple.com');
  });

  test('GET/DELETE params go in the query; objects JSON-encoded, Dates as unix seconds', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 't' });
    await client.get('g/feed', { limit: 5, since: new Date(1_600_000_000_000), filter: { a: 1 }, skip: undefined, nil: null });
    const q = last().url.searchParams;
    assert.equal(q.get('limit'), '5');
    assert.equal(q.get('since'), '1600000000');
    assert.equal(q.get('filter'), '{"a":1}');
    assert.equal(q.has('skip'), false);
    assert.equal(q.has('nil'), false);
    await client.removeMember('g1', 'a@b.co');
    assert.equal(last().method, 'DELETE');
    assert.equal(last().url.pathname, '/graph/g1/members');
    assert.equal(last().url.searchParams.get('email'), 'a@b.co');
  });

  test('POST sends JSON by default', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 't' });
    const result = await client.postToGroup('g1', {
      message: 'Hello **team**',
      formatting: 'MARKDOWN',
      attached_media: [{ media_fbid: '77' }],
    });
    assert.deepEqual(result, { id: '9', success: true });
    const req = last();
    assert.equal(req.method, 'POST');
    assert.equal(req.url.pathname, '/graph/g1/feed');
    assert.match(String(req.headers['content-type']), /^application\/json/);
    assert.deepEqual(await parseBody(req), { message: 'Hello **team**', formatting: 'MARKDOWN', attached_media: [{ media_fbid: '77' }] });
    await client.like('g1_5');
    assert.equal(last().url.pathname, '/graph/g1_5/likes');
    assert.deepEqual(await parseBody(last()), {});
  });

  test("bodyFormat 'form' sends x-www-form-urlencoded with objects JSON-encoded", async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 't', bodyFormat: 'form' });
    await client.post('g1/feed', { message: 'hi', attached_media: [{ media_fbid: '1' }], published: false, n: 3 });
    assert.match(String(last().headers['content-type']), /^application\/x-www-form-urlencoded/);
    assert.deepEqual(await parseBody(last()), { message: 'hi', attached_media: '[{"media_fbid":"1"}]', published: 'false', n: '3' });
  });

  test('multipart upload with a Buffer and a Blob', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 't', authStyle: 'query' });
    await client.uploadPhoto('g1', {
      file: { data: Buffer.from('PNGDATA'), filename: 'a.png', contentType: 'image/png' },
      message: 'caption',
      published: false,
    });
    const req = last();
    assert.equal(req.url.pathname, '/graph/g1/photos');
    assert.match(String(req.headers['content-type']), /^multipart\/form-data; boundary=/);
    const form = (await parseBody(req)) as FormData;
    const source = form.get('source') as File;
    assert.equal(source.name, 'a.png');
    assert.equal(source.type, 'image/png');
    assert.equal(await source.text(), 'PNGDATA');
    assert.equal(form.get('message'), 'caption');
    assert.equal(form.get('published'), 'false');
    assert.equal(form.get('access_token'), 't');

    await client.post('group_file_revisions', { note: 'n' }, { files: { file: new File(['doc'], 'x.txt', { type: 'text/plain' }) } });
    const revision = (await parseBody(last())) as FormData;
    assert.equal((revision.get('file') as File).name, 'x.txt');
    assert.equal(revision.get('note'), 'n');
  });

  test('uploadPhoto by url', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 't' });
    await client.uploadPhoto('me', { url: 'https://example.com/a.png', published: false });
    assert.equal(last().url.pathname, '/graph/me/photos');
    assert.deepEqual(await parseBody(last()), { url: 'https://example.com/a.png', published: false });
    await assert.rejects(client.uploadPhoto('me', {}), TypeError);
  });

  test('helpers hit the documented endpoints', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 't' });
    const calls: [string, string, unknown][] = [];
    const record = async () => {
      const req = last();
      calls.push([req.method, req.url.pathname + req.url.search, await parseBody(req)]);
    };
    await client.createGroup({ name: 'Ops', privacy: 'CLOSED' });
    await record();
    await client.updateGroup('g1', { description: 'd', archive: true });
    await record();
    await client.editPost('g1_2', 'edited');
    await record();
    await client.deletePost('g1_2');
    await record();
    await client.comment('g1_2', 'nice');
    await record();
    await client.unlike('g1_2');
    await record();
    await client.addMember('g1', '100');
    await record();
    await client.addMember('g1', { email: 'x@y.z' });
    await record();
    await client.community('id,name');
    await record();
    assert.deepEqual(calls, [
      ['POST', '/graph/community/groups', { name: 'Ops', privacy: 'CLOSED' }],
      ['POST', '/graph/g1', { description: 'd', archive: true }],
      ['POST', '/graph/g1_2', { message: 'edited' }],
      ['DELETE', '/graph/g1_2', ''],
      ['POST', '/graph/g1_2/comments', { message: 'nice' }],
      ['DELETE', '/graph/g1_2/likes', ''],
      ['POST', '/graph/g1/members', { member: '100' }],
      ['POST', '/graph/g1/members', { email: 'x@y.z' }],
      ['GET', '/graph/community?fields=id%2Cname', ''],
    ]);
    await assert.rejects(client.postToGroup('g1', {}), TypeError);
  });
});

describe('errors', () => {
  let graph: FakeGraph;
  before(async () => {
    graph = await fakeGraph((req) => {
      if (req.url.pathname.endsWith('/bad')) {
        return {
          status: 400,
          body: {
            error: {
              message: 'Unsupported get request.',
              type: 'GraphMethodException',
              code: 100,
              error_subcode: 33,
              fbtrace_id: 'AbC123',
            },
          },
        };
      }
      if (req.url.pathname.endsWith('/token')) {
        return { status: 401, body: { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190, error_subcode: 467, fbtrace_id: 'T1' } } };
      }
      return { status: 502, body: '<html>Bad Gateway</html>' };
    });
  });
  after(() => graph.close());

  test('Graph error bodies become GraphApiError with code, subcode, type and fbtrace_id', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 'secret-token', authStyle: 'query' });
    const error = await client.get('x/bad').then(
      () => assert.fail('should throw'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof GraphApiError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'GraphApiError');
    assert.equal(error.message, 'Unsupported get request.');
    assert.equal(error.status, 400);
    assert.equal(error.code, 100);
    assert.equal(error.error_subcode, 33);
    assert.equal(error.type, 'GraphMethodException');
    assert.equal(error.fbtrace_id, 'AbC123');
    assert.equal(error.retryable, false);
    assert.deepEqual(error.body, {
      error: { message: 'Unsupported get request.', type: 'GraphMethodException', code: 100, error_subcode: 33, fbtrace_id: 'AbC123' },
    });
    assert.equal(error.request?.method, 'GET');
    assert.ok(error.request?.url.includes('access_token=***'));
    assert.ok(!error.request?.url.includes('secret-token'));
  });

  test('OAuthException 190', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 't' });
    await assert.rejects(client.get('token'), (e: unknown) => {
      assert.ok(e instanceof GraphApiError);
      assert.equal(e.status, 401);
      assert.equal(e.code, 190);
      assert.equal(e.error_subcode, 467);
      assert.equal(e.type, 'OAuthException');
      return true;
    });
  });

  test('non-JSON error bodies still give a GraphApiError with the status', async () => {
    const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 't', retry: { retries: 0 } });
    await assert.rejects(client.get('anything'), (e: unknown) => {
      assert.ok(e instanceof GraphApiError);
      assert.equal(e.status, 502);
      assert.equal(e.code, undefined);
      assert.equal(e.body, '<html>Bad Gateway</html>');
      assert.match(e.message, /^HTTP 502/);
      return true;
    });
  });
});

describe('retries', () => {
  const scripted = async (replies: Reply[]) => fakeGraph((_req, index) => replies[Math.min(index, replies.length - 1)]!);
  const throttled = (code: number, status = 400): Reply => ({ status, body: { error: { message: 'slow down', type: 'OAuthException', code } } });
  const ok: Reply = { body: { id: 'done' } };

  test('429 with Retry-After is retried after the advertised delay', async () => {
    const graph = await scripted([{ status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'x', code: 4 } } }, ok]);
    try {
      const { sleep, delays } = recordingSleep();
      const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 't', sleep });
      assert.deepEqual(await client.get('me'), { id: 'done' });
      assert.equal(graph.requests.length, 2);
      assert.deepEqual(delays, [2000]);
    } finally {
      await graph.close();
    }
  });

  test('Graph code 4 (HTTP 400) and code 613 are retried with jittered back-off', async () => {
    const graph = await scripted([throttled(4), throttled(613, 403), ok]);
    try {
      const { sleep, delays } = recordingSleep();
      const seen: number[] = [];
      const client = new GraphClient({
        baseUrl: graph.baseUrl,
        accessToken: 't',
        sleep,
        random: () => 0.5,
        retry: { retries: 3, minDelayMs: 100, maxDelayMs: 1000 },
        onRetry: (info) => seen.push(info.attempt),
      });
      assert.deepEqual(await client.post('g/feed', { message: 'm' }), { id: 'done' });
      assert.equal(graph.requests.length, 3);
      assert.deepEqual(delays, [150, 250]);
      assert.deepEqual(seen, [1, 2]);
      for (const req of graph.requests) assert.deepEqual(await parseBody(req), { message: 'm' });
    } finally {
      await graph.close();
    }
  });

  test('back-off stays within [minDelayMs, maxDelayMs]', async () => {
    const graph = await scripted([{ status: 500, body: 'oops' }]);
    try {
      const { sleep, delays } = recordingSleep();
      const client = new GraphClient({ baseUrl: graph.baseUrl, sleep, random: () => 0.999999, retry: { retries: 5, minDelayMs: 100, maxDelayMs: 500 } });
      await assert.rejects(client.get('me'), (e: unknown) => e instanceof GraphApiError && e.status === 500);
      assert.equal(graph.requests.length, 6);
      assert.equal(delays.length, 5);
      for (const d of delays) assert.ok(d >= 100 && d <= 500, `delay ${d}`);
      assert.equal(delays[delays.length - 1], 500);
    } finally {
      await graph.close();
    }
  });

  test('500 is retried, then succeeds; default is 3 retries', async () => {
    const graph = await scripted([{ status: 500, body: { error: { message: 'boom', code: 2 } } }, { status: 503, body: '' }, ok]);
    try {
      const { sleep, delays } = recordingSleep();
      const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 't', sleep });
      assert.deepEqual(await client.get('me'), { id: 'done' });
      assert.equal(delays.length, 2);
    } finally {
      await graph.close();
    }
    const always = await scripted([{ status: 500, body: 'down' }]);
    try {
      const { sleep, delays } = recordingSleep();
      const client = new GraphClient({ baseUrl: always.baseUrl, accessToken: 't', sleep });
      await assert.rejects(client.get('me'), GraphApiError);
      assert.equal(always.requests.length, 4);
      assert.equal(delays.length, 3);
    } finally {
      await always.close();
    }
  });

  for (const code of [100, 190, 10, 200]) {
    test(`code ${code} is not retried`, async () => {
      const graph = await scripted([throttled(code), ok]);
      try {
        const { sleep, delays } = recordingSleep();
        const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 't', sleep });
        await assert.rejects(client.get('me'), (e: unknown) => e instanceof GraphApiError && e.code === code);
        assert.equal(graph.requests.length, 1);
        assert.deepEqual(delays, []);
      } finally {
        await graph.close();
      }
    });
  }

  test('timed proof is recomputed on each attempt', async () => {
    const graph = await scripted([throttled(17), ok]);
    try {
      let now = 1_700_000_000_000;
      const client = new GraphClient({
        baseUrl: graph.baseUrl,
        accessToken: 't',
        appSecret: 's',
        appsecretProof: 'timed',
        clock: () => now,
        sleep: async (ms) => void (now += ms),
        retry: { minDelayMs: 5000, maxDelayMs: 5000 },
      });
      await client.get('me');
      const [first, second] = graph.requests.map((r) => r.url.searchParams);
      assert.equal(first!.get('appsecret_time'), '1700000000');
      assert.equal(second!.get('appsecret_time'), '1700000005');
      assert.equal(second!.get('appsecret_proof'), hmac('s', 't|1700000005'));
    } finally {
      await graph.close();
    }
  });

  test('connection refused is retried, then surfaces as GraphNetworkError', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as AddressInfo;
        probe.close(() => resolve(p));
      });
    });
    const { sleep, delays } = recordingSleep();
    const client = new GraphClient({ baseUrl: `http://127.0.0.1:${port}/graph`, accessToken: 't', sleep, retry: { retries: 2 } });
    await assert.rejects(client.get('me'), (e: unknown) => {
      assert.ok(e instanceof GraphNetworkError);
      assert.equal(e.code, 'ECONNREFUSED');
      assert.equal(e.retryable, true);
      return true;
    });
    assert.equal(delays.length, 2);
  });

  test('connection reset is retried', async () => {
    let calls = 0;
    const fetchImpl: typeof fetch = async (input, init) => {
      calls++;
      if (calls === 1) throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      return globalThis.fetch(input, init);
    };
    const graph = await scripted([ok]);
    try {
      const { sleep, delays } = recordingSleep();
      const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 't', sleep, fetch: fetchImpl });
      assert.deepEqual(await client.get('me'), { id: 'done' });
      assert.equal(calls, 2);
      assert.equal(delays.length, 1);
    } finally {
      await graph.close();
    }
  });

  test('usage headers are exposed', async () => {
    const graph = await scripted([{ headers: { 'x-app-usage': '{"call_count":28,"total_time":25,"total_cputime":25}' }, body: { id: '1' } }]);
    try {
      const client = new GraphClient({ baseUrl: graph.baseUrl, accessToken: 't' });
      await client.get('me');
      assert.deepEqual(client.lastUsage.app, { call_count: 28, total_time: 25, total_cputime: 25 });
    } finally {
      await graph.close();
    }
  });
});
