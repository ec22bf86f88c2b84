import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { groupCreator } from '../../src/domain/commands/group.js';
import { groupMemberAdder } from '../../src/domain/commands/groupMembership.js';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import { sweepPreviewImages } from '../../src/linkPreviews/images.js';
import { dialects } from '../helpers/dialects.js';
import { type ImageHost, startImageHost } from '../helpers/images.js';
import { http, SIGN_IN, startServer, type TestServer } from '../helpers/server.js';
import { adminSession, subscribe } from '../webhooks/helpers.js';
import { change, type Received, Receiver } from '../webhooks/receiver.js';

// Authenticated link previews end to end: a member shares a URL, the integration that unfurls
// its domain gets a signed `link`/`preview` webhook on a real receiver on 127.0.0.1, and its
// answer shows on the post, comment or message in the member app and on Graph. The permission,
// the domain and the group scope decide who is asked; a slow or failing receiver never holds up
// or fails the write, and its failure is kept. The answered image and icon live on a real image
// host on 127.0.0.1: the server fetches them once and members and tokens get its own signed
// /media links, never the integration's URLs.

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const json = (body: unknown) => ({ status: 200, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

/** The documents under /private/ are Una's own: anyone else is told they cannot see them. */
let owner = '';
/** Where the answered images are: `/cover.jpg` and `/favicon.png` for most links. */
let host: ImageHost;

/** A link's image: one that does not exist under /noimage/, one of its own under /own-image/, else the shared cover. */
function imageOf(link: string): string {
  const path = new URL(link).pathname;
  if (path.startsWith('/noimage/')) return host.url('gone.png');
  if (path.startsWith('/own-image/')) return host.url(`own${path.replace(/\//g, '-')}.png`);
  return host.url('cover.jpg');
}

function previewAnswer(r: Received) {
  const link: string = change(r)?.value?.link ?? '';
  if (link.includes('/private/') && change(r)?.value?.user?.id !== owner) return json({ data: [{ link, title: 'Hidden', privacy: 'inaccessible' }], linked_user: false });
  if (link.includes('/declined')) return json({ data: [], linked_user: true });
  if (link.includes('/broken')) return { status: 500, body: 'boom' };
  return json({
    data: [
      {
        link,
        title: `Doc ${new URL(link).pathname}`,
        description: 'Leave policy for everyone, updated yearly.',
        privacy: 'organization',
        type: 'doc',
        icon: host.url('favicon.png'),
        image: imageOf(link),
        canonical_link: link,
        fields: [{ title: 'Owner', value: 'People team' }],
      },
    ],
    linked_user: true,
  });
}

for (const dialect of await dialects()) {
  describe(`authenticated link previews (${dialect})`, () => {
    let ts: TestServer;
    let admin: Awaited<ReturnType<typeof adminSession>>;
    let docs: Receiver;
    let stripped: Receiver;
    let scopedReceiver: Receiver;
    let slow: Receiver;
    let unfurler: IssuedCredentials;
    let scopedApp: IssuedCredentials;
    let reader: string;
    let una: { id: string };
    let bo: { id: string };
    let group: string;
    let elsewhere: string;
    let session: { cookie: string; csrf: string };
    let boSession: { cookie: string; csrf: string };
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let slowAnswered = false;

    before(async () => {
      host = await startImageHost();
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0', COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8', COMMONPLACE_LINK_PREVIEW_TIMEOUT_MS: '1500' } });
      admin = await adminSession(ts);
      una = await ts.member({ email: 'una@example.com', name: 'Una Unfurl', password: 'una-pass-123456' });
      bo = await ts.member({ email: 'bo@example.com', name: 'Bo Reader', password: 'bo-pass-1234567' });
      owner = una.id;
      const g = await ts.write((w) => groupCreator(w, { name: 'Docs', privacy: 'OPEN' }));
      const e = await ts.write((w) => groupCreator(w, { name: 'Elsewhere', privacy: 'OPEN' }));
      group = g.id;
      elsewhere = e.id;
      for (const grp of [g, e]) for (const m of [una, bo]) await ts.write((w) => groupMemberAdder(w, grp, m.id));

      docs = await Receiver.start({ status: previewAnswer });
      stripped = await Receiver.start({ status: previewAnswer });
      scopedReceiver = await Receiver.start({ status: previewAnswer });
      slow = await Receiver.start({
        status: async () => {
          await gate;
          slowAnswered = true;
          return json({ data: [{ title: 'Too late' }] });
        },
      });

      unfurler = await ts.integration(['link_unfurling'], { name: 'Docs unfurler' });
      await subscribe(ts, unfurler, 'link', 'preview', docs.url);
      assert.equal((await admin('PUT', `/integrations/${unfurler.app_id}/link_domains`, { domains: ['Docs.Example.com', 'slow.example.com'] })).status, 200);

      // Held the permission when it subscribed, lost it afterwards: it is never asked.
      const lost = await ts.integration(['link_unfurling'], { name: 'Stripped' });
      await subscribe(ts, lost, 'link', 'preview', stripped.url);
      await admin('PUT', `/integrations/${lost.app_id}/link_domains`, { domains: ['wiki.example.com'] });
      assert.equal((await admin('PATCH', `/integrations/${lost.app_id}`, { permissions: ['read_group'] })).status, 200);

      scopedApp = await ts.integration(['link_unfurling'], { name: 'Scoped', groups: [elsewhere] });
      await subscribe(ts, scopedApp, 'link', 'preview', scopedReceiver.url);
      await admin('PUT', `/integrations/${scopedApp.app_id}/link_domains`, { domains: ['scoped.example.com'] });

      const slowApp = await ts.integration(['link_unfurling'], { name: 'Slow' });
      await subscribe(ts, slowApp, 'link', 'preview', slow.url);
      await admin('PUT', `/integrations/${slowApp.app_id}/link_domains`, { domains: ['tortoise.example.com'] });

      reader = (await ts.integration(['read_group', 'read_all_messages'])).access_token;
      const r = await http('POST', `${ts.base}/api/session`, { json: { email: 'una@example.com', password: 'una-pass-123456' }, headers: SIGN_IN });
      session = { cookie: r.headers.get('set-cookie')!.split(';')[0], csrf: r.json.csrf_token };
      const rb = await http('POST', `${ts.base}/api/session`, { json: { email: 'bo@example.com', password: 'bo-pass-1234567' }, headers: SIGN_IN });
      boSession = { cookie: rb.headers.get('set-cookie')!.split(';')[0], csrf: rb.json.csrf_token };
    });
    after(async () => {
      openGate();
      await ts.close();
      for (const r of [docs, stripped, scopedReceiver, slow]) await r.close();
      await host.close();
    });

    const api = (method: string, path: string, body?: unknown, s = session) => http(method, `${ts.base}/api${path}`, { json: body, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    const asBo = (method: string, path: string, body?: unknown) => api(method, path, body, boSession);
    const graph = (path: string, token = reader) => http('GET', `${ts.graph}${path}`, { token });
    const previewsFor = (url: string) => ts.ctx.db.selectFrom('link_preview').selectAll().where('url', '=', url).execute();
    const SIGNED = /^\/media\/\d+\/\d+\.(jpg|png)\?ext=\d+&hash=\d+\.[A-Za-z0-9_-]{22}$/;
    /** The bytes and type a /media link serves (relative links are the member app's, absolute ones Graph's). */
    const served = async (link: string) => {
      const r = await fetch(link.startsWith('/') ? `${ts.base}${link}` : link);
      return { status: r.status, type: r.headers.get('content-type'), bytes: Buffer.from(await r.arrayBuffer()) };
    };
    const settled = (url: string) => until(async () => (await previewsFor(url)).find((p) => p.state !== 'pending' && p.state !== 'running'), `the preview of ${url}`);

    test('subscribing to link/preview needs link_unfurling (error 200), and the domains are checked and audited', async () => {
      const without = await ts.integration(['read_group']);
      const refused = await http('POST', `${ts.graph}/app/subscriptions`, { token: `${without.app_id}|${without.app_secret}`, form: { object: 'link', fields: 'preview', callback_url: docs.url, verify_token: 'verify-me' } });
      assert.equal(refused.json.error.code, 200, refused.text);
      assert.match(refused.json.error.message, /link_unfurling/);
      const bad = await admin('PUT', `/integrations/${unfurler.app_id}/link_domains`, { domains: ['not a domain'] });
      assert.equal(bad.status, 400, bad.text);
      assert.match(bad.json.error.message, /not a domain name/);
      assert.equal((await admin('PUT', `/integrations/${unfurler.app_id}/link_domains`, { domains: 'docs.example.com' })).status, 400, 'domains must be a list');
      const audits = () => ts.ctx.db.selectFrom('audit_event').selectAll().where('action', '=', 'integration.link_domains_updated').where('target_id', '=', unfurler.app_id).execute();
      assert.equal((await audits()).length, 1);
      const same = await admin('PUT', `/integrations/${unfurler.app_id}/link_domains`, { domains: ['slow.example.com', 'docs.example.com.'] });
      assert.deepEqual(same.json.domains, ['docs.example.com', 'slow.example.com']);
      assert.equal((await audits()).length, 1, 'the same list again writes nothing');
      assert.deepEqual((await admin('GET', `/integrations/${unfurler.app_id}/link_previews`)).json.domains, ['docs.example.com', 'slow.example.com']);
    });

    test('a group post: one signed link/preview webhook for the unfurled domain only; the preview shows in the app and on Graph', async () => {
      const link = 'https://docs.example.com/handbook/leave';
      const created = await api('POST', `/groups/${group}/posts`, { message: `Read ${link}, and https://news.example.org/today too.` });
      assert.equal(created.status, 200, created.text);
      const hook = await docs.waitFor((r) => change(r)?.value?.link === link);
      const secret = unfurler.app_secret;
      assert.equal(hook.headers['x-hub-signature-256'], `sha256=${createHmac('sha256', secret).update(hook.raw).digest('hex')}`);
      assert.equal(hook.headers['x-hub-signature'], `sha1=${createHmac('sha1', secret).update(hook.raw).digest('hex')}`);
      const community = (await ts.ctx.db.selectFrom('community').select('id').executeTakeFirstOrThrow()).id;
      assert.equal(hook.json.object, 'link');
      assert.equal(typeof hook.json.entry[0].time, 'number');
      assert.deepEqual(change(hook), { field: 'preview', value: { community: { id: community }, user: { id: una.id }, link } });
      assert.equal(docs.posts((r) => String(change(r)?.value?.link).includes('news.example.org')).length, 0, 'a domain nobody unfurls is not sent');
      assert.deepEqual(await previewsFor('https://news.example.org/today'), []);

      const ready = await settled(link);
      assert.equal(ready.state, 'ready', ready.error ?? '');
      assert.equal(ready.status_code, 200);
      const post = await until(async () => {
        const r = await api('GET', `/posts/${created.json.id}`);
        return r.json.previews.length ? r.json : undefined;
      }, 'the preview in the app');
      const [card] = post.previews;
      assert.match(card.image_url, SIGNED, 'the image is the server\'s own signed link');
      assert.match(card.icon_url, SIGNED, 'the icon is the server\'s own signed link');
      const image = await served(card.image_url);
      assert.equal(image.status, 200);
      assert.equal(image.type, 'image/jpeg');
      assert.deepEqual(image.bytes.subarray(0, 3), Buffer.from([0xff, 0xd8, 0xff]));
      const icon = await served(card.icon_url);
      assert.equal(icon.status, 200);
      assert.equal(icon.type, 'image/png');
      assert.deepEqual(icon.bytes, host.png);
      assert.equal((await served(card.image_url.replace(/hash=\d+\./, 'hash=1.AAAA'))).status, 404, 'an unsigned link serves nothing');
      assert.deepEqual(host.hits.filter((h) => h === '/cover.jpg'), ['/cover.jpg'], 'fetched once, by the server');
      assert.deepEqual(post.previews, [
        {
          url: link,
          title: 'Doc /handbook/leave',
          description: 'Leave policy for everyone, updated yearly.',
          image_url: card.image_url,
          icon_url: card.icon_url,
          type: 'doc',
          fields: [{ title: 'Owner', value: 'People team' }],
        },
      ]);
      const g = await graph(`/${created.json.id}?fields=name,description,picture,attachments`);
      assert.equal(g.status, 200, g.text);
      assert.equal(g.json.name, 'Doc /handbook/leave');
      assert.equal(g.json.description, 'Leave policy for everyone, updated yearly.');
      assert.equal(g.json.picture, `${ts.base}${card.image_url}`, 'Graph answers the same signed link, absolute');
      assert.deepEqual((await served(g.json.picture)).bytes, image.bytes);
      const { id: _attachmentId, ...attachment } = g.json.attachments.data[0];
      assert.deepEqual(attachment, {
        type: 'share',
        url: link,
        title: 'Doc /handbook/leave',
        description: 'Leave policy for everyone, updated yearly.',
        media: { image: { src: g.json.picture } },
        target: { url: link },
      });
      const feed = await graph(`/${group}/feed?fields=attachments{title}`);
      assert.equal(feed.json.data.find((p: { id: string }) => p.id === created.json.id).attachments.data[0].title, 'Doc /handbook/leave');
    });

    test('comments and Work Chat messages get previews too, subdomains included', async () => {
      const created = await api('POST', `/groups/${group}/posts`, { message: 'Thread for links' });
      const link = 'https://eu.docs.example.com/wiki/travel';
      const withComment = await api('POST', `/posts/${created.json.id}/comments`, { message: `See ${link}` });
      assert.equal(withComment.status, 200, withComment.text);
      const commentId = withComment.json.comments[0].id;
      assert.equal((await settled(link)).state, 'ready');
      assert.equal((await api('GET', `/posts/${created.json.id}`)).json.comments[0].previews[0].title, 'Doc /wiki/travel');
      const c = await graph(`/${commentId}?fields=attachment`);
      assert.equal(c.json.attachment.type, 'share');
      assert.equal(c.json.attachment.title, 'Doc /wiki/travel');
      assert.match(c.json.attachment.media.image.src, /^http:\/\/127\.0\.0\.1:\d+\/media\//);
      assert.equal((await served(c.json.attachment.media.image.src)).type, 'image/jpeg');

      const chatLink = 'https://docs.example.com/chat/shared';
      const sent = await api('POST', '/messages', { recipient: bo.id, text: `have a look: ${chatLink}` });
      assert.equal(sent.status, 200, sent.text);
      const hook = await docs.waitFor((r) => change(r)?.value?.link === chatLink);
      assert.equal(change(hook)!.value.user.id, una.id);
      assert.equal((await settled(chatLink)).state, 'ready');
      const messages = await api('GET', `/threads/${sent.json.thread_id}/messages`);
      const mine = messages.json.data.find((m: { id: string }) => m.id === sent.json.message.id);
      assert.equal(mine.previews[0].title, 'Doc /chat/shared');
      assert.match(mine.previews[0].image_url, SIGNED);
      const shares = await graph(`/${sent.json.message.id}?fields=shares{link,name,description,picture}`);
      assert.equal(shares.status, 200, shares.text);
      const share = shares.json.shares.data[0];
      assert.deepEqual(share, { link: chatLink, name: 'Doc /chat/shared', description: 'Leave policy for everyone, updated yearly.', picture: share.picture, id: share.id });
      assert.match(share.picture, /^http:\/\/127\.0\.0\.1:\d+\/media\/\d+\/\d+\.jpg\?ext=/);
      assert.equal((await served(share.picture)).status, 200);
      assert.deepEqual(host.hits.filter((h) => h === '/cover.jpg'), ['/cover.jpg'], 'previews answering the same image share one stored copy');
    });

    test('an image that cannot be fetched is left out; the preview still shows with its icon', async () => {
      const link = 'https://docs.example.com/noimage/report';
      const created = await api('POST', `/groups/${group}/posts`, { message: link });
      const ready = await settled(link);
      assert.equal(ready.state, 'ready', ready.error ?? '');
      assert.equal(ready.image_media_id, null);
      assert.notEqual(ready.icon_media_id, null);
      assert.ok(host.hits.includes('/gone.png'), 'the server tried the image');
      const [card] = (await api('GET', `/posts/${created.json.id}`)).json.previews;
      assert.equal(card.title, 'Doc /noimage/report');
      assert.equal(card.image_url, null);
      assert.match(card.icon_url, SIGNED);
      const g = await graph(`/${created.json.id}?fields=picture,attachments`);
      assert.equal(g.json.picture, undefined);
      assert.equal(g.json.attachments.data[0].media, undefined);
    });

    test('permission triad and scope: a stripped integration is never called; a group-scoped one only in its groups and never in chat', async () => {
      const wiki = 'https://wiki.example.com/page';
      const inDocs = 'https://scoped.example.com/in-docs';
      const inElsewhere = 'https://scoped.example.com/in-elsewhere';
      const inChat = 'https://scoped.example.com/in-chat';
      assert.equal((await api('POST', `/groups/${group}/posts`, { message: `${wiki} ${inDocs}` })).status, 200);
      assert.equal((await api('POST', `/groups/${elsewhere}/posts`, { message: inElsewhere })).status, 200);
      assert.equal((await api('POST', '/messages', { recipient: bo.id, text: inChat })).status, 200);
      await scopedReceiver.waitFor((r) => change(r)?.value?.link === inElsewhere);
      assert.equal((await settled(inElsewhere)).state, 'ready');
      assert.deepEqual(await previewsFor(wiki), [], 'no permission: nothing asked');
      assert.deepEqual(await previewsFor(inDocs), [], 'out of scope: nothing asked');
      assert.deepEqual(await previewsFor(inChat), [], 'chat is outside any group scope');
      assert.equal(stripped.posts().length, 0);
      assert.deepEqual(scopedReceiver.posts().map((r) => change(r)?.value?.link), [inElsewhere]);
    });

    test('a declined preview and a failing receiver show nothing and are recorded for the admin', async () => {
      const declined = 'https://docs.example.com/declined';
      const broken = 'https://docs.example.com/broken';
      const created = await api('POST', `/groups/${group}/posts`, { message: `${declined} ${broken}` });
      assert.equal(created.status, 200);
      const d = await settled(declined);
      assert.equal(d.state, 'declined');
      assert.match(d.error!, /empty data/);
      const b = await settled(broken);
      assert.equal(b.state, 'failed');
      assert.match(b.error!, /HTTP 500/);
      assert.deepEqual((await api('GET', `/posts/${created.json.id}`)).json.previews, []);
      const log = await admin('GET', `/integrations/${unfurler.app_id}/link_previews`);
      const entry = log.json.recent.find((x: { url: string }) => x.url === broken);
      assert.equal(entry.state, 'failed');
      assert.equal(entry.status_code, 500);
    });

    test('a slow receiver: the post is saved at once, the request times out and the failure is kept', async () => {
      const link = 'https://tortoise.example.com/slow';
      const created = await api('POST', `/groups/${group}/posts`, { message: `Slow one ${link}` });
      assert.equal(created.status, 200, created.text);
      assert.equal(slowAnswered, false, 'the post was answered while the receiver still held the request');
      await slow.waitFor((r) => change(r)?.value?.link === link);
      const failed = await settled(link);
      assert.equal(failed.state, 'failed');
      assert.match(failed.error!, /timeout/);
      assert.equal(slowAnswered, false);
      openGate();
      assert.deepEqual((await api('GET', `/posts/${created.json.id}`)).json.previews, []);
      assert.equal((await graph(`/${created.json.id}?fields=message`)).json.message, `Slow one ${link}`);
    });

    test('each viewer gets their own preview: asked on first sight, refused ones stay hidden, Graph shows the sharer\'s', async () => {
      const secret = 'https://docs.example.com/private/salaries';
      const menu = 'https://docs.example.com/public/menu';
      const created = await api('POST', `/groups/${group}/posts`, { message: `${secret} and ${menu}` });
      assert.equal((await settled(secret)).state, 'ready');
      const own = await until(async () => {
        const r = await api('GET', `/posts/${created.json.id}`);
        return r.json.previews.length === 2 ? r.json : undefined;
      }, 'the sharer\'s previews');
      assert.equal(own.previews_pending, false);
      const viewerFor = (url: string) => ts.ctx.db.selectFrom('link_preview').selectAll().where('url', '=', url).where('requester_id', '=', bo.id).executeTakeFirst();
      assert.equal(await viewerFor(secret), undefined, 'nothing is asked for a member who has not looked');

      const first = await asBo('GET', `/posts/${created.json.id}`);
      assert.deepEqual(first.json.previews, [], 'a viewer sees nothing until the integration answered for them');
      assert.equal(first.json.previews_pending, true);
      const asked = await docs.waitFor((r) => change(r)?.value?.link === secret && change(r)?.value?.user?.id === bo.id);
      assert.equal(change(asked)!.value.user.id, bo.id);
      await until(async () => ((await viewerFor(secret))?.state === 'declined' && (await viewerFor(menu))?.state === 'ready' ? true : undefined), 'Bo\'s previews');
      const later = await asBo('GET', `/posts/${created.json.id}`);
      assert.deepEqual(later.json.previews.map((x: { url: string }) => x.url), [menu], 'the private document stays hidden from Bo');
      assert.equal(later.json.previews_pending, false);
      await asBo('GET', `/posts/${created.json.id}`);
      assert.equal(docs.posts((r) => change(r)?.value?.link === secret && change(r)?.value?.user?.id === bo.id).length, 1, 'asked once per viewer');
      const g = await graph(`/${created.json.id}?fields=attachments{title}`);
      assert.equal(g.json.attachments.data[0].title, 'Doc /private/salaries', 'Graph shows what the sharer got');
    });

    test('a preview left running by a process that died is asked again once its lease runs out', async () => {
      const created = await api('POST', `/groups/${group}/posts`, { message: 'Plain post' });
      const rowId = (await ts.ctx.db.selectFrom('post').select('id').orderBy('created_time', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
      const link = 'https://docs.example.com/after/restart';
      const now = Date.now();
      await ts.ctx.db
        .insertInto('link_preview')
        .values({
          id: '4000000000000001', object_type: 'post', object_id: rowId, url: link, position: 0, app_id: unfurler.app_id, requester_id: una.id, group_id: group,
          state: 'running', title: null, description: null, image_url: null, icon_url: null, preview_type: null, privacy: null, canonical_link: null, download_url: null,
          fields: null, error: null, status_code: null, latency_ms: null, attempts: 1, lease_owner: 'a-process-that-died', lease_until: now - 1, created_time: now, completed_time: null,
        })
        .execute();
      const hook = await docs.waitFor((r) => change(r)?.value?.link === link);
      assert.equal(hook.headers['x-commonplace-attempt'], '2');
      assert.equal((await settled(link)).state, 'ready');
      assert.equal((await api('GET', `/posts/${created.json.id}`)).json.previews[0].title, 'Doc /after/restart');
    });

    test('editing a post keeps the previews of URLs that stay and asks for new ones; deleting it removes them and their stored images', async () => {
      const first = 'https://docs.example.com/own-image/one';
      const second = 'https://docs.example.com/own-image/two';
      const created = await api('POST', `/groups/${group}/posts`, { message: first });
      assert.equal((await settled(first)).state, 'ready');
      const asked = docs.posts((r) => change(r)?.value?.link === first).length;
      assert.equal((await api('PATCH', `/posts/${created.json.id}`, { message: `${first} ${second}` })).status, 200);
      assert.equal((await settled(second)).state, 'ready');
      assert.equal(docs.posts((r) => change(r)?.value?.link === first).length, asked, 'a URL that stayed is not asked again');
      const kept = async () => ts.ctx.db.selectFrom('link_preview_media').innerJoin('media', 'media.id', 'link_preview_media.media_id').select(['media.id', 'media.file_name', 'link_preview_media.source_url']).execute();
      const own = (await kept()).filter((m) => m.source_url.includes('/own-'));
      assert.equal(own.length, 2, 'each link has its own stored image');
      assert.equal((await api('DELETE', `/posts/${created.json.id}`)).status, 200);
      assert.deepEqual([...(await previewsFor(first)), ...(await previewsFor(second))], []);
      const shared = (await kept()).filter((m) => !m.source_url.includes('/own-'));
      assert.ok((await sweepPreviewImages(ts.ctx, 0)) >= 2);
      assert.deepEqual((await kept()).filter((m) => m.source_url.includes('/own-')), [], 'the unused images are removed');
      assert.deepEqual(await ts.ctx.db.selectFrom('media').select('id').where('id', 'in', own.map((m) => m.id)).execute(), []);
      for (const m of own) assert.equal(await ts.ctx.media.get(m.file_name!), undefined, 'and their files');
      assert.deepEqual((await kept()).map((m) => m.id).sort(), shared.map((m) => m.id).sort(), 'images other previews use stay');
      for (const m of shared) assert.ok(await ts.ctx.media.get(m.file_name!));
    });
  });
}
