import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { hmacSha256Hex } from '../../src/domain/secrets.js';
import { createLogger, redactUrl } from '../../src/http/logging.js';
import { specialKind } from '../../src/webhooks/egress.js';
import { memberSession } from '../chat/helpers.js';
import { dialects } from '../helpers/dialects.js';
import { http, SIGN_IN, startServer, type TestServer } from '../helpers/server.js';

// One test per finding of the security review (issue 15), named after it, over real HTTP.

const ADMIN = { email: 'admin@example.com', password: 'test-Admin-pass-1234' };

/** A request through node:http, which (unlike fetch) sends whatever Host header it is given. */
function raw(base: string, method: string, path: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string; json: any }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: url.port, path, method, headers: { ...(options.body ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}), ...options.headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function adminCookie(ts: TestServer, headers: Record<string, string> = {}) {
  const r = await http('POST', `${ts.base}/admin/api/session`, { json: ADMIN, headers: { ...SIGN_IN, ...headers } });
  assert.equal(r.status, 200, r.text);
  return { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0], csrf: r.json.csrf_token as string, setCookie: r.headers.get('set-cookie') ?? '' };
}

for (const dialect of await dialects()) {
  describe(`security findings (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let group: string;
    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0' } });
      token = (await ts.integration(['read_group', 'write_group', 'manage_group', 'provision_user_accounts', 'manage_accounts', 'message'])).access_token;
      group = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Findings', privacy: 'OPEN' } })).json.id;
    });
    after(() => ts.close());

    describe('finding 1: invitation links follow the Host header', () => {
      const forgedHost = { host: 'attacker.example', authorization: '' };
      const outboxText = async () => JSON.stringify(await ts.ctx.db.selectFrom('mail_outbox').selectAll().execute());

      test('Graph: an invitation under a forged Host is refused without PUBLIC_URL, and nothing is written', async () => {
        const form = new URLSearchParams({ name: 'Victim One', email: 'victim1@example.com', invited: 'true' }).toString();
        const r = await raw(ts.base, 'POST', '/graph/community/accounts', { headers: { ...forgedHost, authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: form });
        assert.equal(r.status, 409, r.text);
        assert.equal(r.json.error.code, 100);
        assert.match(r.json.error.message, /PUBLIC_URL/);
        assert.equal(await ts.ctx.db.selectFrom('member').select('id').where('email', '=', 'victim1@example.com').executeTakeFirst(), undefined, 'no half-written account');
        assert.ok(!(await outboxText()).includes('attacker.example'));
      });

      test('Graph: invited=true on an existing account under a forged Host is refused; a loopback Host works', async () => {
        const created = await http('POST', `${ts.graph}/community/accounts`, { token, form: { name: 'Victim Two', email: 'victim2@example.com' } });
        assert.equal(created.status, 200, created.text);
        const body = new URLSearchParams({ invited: 'true' }).toString();
        const forged = await raw(ts.base, 'POST', `/graph/${created.json.id}`, { headers: { ...forgedHost, authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' }, body });
        assert.equal(forged.status, 409, forged.text);
        const local = await http('POST', `${ts.graph}/${created.json.id}`, { token, form: { invited: 'true' } });
        assert.equal(local.status, 200, local.text);
        const mail = await ts.ctx.db.selectFrom('mail_outbox').selectAll().where('member_id', '=', created.json.id).executeTakeFirstOrThrow();
        assert.ok(mail.body.includes(`${ts.base}/claim/`));
        assert.ok(!(await outboxText()).includes('attacker.example'));
      });

      test('SCIM: a user created with a forged Host gets no invitation and no claim link to that host', async () => {
        const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'victim3@example.com', name: { formatted: 'Victim Three' }, 'urn:ietf:params:scim:schemas:extension:workplace:2.0:User': { invited: true } });
        const r = await raw(ts.base, 'POST', '/scim/v2/Users', { headers: { ...forgedHost, authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, body });
        assert.ok(r.status < 500, r.text);
        assert.ok(!r.text.includes('attacker.example/claim'), r.text);
        assert.ok(!(await outboxText()).includes('attacker.example'));
      });

      test('admin API: inviting under a forged Host is refused with a clear error', async () => {
        const { cookie, csrf } = await adminCookie(ts);
        const body = JSON.stringify({ name: 'Victim Four', email: 'victim4@example.com' });
        const r = await raw(ts.base, 'POST', '/admin/api/people', { headers: { host: 'attacker.example', cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body });
        assert.equal(r.status, 409, r.text);
        assert.match(r.json.error.message, /PUBLIC_URL/);
        assert.equal(await ts.ctx.db.selectFrom('member').select('id').where('email', '=', 'victim4@example.com').executeTakeFirst(), undefined, 'no half-written account');
        assert.ok(!(await outboxText()).includes('attacker.example'));
      });
    });

    describe('finding 2: one call can stall the server', () => {
      const heavy = 'community/groups?limit=1000&fields=feed.limit(1000){comments.limit(1000){likes}},members.limit(1000){groups}';

      test('the reported heavy call answers error 1 "Please reduce the amount of data" at once, alone and in a batch', async () => {
        const alone = await http('GET', `${ts.graph}/${heavy}`, { token });
        assert.equal(alone.status, 400, alone.text);
        assert.equal(alone.json.error.code, 1);
        assert.match(alone.json.error.message, /^Please reduce the amount of data you're asking for/);
        const batch = await http('POST', `${ts.graph}/`, { token, form: { batch: JSON.stringify(Array.from({ length: 10 }, () => ({ method: 'GET', relative_url: heavy }))) } });
        assert.equal(batch.status, 200, batch.text);
        for (const item of batch.json) assert.equal(JSON.parse(item.body).error.code, 1);
      });

      test('a call over the rendered-rows budget fails with error 1; the rate limit is charged by cost', async () => {
        const small = await startServer(dialect, { env: { COMMONPLACE_REQUEST_MAX_ROWS: '30', COMMONPLACE_RATE_LIMIT: '20' } });
        try {
          const t = (await small.integration(['read_group', 'write_group', 'manage_group'])).access_token;
          const g = (await http('POST', `${small.graph}/community/groups`, { token: t, form: { name: 'Budget', privacy: 'OPEN' } })).json.id;
          for (let i = 0; i < 8; i++) assert.equal((await http('POST', `${small.graph}/${g}/feed`, { token: t, form: { message: `post ${i}` } })).status, 200);
          const within = await http('GET', `${small.graph}/${g}/feed?limit=5&fields=message`, { token: t });
          assert.equal(within.status, 200, within.text);
          const over = await http('GET', `${small.graph}/${g}/feed?limit=25&fields=message,from,comments{message}`, { token: t });
          assert.equal(over.status, 400, over.text);
          assert.equal(over.json.error.code, 1);
          const usage = JSON.parse(within.headers.get('x-app-usage') ?? '{}');
          const after = JSON.parse((await http('GET', `${small.graph}/${g}/feed?limit=5&fields=message`, { token: t })).headers.get('x-app-usage') ?? '{}');
          assert.ok(after.call_count > usage.call_count, 'each call counts');
        } finally {
          await small.close();
        }
      });
    });

    describe('finding 3: sign-in back-off can be raced and used for lockout', () => {
      test('20 parallel wrong passwords: at most 5 are evaluated, the rest get 429 before hashing', async () => {
        await ts.member({ email: 'race@example.com', name: 'Race Target', password: 'race-Password-123', is_admin: true });
        const answers = await Promise.all(Array.from({ length: 20 }, () => http('POST', `${ts.base}/admin/api/session`, { json: { email: 'race@example.com', password: 'wrong-guess' }, headers: SIGN_IN })));
        const evaluated = answers.filter((a) => a.status === 401).length;
        const refused = answers.filter((a) => a.status === 429).length;
        assert.ok(evaluated <= 5, `${evaluated} guesses were evaluated`);
        assert.equal(evaluated + refused, 20);
        assert.ok(Number(answers.find((a) => a.status === 429)?.headers.get('retry-after')) > 0);
        const failures = await ts.ctx.db.selectFrom('audit_event').select('id').where('action', '=', 'admin.sign_in_failed').where('target_id', 'is not', null).execute();
        assert.ok(failures.length >= 1);
      });

      test('spraying many emails from one address is slowed down', async () => {
        const sprayed = await startServer(dialect);
        try {
          const statuses: number[] = [];
          for (let i = 0; i < 32; i++) statuses.push((await http('POST', `${sprayed.base}/admin/api/session`, { json: { email: `spray${i}@example.com`, password: 'x' }, headers: SIGN_IN })).status);
          assert.deepEqual(statuses.slice(0, 30), Array(30).fill(401));
          assert.deepEqual(statuses.slice(30), [429, 429], 'the address is throttled across emails');
        } finally {
          await sprayed.close();
        }
      });

      test('the secret-reveal password check is under the same limiter', async () => {
        const app = await ts.integration(['read_group'], { name: 'Reveal' });
        await ts.member({ email: 'revealer@example.com', name: 'Revealer', password: 'reveal-Password-123', is_admin: true });
        const r = await http('POST', `${ts.base}/admin/api/session`, { json: { email: 'revealer@example.com', password: 'reveal-Password-123' }, headers: SIGN_IN });
        const headers = { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0], 'x-csrf-token': r.json.csrf_token };
        const tries = [];
        for (let i = 0; i < 7; i++) tries.push((await http('POST', `${ts.base}/admin/api/integrations/${app.app_id}/secret`, { json: { password: 'not-it' }, headers })).status);
        assert.deepEqual(tries.slice(0, 5), [401, 401, 401, 401, 401]);
        assert.equal(tries[6], 429);
      });

      test('without COMMONPLACE_TRUST_PROXY, X-Forwarded-For is ignored; with it, each client has its own back-off', async () => {
        const proxied = await startServer(dialect, { env: { COMMONPLACE_TRUST_PROXY: '127.0.0.1' } });
        try {
          await proxied.member({ email: 'boss@example.com', name: 'Boss', password: 'boss-Password-123', is_admin: true });
          for (let i = 0; i < 6; i++) await http('POST', `${proxied.base}/admin/api/session`, { json: { email: 'boss@example.com', password: 'bad' }, headers: { ...SIGN_IN, 'x-forwarded-for': '203.0.113.9' } });
          const attacker = await http('POST', `${proxied.base}/admin/api/session`, { json: { email: 'boss@example.com', password: 'bad' }, headers: { ...SIGN_IN, 'x-forwarded-for': '203.0.113.9' } });
          assert.equal(attacker.status, 429);
          const boss = await http('POST', `${proxied.base}/admin/api/session`, { json: { email: 'boss@example.com', password: 'boss-Password-123' }, headers: { ...SIGN_IN, 'x-forwarded-for': '198.51.100.7' } });
          assert.equal(boss.status, 200, 'the real admin, behind the same proxy, is not locked out');
        } finally {
          await proxied.close();
        }
      });
    });

    describe('finding 4: session cookies never get Secure in a real deployment', () => {
      test('a trusted proxy saying https makes the cookie Secure; an untrusted X-Forwarded-Proto does not', async () => {
        const plain = await adminCookie(ts, { 'x-forwarded-proto': 'https' });
        assert.doesNotMatch(plain.setCookie, /Secure/);
        const proxied = await startServer(dialect, { env: { COMMONPLACE_TRUST_PROXY: 'true' } });
        try {
          assert.match((await adminCookie(proxied, { 'x-forwarded-proto': 'https' })).setCookie, /; Secure/);
        } finally {
          await proxied.close();
        }
      });

      test('an https PUBLIC_URL makes the cookie Secure', async () => {
        const secure = await startServer(dialect, { env: { PUBLIC_URL: 'https://work.example.com' } });
        try {
          assert.match((await adminCookie(secure)).setCookie, /; Secure/);
        } finally {
          await secure.close();
        }
      });
    });

    describe('finding 5: seven causes of 500s', () => {
      test('GET /graph/app/events?object=constructor and DELETE /graph/app/subscriptions?object=__proto__ answer error 100', async () => {
        for (const [method, path] of [['GET', '/app/events?object=constructor'], ['DELETE', '/app/subscriptions?object=__proto__'], ['GET', '/app/events?object=toString'], ['DELETE', '/app/subscriptions?object=hasOwnProperty']]) {
          const r = await http(method, `${ts.graph}${path}`, { token });
          assert.equal(r.status, 400, `${method} ${path}: ${r.text}`);
          assert.equal(r.json.error.code, 100);
        }
      });

      test('a batch item with a non-string method is error 100 for the batch', async () => {
        for (const item of [{ method: 1, relative_url: 'me' }, { method: {}, relative_url: 'me' }, { relative_url: 'me', name: 5 }, { relative_url: 'me', body: [1] }]) {
          const r = await http('POST', `${ts.graph}/`, { token, form: { batch: JSON.stringify([item]) } });
          assert.equal(r.status, 400, r.text);
          assert.equal(r.json.error.code, 100);
        }
      });

      test('a malformed cookie on /admin/api and /api routes is 401, not 500', async () => {
        for (const path of ['/admin/api/integrations', '/admin/api/session', '/admin/api/people', '/api/groups', '/api/threads', '/api/session', '/api/feed']) {
          for (const cookie of ['cp_session=%E0%A4%A', 'cp_member=%E0%A4%A', 'cp_session=%', 'cp_member=%ZZ']) {
            const r = await http('GET', `${ts.base}${path}`, { headers: { cookie } });
            assert.equal(r.status, 401, `${path} ${cookie}: ${r.text}`);
          }
        }
      });

      test('GET /admin/api/people?state=constructor is 400', async () => {
        const { cookie } = await adminCookie(ts);
        for (const state of ['constructor', '__proto__', 'toString']) {
          const r = await http('GET', `${ts.base}/admin/api/people?state=${state}`, { headers: { cookie } });
          assert.equal(r.status, 400, r.text);
        }
        const repeated = await http('GET', `${ts.base}/admin/api/people?state=all&state=admins`, { headers: { cookie } });
        assert.equal(repeated.status, 400, 'a repeated parameter is refused, not a 500');
      });

      test('a chat file with a non-Latin-1 name downloads with an RFC 6266 filename*', async () => {
        const bot = await ts.integration(['message'], { name: 'Filer' });
        await ts.member({ email: 'ren@example.com', name: 'Ren Ito', password: 'ren-Password-123' });
        const ren = await memberSession(ts, 'ren@example.com', 'ren-Password-123');
        const form = new FormData();
        form.set('recipient', JSON.stringify({ id: ren.memberId }));
        form.set('message', JSON.stringify({ attachment: { type: 'file', payload: {} } }));
        form.set('filedata', new Blob([Buffer.from('<b>hi</b>')], { type: 'text/html' }), '日本語 évil.html');
        const sent = await http('POST', `${ts.graph}/me/messages`, { token: bot.access_token, body: form });
        assert.equal(sent.status, 200, sent.text);
        const threads = (await ren('GET', '/threads')).json.data;
        const messages = (await ren('GET', `/threads/${threads[0].id}/messages`)).json.data;
        const file = messages.at(-1).attachments[0];
        const got = await fetch(file.payload.url);
        assert.equal(got.status, 200);
        const disposition = got.headers.get('content-disposition') ?? '';
        assert.match(disposition, /^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
        assert.equal(decodeURIComponent(disposition.split("UTF-8''")[1]), '日本語 évil.html');
        assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
      });

      test('GET /admin/api/audit?limit=-5 is 400, not every row', async () => {
        const { cookie } = await adminCookie(ts);
        for (const limit of ['-5', '0', '1.5', '1e3', 'abc', '100000']) {
          const r = await http('GET', `${ts.base}/admin/api/audit?limit=${limit}`, { headers: { cookie } });
          assert.equal(r.status, 400, `limit=${limit}: ${r.text}`);
        }
        const ok = await http('GET', `${ts.base}/admin/api/audit?limit=2`, { headers: { cookie } });
        assert.equal(ok.status, 200);
        assert.ok(ok.json.data.length <= 2);
      });
    });

    describe('finding 6: a token can reach the debug log', () => {
      test('every spelling of a credential in a URL is redacted, and the debug log holds none', async () => {
        const secret = 'tok-SECRET-1234567890';
        for (const url of [
          `/graph/me?access_token=${secret}`,
          `/graph/me?access%5Ftoken=${secret}`,
          `/graph/me?ACCESS_TOKEN=${secret}`,
          `/graph/me?access_token[]=${secret}`,
          `/graph/me;access_token=${secret}`,
          `/graph/me?a=1;access_token=${secret}`,
          `/graph/123|${secret}/feed`,
          `/graph/123%7C${secret}`,
          `/graph/me?appsecret_proof=${secret}`,
          `/scim/v2/Users?password=${secret}`,
        ]) {
          assert.ok(!redactUrl(url).includes(secret), `${url} → ${redactUrl(url)}`);
        }
        let logged = '';
        const sink = new Writable({ write: (chunk, _e, done) => ((logged += String(chunk)), done()) });
        const logger = createLogger('debug', sink);
        logger.debug({ req: { method: 'GET', url: `/graph/me?access%5Ftoken=${secret}` } }, 'request completed');
        assert.ok(logged.includes('[REDACTED]') && !logged.includes(secret), logged);
      });
    });

    describe('finding 8: smaller ones', () => {
      test('login CSRF: a sign-in without the CSRF header from another origin is refused', async () => {
        const cross = await http('POST', `${ts.base}/admin/api/session`, { json: ADMIN, headers: { origin: 'https://evil.example' } });
        assert.equal(cross.status, 403, cross.text);
        const none = await http('POST', `${ts.base}/api/session`, { json: ADMIN });
        assert.equal(none.status, 403, none.text);
        const same = await http('POST', `${ts.base}/admin/api/session`, { json: ADMIN, headers: { origin: ts.base } });
        assert.equal(same.status, 200, same.text);
      });

      test('egress: ::a.b.c.d, ::ffff:0:a.b.c.d, 64:ff9b:1::/48 and 2002::/16 are classified', () => {
        assert.equal(specialKind('::127.0.0.1'), 'loopback');
        assert.equal(specialKind('::ffff:0:127.0.0.1'), 'loopback');
        assert.equal(specialKind('::ffff:0:a9fe:a9fe'), 'metadata');
        assert.equal(specialKind('64:ff9b:1::808:808'), 'private');
        assert.equal(specialKind('2002:a00:1::'), 'private');
        assert.equal(specialKind('2002:7f00:1::1'), 'loopback');
        assert.equal(specialKind('2002:808:808::1'), undefined, 'a 6to4 address of a public IPv4 address is public');
        assert.equal(specialKind('2606:4700:4700::1111'), undefined);
      });

      test('JSON answers carry X-Content-Type-Options: nosniff', async () => {
        for (const url of [`${ts.graph}/me`, `${ts.base}/admin/api/session`, `${ts.base}/scim/v2/Users`, `${ts.base}/healthz`, `${ts.base}/api/groups`]) {
          const r = await http('GET', url, { token });
          assert.equal(r.headers.get('x-content-type-options'), 'nosniff', url);
        }
      });

      test('/metrics answers only loopback clients without its token', async () => {
        assert.equal((await http('GET', `${ts.base}/metrics`)).status, 200);
        const proxied = await startServer(dialect, { env: { COMMONPLACE_TRUST_PROXY: 'true' } });
        try {
          assert.equal((await http('GET', `${proxied.base}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.5' } })).status, 403);
        } finally {
          await proxied.close();
        }
        const tokened = await startServer(dialect, { env: { COMMONPLACE_METRICS_TOKEN: 'metrics-Token-1' } });
        try {
          assert.equal((await http('GET', `${tokened.base}/metrics`)).status, 401);
          assert.equal((await http('GET', `${tokened.base}/metrics`, { token: 'metrics-Token-1' })).status, 200);
        } finally {
          await tokened.close();
        }
      });

      test('SCIM accepts an integration that requires appsecret_proof when a valid proof is given', async () => {
        const app = await ts.integration(['manage_accounts'], { name: 'Proved', requireProof: true });
        const proof = hmacSha256Hex(app.app_secret, app.access_token);
        assert.equal((await http('GET', `${ts.base}/scim/v2/Users`, { token: app.access_token })).status, 401);
        const ok = await http('GET', `${ts.base}/scim/v2/Users?appsecret_proof=${proof}`, { token: app.access_token });
        assert.equal(ok.status, 200, ok.text);
        assert.equal((await http('GET', `${ts.base}/scim/v2/Users?appsecret_proof=${'0'.repeat(64)}`, { token: app.access_token })).status, 401);
      });

      test('batch items inherit the outer appsecret_proof', async () => {
        const app = await ts.integration(['read_group'], { name: 'Batch Proved', requireProof: true });
        const proof = hmacSha256Hex(app.app_secret, app.access_token);
        const r = await http('POST', `${ts.graph}/`, { token: app.access_token, form: { appsecret_proof: proof, batch: JSON.stringify([{ method: 'GET', relative_url: `${group}?fields=name` }, { method: 'GET', relative_url: 'me' }]) } });
        assert.equal(r.status, 200, r.text);
        for (const item of r.json) assert.equal(item.code, 200, item.body);
        const without = await http('POST', `${ts.graph}/`, { token: app.access_token, form: { batch: JSON.stringify([{ method: 'GET', relative_url: 'me' }]) } });
        assert.equal(without.json[0].code, 400);
      });
    });
  });
}
