import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { permissionCatalogue } from '../../src/domain/permissions.js';
import { AppError } from '../../src/errors.js';
import { parseFields } from '../../src/graph/fields.js';
import { Params, parseQueryString, sniffBody } from '../../src/graph/params.js';
import { patchUserResource } from '../../src/scim/patch.js';
import { userFilter } from '../../src/scim/filter.js';
import { memberSession } from '../chat/helpers.js';
import { dialects } from '../helpers/dialects.js';
import { http, SIGN_IN, startServer, type TestServer } from '../helpers/server.js';

// Property-based fuzzing (fast-check) of every parser and route family over real HTTP. The
// properties: no 5xx, no answer slower than 2 s, and no change written on an error answer.
// CI runs a fixed seed and a bounded count (FUZZ_SEED, FUZZ_SCALE=1: about 10,000 requests in
// all, shared by the dialects); `npm run fuzz` runs ten times as many with a fresh seed.

const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
const DIALECTS = await dialects();
// About 10,000 requests in all, shared by the dialects under test.
const SCALE = Number(process.env.FUZZ_SCALE ?? 1) / DIALECTS.length;
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const settings = (n: number) => ({ seed: SEED, numRuns: runs(n), endOnFailure: true });
const HANG_MS = 2000;

/** Names that index plain objects: every lookup of a client string must treat them as unknown. */
const PROTO = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'prototype', 'isPrototypeOf', '__defineGetter__'];
const word = fc.stringMatching(/^[a-z_]{1,12}$/);
const nasty = fc.oneof(
  fc.constantFrom(...PROTO, '', ' ', '%', '%E0%A4%A', '\u0000', '日本語', '-1', '0', '1e309', 'NaN', 'null', 'true', '[]', '{}', '"', "'", '../..', '\\', '%00', 'a'.repeat(3000)),
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 20, unit: 'grapheme' }),
  fc.integer({ min: -1e12, max: 1e12 }).map(String),
);
const numberish = fc.oneof(fc.integer({ min: -100, max: 2000 }).map(String), fc.constantFrom('-5', '1.5', '1e3', '0x10', '99999999999999999999', '', 'abc', ' 3 '), nasty);

/** A `fields` value from Graph's grammar, often broken on purpose. */
const fieldsText: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.tuple(
    fc.oneof(fc.constantFrom('id', 'name', 'message', 'feed', 'comments', 'likes', 'reactions', 'members', 'groups', 'from', 'picture', 'admins', 'email', 'attachments', 'summary', 'created_time'), word),
    fc.array(fc.tuple(fc.constantFrom('limit', 'summary', 'as', 'since', 'until', 'order', 'filter', 'type', 'bogus'), numberish), { maxLength: 2 }),
    fc.option(tie('list') as fc.Arbitrary<string>, { nil: undefined, freq: 3 }),
  ).map(([name, mods, children]) => `${name}${mods.map(([m, v]) => `.${m}(${v})`).join('')}${children ? `{${children}}` : ''}`),
  list: fc.array(tie('node') as fc.Arbitrary<string>, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(',')),
})).list as fc.Arbitrary<string>;
const brokenFields = fc.oneof(fieldsText, fieldsText.map((f) => f.slice(0, Math.max(1, f.length - 3))), fc.string({ maxLength: 60, unit: fc.constantFrom('{', '}', '(', ')', ',', '.', 'a', 'limit', ' ', '\\') }), nasty);

/** encodeURIComponent for any generated text (a cut surrogate pair becomes U+FFFD, as a client would send it). */
const enc = (text: string) => encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
const queryOf = (pairs: [string, string][]) => pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');

describe('parsers (no HTTP): only catalogue errors, whatever the input', () => {
  const onlyAppErrors = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof AppError, `threw ${(error as Error)?.stack ?? error}`);
    }
  };
  test('the fields parser', () => fc.assert(fc.property(brokenFields, (text) => onlyAppErrors(() => parseFields(text))), settings(3000)));
  test('the parameter merger: query strings, form and sniffed bodies, every reader', () =>
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(word, nasty, fc.constantFrom('a[b]', 'a[]', 'a[0][c]', 'fields', 'limit')), nasty), { maxLength: 6 }), fc.oneof(nasty, fc.json()), (pairs, body) => {
        onlyAppErrors(() => {
          const params = Params.merge(parseQueryString(queryOf(pairs)), sniffBody(body));
          for (const name of ['fields', 'limit', 'a', 'ids', 'batch', ...PROTO]) {
            for (const read of [() => params.string(name), () => params.boolean(name), () => params.integer(name), () => params.list(name), () => params.json(name), () => params.oneOf(name, ['x', 'y'])]) onlyAppErrors(read);
          }
        });
      }),
      settings(1500),
    ));
  test('SCIM filters', () =>
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(fc.constantFrom('userName', 'emails.value', 'name.givenName', 'active', 'meta.lastModified', 'externalId', 'emails[type eq "work"].value', ...PROTO), fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'xx'), fc.oneof(nasty.map((v) => JSON.stringify(v)), fc.constantFrom('true', 'false', 'null', '1', '"2026-01-01T00:00:00Z"'))).map(([a, op, v]) => (op === 'pr' ? `${a} pr` : `${a} ${op} ${v}`)),
          nasty,
        ),
        (text) => onlyAppErrors(() => userFilter(text)),
      ),
      settings(2000),
    ));
  test('SCIM PATCH bodies', () =>
    fc.assert(
      fc.property(
        fc.record({ schemas: fc.option(fc.constant(['urn:ietf:params:scim:api:messages:2.0:PatchOp'])), Operations: fc.oneof(fc.array(fc.record({ op: fc.oneof(fc.constantFrom('add', 'replace', 'remove', 'Add'), nasty), path: fc.option(fc.oneof(fc.constantFrom('userName', 'name.givenName', 'emails[type eq "work"].value', 'active', 'title', ...PROTO), nasty)), value: fc.option(fc.jsonValue()) }), { maxLength: 3 }), fc.jsonValue()) }),
        (body) => onlyAppErrors(() => patchUserResource({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: '1', userName: 'a@example.com', name: { formatted: 'A' }, active: true }, body as never)),
      ),
      settings(2000),
    ));
});

for (const dialect of DIALECTS) {
  describe(`fuzzing over HTTP (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let ids: string[];
    let admin: { cookie: string; csrf: string };
    let member: { cookie: string; csrf: string };
    let requests = 0;

    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0', PUBLIC_URL: 'https://work.example.com', COMMONPLACE_WEBHOOK_WORKER: '0' } });
      token = (await ts.integration(permissionCatalogue.map((p) => p.code))).access_token;
      const person = await ts.member({ email: 'fuzz.person@example.com', name: 'Fuzz Person', password: 'fuzz-Person-pass-1' });
      const group = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Fuzz', privacy: 'OPEN' } })).json.id;
      await http('POST', `${ts.graph}/${group}/members`, { token, form: { member: person.id } });
      const post = (await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'fuzz target' } })).json.id;
      const comment = (await http('POST', `${ts.graph}/${post}/comments`, { token, form: { message: 'a comment' } })).json.id;
      ids = [group, post, comment, person.id, 'me', 'community', 'app', 'fuzz.person@example.com'];
      const a = await http('POST', `${ts.base}/admin/api/session`, { json: { email: 'admin@example.com', password: 'test-Admin-pass-1234' }, headers: SIGN_IN });
      admin = { cookie: (a.headers.get('set-cookie') ?? '').split(';')[0], csrf: a.json.csrf_token };
      const m = await memberSession(ts, 'fuzz.person@example.com', 'fuzz-Person-pass-1');
      member = { cookie: m.cookie, csrf: m.csrf };
    });
    after(async () => {
      await ts.close();
      assert.ok(requests >= runs(10_000) * 0.99, `only ${requests} generated requests`);
    });

    /** Rows every command touches: a change writes at least one audit event, outbox or mail row. */
    const writes = async () => {
      const counts = ['audit_event', 'outbox', 'mail_outbox', 'member', 'post', 'comment', 'work_group', 'reaction', 'media'].map((t) => `(select count(*) from ${t})`).join(' || \',\' || ');
      return String(Object.values((await sql<Record<string, unknown>>`select ${sql.raw(counts)} as n`.execute(ts.ctx.db)).rows[0])[0]);
    };

    /** Sends one generated request and checks the three properties. */
    async function probe(method: string, path: string, init: { headers?: Record<string, string>; body?: string | Uint8Array } = {}): Promise<void> {
      requests++;
      const before = init.body !== undefined || method !== 'GET' ? await writes() : undefined;
      const started = performance.now();
      const response = await fetch(`${ts.base}${path}`, { method, headers: init.headers, body: init.body as BodyInit | undefined, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
      const text = await response.text();
      const elapsed = performance.now() - started;
      const where = `${method} ${path.slice(0, 300)} ${String(init.body ?? '').slice(0, 300)}`;
      assert.ok(response.status < 500, `${response.status} for ${where}: ${text.slice(0, 300)}`);
      assert.ok(!/"code":5\d\d/.test(text), `a batch item answered 5xx for ${where}: ${text.slice(0, 300)}`);
      assert.ok(elapsed < HANG_MS, `${Math.round(elapsed)} ms for ${where}`);
      if (before !== undefined && response.status >= 400) assert.equal(await writes(), before, `an error answer (${response.status}) wrote rows: ${where}`);
    }

    const bearer = () => ({ authorization: `Bearer ${token}` });
    const segment = () => fc.oneof(fc.constantFrom(...ids), nasty.filter((s) => !PROTO.includes(s)));
    // Field and edge names equal to Object.prototype members are the Graph registry's to refuse (src/graph/nodes/); they are left out here.
    const edge = fc.oneof(fc.constantFrom('feed', 'members', 'groups', 'comments', 'likes', 'reactions', 'admins', 'moderators', 'photos', 'events', 'subscriptions', 'conversations', 'messages', 'seen', 'attachments', 'managers', 'reports', 'accounts', 'organization_members', 'former_members', 'subscribed_apps', 'messenger_profile'), word);
    const graphQuery = fc.array(fc.tuple(fc.constantFrom('fields', 'limit', 'after', 'before', 'since', 'until', 'summary', 'order', 'filter', 'ids', 'object', 'type', 'method', 'include_headers'), fc.oneof(numberish, brokenFields.filter((f) => !PROTO.some((p) => f.includes(p))))), { maxLength: 4 });

    test('Graph reads: any node, edge and parameters', () =>
      fc.assert(
        fc.asyncProperty(segment(), fc.option(edge, { nil: undefined }), graphQuery, async (node, e, query) => {
          await probe('GET', `/graph/${enc(node)}${e ? `/${enc(e)}` : ''}?${queryOf(query)}`, { headers: bearer() });
        }),
        settings(2500),
      ));

    test('Graph writes: form and JSON bodies to every edge, POST and DELETE', () =>
      fc.assert(
        fc.asyncProperty(fc.constantFrom('POST', 'DELETE'), segment(), fc.option(edge, { nil: undefined }), fc.array(fc.tuple(fc.oneof(fc.constantFrom('message', 'name', 'privacy', 'member', 'email', 'invited', 'active', 'url', 'recipient', 'object', 'callback_url', 'fields', 'formatting', 'link', 'attached_media'), word), nasty), { maxLength: 4 }), fc.boolean(), async (method, node, e, pairs, json) => {
          const body = json ? JSON.stringify(Object.fromEntries(pairs)) : queryOf(pairs);
          await probe(method, `/graph/${enc(node)}${e ? `/${enc(e)}` : ''}`, { headers: { ...bearer(), 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' }, body });
        }),
        settings(1500),
      ));

    test('batch bodies', () =>
      fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.array(fc.record({ method: fc.option(fc.oneof(fc.constantFrom('GET', 'POST', 'DELETE', 'get', 'PATCH'), nasty, fc.integer()) as fc.Arbitrary<unknown>), relative_url: fc.oneof(fc.constantFrom(...ids).map((id) => `${id}?fields=id`), nasty, fc.constant('{result=a:$.id}')), body: fc.option(fc.oneof(nasty, fc.jsonValue())), name: fc.option(fc.oneof(fc.constant('a'), nasty) as fc.Arbitrary<unknown>), depends_on: fc.option(fc.constantFrom('a', 'b')), omit_response_on_success: fc.option(fc.jsonValue()) }, { requiredKeys: [] }), { maxLength: 5 }).map((items) => JSON.stringify(items)),
            fc.jsonValue().map((v) => JSON.stringify(v)),
            nasty,
          ),
          fc.option(numberish),
          async (batch, includeHeaders) => {
            await probe('POST', '/graph/', { headers: { ...bearer(), 'content-type': 'application/x-www-form-urlencoded' }, body: queryOf([['batch', batch], ...(includeHeaders === null ? [] : [['include_headers', includeHeaders] as [string, string]])]) });
          },
        ),
        settings(1000),
      ));

    test('multipart bodies, well-formed and not', () =>
      fc.assert(
        fc.asyncProperty(
          fc.constantFrom('/graph/me/photos', '/graph/me/messages', `/graph/me/feed`),
          fc.array(fc.record({ name: fc.oneof(fc.constantFrom('source', 'file', 'filedata', 'message', 'recipient', 'caption', 'published'), word), filename: fc.option(fc.oneof(fc.constantFrom('a.png', '日本語 évil.html', '', '"q".txt'), nasty)), type: fc.option(fc.constantFrom('image/png', 'text/plain', 'application/octet-stream', 'x/y')), value: nasty }), { maxLength: 3 }),
          fc.constantFrom('ok', 'truncated', 'no-boundary', 'wrong-boundary'),
          async (path, parts, shape) => {
            const boundary = 'fuzzBoundary7MA4YWxk';
            let body = parts.map((p) => `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== null ? `; filename="${p.filename}"` : ''}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n${p.value}\r\n`).join('') + `--${boundary}--\r\n`;
            if (shape === 'truncated') body = body.slice(0, Math.floor(body.length / 2));
            const type = shape === 'no-boundary' ? 'multipart/form-data' : `multipart/form-data; boundary=${shape === 'wrong-boundary' ? 'other' : boundary}`;
            await probe('POST', path, { headers: { ...bearer(), 'content-type': type }, body: new TextEncoder().encode(body) });
          },
        ),
        settings(800),
      ));

    test('SCIM: filters, list parameters and PATCH bodies over HTTP', () =>
      fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.tuple(fc.constantFrom('userName', 'emails.value', 'name.familyName', 'active', 'externalId', 'meta.lastModified', 'title', ...PROTO), fc.constantFrom('eq', 'co', 'sw', 'gt', 'pr', 'zz'), nasty).map(([a, op, v]) => `${a} ${op} ${JSON.stringify(v)}`),
            nasty,
          ),
          fc.array(fc.tuple(fc.constantFrom('startIndex', 'count', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes', 'cursor'), numberish), { maxLength: 3 }),
          fc.jsonValue(),
          fc.constantFrom('v2', 'v1', ''),
          async (filter, pairs, patch, mount) => {
            const base = `/scim${mount ? `/${mount}` : ''}`;
            await probe('GET', `${base}/Users?${queryOf([['filter', filter], ...pairs])}`, { headers: bearer() });
            await probe('PATCH', `${base}/Users/${ids[3]}`, { headers: { ...bearer(), 'content-type': 'application/scim+json' }, body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: patch }) });
          },
        ),
        settings(800),
      ));

    test('cookies on every web API route', () =>
      fc.assert(
        fc.asyncProperty(
          fc.constantFrom('/admin/api/integrations', '/admin/api/session', '/admin/api/people', '/admin/api/audit', '/admin/api/security-log', '/api/groups', '/api/feed', '/api/threads', '/api/session', '/api/people'),
          fc.array(fc.tuple(fc.constantFrom('cp_session', 'cp_member', 'other', '', '__proto__'), nasty), { maxLength: 3 }),
          async (path, jar) => {
            await probe('GET', path, { headers: { cookie: Buffer.from(jar.map(([k, v]) => `${k}=${v}`).join('; '), 'utf8').toString('latin1').replace(/[\r\n\0]/g, '') } });
          },
        ),
        settings(1000),
      ));

    test('web API routes: every parameter, signed in', () =>
      fc.assert(
        fc.asyncProperty(
          fc.constantFrom(
            ['admin', '/admin/api/people'],
            ['admin', '/admin/api/audit'],
            ['admin', '/admin/api/security-log'],
            ['admin', '/admin/api/group-list'],
            ['admin', '/admin/api/integrations'],
            ['member', '/api/groups'],
            ['member', '/api/feed'],
            ['member', `/api/groups/${'{group}'}/feed`],
            ['member', '/api/people'],
            ['member', '/api/threads'],
          ),
          fc.array(fc.tuple(fc.constantFrom('limit', 'offset', 'before', 'state', 'q', 'actor', 'target', 'type', 'since', 'until', 'filter', 'archived', 'bots', 'object', 'event', ...PROTO), numberish), { maxLength: 4 }),
          fc.boolean(),
          async ([who, path], pairs, repeat) => {
            const session = who === 'admin' ? admin : member;
            const query = queryOf(repeat && pairs.length ? [...pairs, pairs[0]] : pairs);
            await probe('GET', `${path.replace('{group}', ids[0])}?${query}`, { headers: { cookie: session.cookie } });
          },
        ),
        settings(1200),
      ));

    test('web API changes: generated JSON bodies', () =>
      fc.assert(
        fc.asyncProperty(
          fc.constantFrom(['admin', 'POST', '/admin/api/integrations'], ['admin', 'POST', '/admin/api/people'], ['admin', 'PATCH', `/admin/api/people/{person}`], ['member', 'POST', '/api/groups/{group}/posts'], ['member', 'POST', '/api/messages'], ['member', 'POST', '/api/threads']),
          fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('name', 'email', 'message', 'permissions', 'groups', 'recipient', 'text', 'participants', 'photo_ids', 'formatting', 'title', 'manager_id', ...PROTO), word), fc.jsonValue(), { maxKeys: 4 }).map((v) => JSON.stringify(v)), nasty),
          async ([who, method, path], body) => {
            const session = who === 'admin' ? admin : member;
            await probe(method, path.replace('{group}', ids[0]).replace('{person}', ids[3]), { headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' }, body });
          },
        ),
        settings(600),
      ));
  });
}
