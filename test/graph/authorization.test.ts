import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import { commentCreator } from '../../src/domain/commands/comment.js';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import { postCreator, postWireId } from '../../src/domain/commands/post.js';
import { permissionCatalogue } from '../../src/domain/permissions.js';
import type { Actor } from '../../src/domain/actor.js';
import type { GroupRow } from '../../src/db/repositories/group.js';
import { dialects } from '../helpers/dialects.js';
import { http, startServer, type TestServer } from '../helpers/server.js';
import { IMAGE_HOST_ENV, startImageHost } from '../helpers/images.js';

// Photos given by URL are fetched by the server: they come from a real image host on 127.0.0.1.
const images = await startImageHost();
after(() => images.close());

// The authorization matrix: every Graph route × every permission, with and without group
// scope. Expectations are written out here by hand (not read from policies/), so a change in
// the rules that nobody meant shows up as a failing row.

type Perm = (typeof permissionCatalogue)[number]['code'];
const ALL_PERMS = permissionCatalogue.map((p) => p.code) as Perm[];

interface World {
  ts: TestServer;
  inScope: GroupRow;
  outOfScope: GroupRow;
  alice: { id: string; email: string | null };
  bob: { id: string; email: string | null };
}

interface Call {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  form?: Record<string, string>;
}

interface Row {
  name: string;
  /** Permissions of which one lets the call through. Empty = any token. */
  allowed: readonly Perm[];
  /** The call touches a group: an integration scoped elsewhere gets error 100. */
  grouped: boolean;
  /** Creates what the call needs; `app` is the integration that will call. */
  prepare: (w: World, app: IssuedCredentials) => Promise<Call>;
}

const member = (id: string): Actor => ({ kind: 'member', memberId: id, isAdmin: false });
const asApp = (app: IssuedCredentials, perms: Perm[]): Actor => ({
  kind: 'integration',
  appId: app.app_id,
  pageId: app.page_id,
  name: 'x',
  permissions: new Set(perms),
  scopeAll: true,
  groupIds: new Set(),
  autoInvite: false,
});
let counter = 0;
const unique = (s: string) => `${s} ${++counter}`;

async function memberPost(w: World) {
  return w.ts.write((x) => postCreator(x, { feedId: w.inScope.id, feedType: 'group', message: unique('member post') }), member(w.alice.id));
}
async function memberComment(w: World) {
  const post = await memberPost(w);
  return w.ts.write((x) => commentCreator(x, { post, message: unique('c') }), member(w.alice.id));
}

const rows: Row[] = [
  { name: 'GET /community', allowed: ['read_group', 'manage_group'], grouped: false, prepare: async () => ({ method: 'GET', path: 'community' }) },
  { name: 'GET /community/groups', allowed: ['read_group', 'manage_group', 'read_group_membership'], grouped: false, prepare: async () => ({ method: 'GET', path: 'community/groups' }) },
  { name: 'POST /community/groups', allowed: ['manage_group'], grouped: false, prepare: async () => ({ method: 'POST', path: 'community/groups', form: { name: unique('g') } }) },
  { name: 'GET /community/members', allowed: ['manage_work_profile', 'manage_accounts'], grouped: false, prepare: async () => ({ method: 'GET', path: 'community/members' }) },
  { name: 'GET /community/organization_members', allowed: ['read_group_membership', 'manage_accounts'], grouped: false, prepare: async () => ({ method: 'GET', path: 'community/organization_members' }) },
  { name: 'GET /community/former_members', allowed: ['manage_accounts', 'manage_work_profile'], grouped: false, prepare: async () => ({ method: 'GET', path: 'company/former_members' }) },
  { name: 'GET /community/admins', allowed: ['manage_accounts'], grouped: false, prepare: async () => ({ method: 'GET', path: 'community/admins' }) },
  { name: 'GET /{group}', allowed: ['read_group', 'manage_group', 'read_group_membership'], grouped: true, prepare: async (w) => ({ method: 'GET', path: w.inScope.id }) },
  { name: 'POST /{group}', allowed: ['manage_group'], grouped: true, prepare: async (w) => ({ method: 'POST', path: w.inScope.id, form: { description: unique('d') } }) },
  { name: 'GET /{group}/feed', allowed: ['read_group'], grouped: true, prepare: async (w) => ({ method: 'GET', path: `${w.inScope.id}/feed` }) },
  { name: 'POST /{group}/feed', allowed: ['write_group'], grouped: true, prepare: async (w) => ({ method: 'POST', path: `${w.inScope.id}/feed`, form: { message: unique('hello') } }) },
  { name: 'GET /{group}/members', allowed: ['read_group_membership', 'manage_group'], grouped: true, prepare: async (w) => ({ method: 'GET', path: `${w.inScope.id}/members` }) },
  { name: 'POST /{group}/members', allowed: ['manage_group'], grouped: true, prepare: async (w) => ({ method: 'POST', path: `${w.inScope.id}/members`, form: { member: w.bob.id } }) },
  { name: 'DELETE /{group}/members', allowed: ['manage_group'], grouped: true, prepare: async (w) => ({ method: 'DELETE', path: `${w.inScope.id}/members`, form: { member: w.bob.id } }) },
  { name: 'GET /{group}/admins', allowed: ['read_group_membership', 'manage_group'], grouped: true, prepare: async (w) => ({ method: 'GET', path: `${w.inScope.id}/admins` }) },
  { name: 'POST /{group}/admins/{uid}', allowed: ['manage_group'], grouped: true, prepare: async (w) => ({ method: 'POST', path: `${w.inScope.id}/admins/${w.alice.id}` }) },
  { name: 'GET /{group}/moderators', allowed: ['read_group_membership', 'manage_group'], grouped: true, prepare: async (w) => ({ method: 'GET', path: `${w.inScope.id}/moderators` }) },
  { name: 'GET /{group}/photos', allowed: ['read_group'], grouped: true, prepare: async (w) => ({ method: 'GET', path: `${w.inScope.id}/photos` }) },
  { name: 'POST /{group}/photos', allowed: ['write_group'], grouped: true, prepare: async (w) => ({ method: 'POST', path: `${w.inScope.id}/photos`, form: { url: images.url(`${unique('p').replace(' ', '')}.png`) } }) },
  { name: 'GET /{post}', allowed: ['read_group'], grouped: true, prepare: async (w) => ({ method: 'GET', path: postWireId(await memberPost(w)) }) },
  {
    name: 'POST /{post} (edit own)',
    allowed: ['write_group'],
    grouped: true,
    prepare: async (w, app) => {
      const post = await w.ts.write((x) => postCreator(x, { feedId: w.inScope.id, feedType: 'group', message: unique('own') }), asApp(app, ['write_group']));
      return { method: 'POST', path: postWireId(post), form: { message: unique('edited') } };
    },
  },
  { name: 'DELETE /{post}', allowed: ['write_group'], grouped: true, prepare: async (w) => ({ method: 'DELETE', path: postWireId(await memberPost(w)) }) },
  ...(['comments', 'likes', 'reactions', 'seen', 'attachments'] as const).map(
    (edge): Row => ({ name: `GET /{post}/${edge}`, allowed: ['read_group'], grouped: true, prepare: async (w) => ({ method: 'GET', path: `${postWireId(await memberPost(w))}/${edge}` }) }),
  ),
  { name: 'POST /{post}/comments', allowed: ['write_group'], grouped: true, prepare: async (w) => ({ method: 'POST', path: `${postWireId(await memberPost(w))}/comments`, form: { message: 'hi' } }) },
  { name: 'POST /{post}/likes', allowed: ['write_group'], grouped: true, prepare: async (w) => ({ method: 'POST', path: `${postWireId(await memberPost(w))}/likes` }) },
  { name: 'DELETE /{post}/likes', allowed: ['write_group'], grouped: true, prepare: async (w) => ({ method: 'DELETE', path: `${postWireId(await memberPost(w))}/likes` }) },
  { name: 'GET /{comment}', allowed: ['read_group'], grouped: true, prepare: async (w) => ({ method: 'GET', path: (await memberComment(w)).id }) },
  { name: 'GET /{comment}/comments', allowed: ['read_group'], grouped: true, prepare: async (w) => ({ method: 'GET', path: `${(await memberComment(w)).id}/comments` }) },
  { name: 'POST /{comment}/comments', allowed: ['write_group'], grouped: true, prepare: async (w) => ({ method: 'POST', path: `${(await memberComment(w)).id}/comments`, form: { message: 'reply' } }) },
  { name: 'POST /{comment}/likes', allowed: ['write_group'], grouped: true, prepare: async (w) => ({ method: 'POST', path: `${(await memberComment(w)).id}/likes` }) },
  { name: 'DELETE /{comment}', allowed: ['write_group'], grouped: true, prepare: async (w) => ({ method: 'DELETE', path: (await memberComment(w)).id }) },
  { name: 'GET /{member}', allowed: [], grouped: false, prepare: async (w) => ({ method: 'GET', path: w.alice.id }) },
  { name: 'GET /{email}', allowed: ['read_user_email', 'manage_accounts'], grouped: false, prepare: async (w) => ({ method: 'GET', path: encodeURIComponent(w.alice.email!) }) },
  { name: 'GET /{member}/groups', allowed: ['read_group_membership', 'manage_group'], grouped: false, prepare: async (w) => ({ method: 'GET', path: `${w.alice.id}/groups` }) },
  { name: 'GET /{member}/managers', allowed: ['read_org_chart', 'manage_accounts'], grouped: false, prepare: async (w) => ({ method: 'GET', path: `${w.bob.id}/managers` }) },
  { name: 'GET /{member}/reports', allowed: ['read_org_chart', 'manage_accounts'], grouped: false, prepare: async (w) => ({ method: 'GET', path: `${w.alice.id}/reports` }) },
  { name: 'GET /{member}/feed', allowed: ['read_user_feed'], grouped: false, prepare: async (w) => ({ method: 'GET', path: `${w.alice.id}/feed` }) },
  { name: 'POST /{member}/feed', allowed: ['write_user_feed'], grouped: false, prepare: async (w) => ({ method: 'POST', path: `${w.alice.id}/feed`, form: { message: unique('timeline') } }) },
  { name: 'GET /{member}/picture', allowed: [], grouped: false, prepare: async (w) => ({ method: 'GET', path: `${w.alice.id}/picture?redirect=false` }) },
  { name: 'GET /me', allowed: [], grouped: false, prepare: async () => ({ method: 'GET', path: 'me' }) },
  { name: 'GET /app', allowed: [], grouped: false, prepare: async () => ({ method: 'GET', path: 'app' }) },
  { name: 'POST /me/photos', allowed: ['write_group', 'write_user_feed'], grouped: false, prepare: async () => ({ method: 'POST', path: 'me/photos', form: { url: images.url('a.png'), published: 'false' } }) },
];

for (const dialect of await dialects()) {
  describe(`authorization matrix (${dialect})`, () => {
    const w = {} as World;
    const apps = new Map<string, IssuedCredentials>();
    before(async () => {
      w.ts = await startServer(dialect, { env: IMAGE_HOST_ENV });
      const system: Actor = { kind: 'system' };
      w.alice = await w.ts.member({ email: 'alice@example.com', name: 'Alice Admin' });
      w.bob = await w.ts.member({ email: 'bob@example.com', name: 'Bob Builder', manager_id: w.alice.id });
      w.inScope = await w.ts.write((x) => groupCreator(x, { name: 'In scope', adminId: w.alice.id }), system);
      w.outOfScope = await w.ts.write((x) => groupCreator(x, { name: 'Elsewhere', adminId: w.alice.id }), system);
      await w.ts.write((x) => groupMemberAdder(x, w.inScope, w.bob.id), system);
      for (const perm of [...ALL_PERMS, 'none']) {
        const permissions = perm === 'none' ? [] : [perm];
        apps.set(`${perm}|all`, await w.ts.integration(permissions, { name: `all ${perm}` }));
        apps.set(`${perm}|scoped`, await w.ts.integration(permissions, { name: `scoped ${perm}`, groups: [w.outOfScope.id] }));
      }
    });
    after(() => w.ts.close());

    for (const row of rows) {
      test(row.name, async () => {
        const failures: string[] = [];
        for (const perm of [...ALL_PERMS, 'none'] as const) {
          for (const scope of ['all', 'scoped'] as const) {
            const app = apps.get(`${perm}|${scope}`)!;
            const call = await row.prepare(w, app);
            if (call.method !== 'GET' && call.path.includes('/members') && row.name.startsWith('DELETE')) {
              await w.ts.write((x) => groupMemberAdder(x, w.inScope, w.bob.id), { kind: 'system' });
            }
            const r = await http(call.method, `${w.ts.graph}/${call.path}`, { token: app.access_token, form: call.form });
            const permitted = row.allowed.length === 0 || (perm !== 'none' && row.allowed.includes(perm as Perm));
            const hidden = row.grouped && scope === 'scoped';
            const create = row.name === 'POST /community/groups';
            let expected: string;
            if (hidden) expected = 'error 100';
            else if (!permitted) expected = 'error 10/200';
            else if (create && scope === 'scoped') expected = 'error 10';
            else expected = 'allowed';
            const code = r.json?.error?.code;
            const actual = r.status < 300 ? 'allowed' : code === 100 ? 'error 100' : code === 10 && expected === 'error 10' ? 'error 10' : [10, 200].includes(code) ? 'error 10/200' : `HTTP ${r.status} ${r.text.slice(0, 120)}`;
            if (actual !== expected) failures.push(`${perm}/${scope}: expected ${expected}, got ${actual}`);
            if (r.status >= 400) assert.ok(r.json?.error?.fbtrace_id, 'every error carries an fbtrace_id');
          }
        }
        assert.deepEqual(failures, []);
      });
    }

    test('a bot mentioned in a post may read it, like it and reply with bot_mention alone', async () => {
      const bot = apps.get('bot_mention|all')!;
      const post = await w.ts.write((x) => postCreator(x, { feedId: w.inScope.id, feedType: 'group', message: `Help please @[${bot.page_id}]` }), member(w.alice.id));
      const id = postWireId(post);
      assert.equal((await http('GET', `${w.ts.graph}/${id}?fields=message,message_tags`, { token: bot.access_token })).status, 200);
      assert.equal((await http('POST', `${w.ts.graph}/${id}/likes`, { token: bot.access_token })).status, 200);
      const reply = await http('POST', `${w.ts.graph}/${id}/comments`, { token: bot.access_token, form: { message: 'On it!' } });
      assert.equal(reply.status, 200, reply.text);
      const other = await memberPost(w);
      const denied = await http('GET', `${w.ts.graph}/${postWireId(other)}`, { token: bot.access_token });
      assert.ok([10, 200].includes(denied.json.error.code), denied.text);
      assert.equal((await http('DELETE', `${w.ts.graph}/${id}`, { token: bot.access_token })).json.error.code, 200);
    });

    test('member fields follow their permissions; missing ones are left out', async () => {
      const fields = 'id,name,email,title,department,managers';
      const plain = await http('GET', `${w.ts.graph}/${w.bob.id}?fields=${fields}`, { token: apps.get('none|all')!.access_token });
      assert.deepEqual(Object.keys(plain.json).sort(), ['id', 'name']);
      const email = await http('GET', `${w.ts.graph}/${w.bob.id}?fields=${fields}`, { token: apps.get('read_user_email|all')!.access_token });
      assert.deepEqual(Object.keys(email.json).sort(), ['email', 'id', 'name']);
      const org = await http('GET', `${w.ts.graph}/${w.bob.id}?fields=id,managers{name}`, { token: apps.get('read_org_chart|all')!.access_token });
      assert.equal(org.json.managers.data[0].id, w.alice.id);
    });

    test('a scoped integration lists only its groups and sees other groups as unknown', async () => {
      const scoped = apps.get('read_group|scoped')!;
      const list = await http('GET', `${w.ts.graph}/community/groups`, { token: scoped.access_token });
      assert.deepEqual(list.json.data.map((g: { id: string }) => g.id), [w.outOfScope.id]);
      const hidden = await http('GET', `${w.ts.graph}/${w.inScope.id}`, { token: scoped.access_token });
      const missing = await http('GET', `${w.ts.graph}/12345678901234567`, { token: scoped.access_token });
      assert.equal(hidden.status, missing.status);
      assert.equal(hidden.json.error.code, missing.json.error.code);
      assert.equal(hidden.json.error.error_subcode, missing.json.error.error_subcode);
    });
  });
}
