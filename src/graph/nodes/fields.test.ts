import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../../../test/helpers/dialects.js';
import { http, startServer, type TestServer } from '../../../test/helpers/server.js';
import type { Actor } from '../../domain/actor.js';
import { groupCreator } from '../../domain/commands/group.js';
import { postCreator, postWireId } from '../../domain/commands/post.js';
import type { GroupRow } from '../../db/repositories/group.js';

// The fields Workplace documents for Post, Profile, Photo, Message and Thread: each is served;
// one the token may not read, or one whose data Commonplace lacks, is left out, never an error.

const PNG_3x2 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAYAAACddGYaAAAAEUlEQVR42mP8z8DwnwEIGGEMAB7wAv+hCe2LAAAAAElFTkSuQmCC',
  'base64',
);
const member = (id: string): Actor => ({ kind: 'member', memberId: id, isAdmin: false });

for (const dialect of await dialects()) {
  describe(`documented node fields (${dialect})`, () => {
    let ts: TestServer;
    let bot: { access_token: string; page_id: string; app_id: string };
    let reader: string;
    let alice: { id: string; name: string };
    let bob: { id: string; name: string };
    let group: GroupRow;
    let g: (path: string, token?: string) => Promise<{ status: number; json: any; text: string }>;

    before(async () => {
      ts = await startServer(dialect);
      alice = await ts.member({ email: 'alice@example.com', name: 'Alice Anders', title: 'Engineer', department: 'R&D' });
      bob = await ts.member({ email: 'bob@example.com', name: 'Bob Brown' });
      group = await ts.write((w) => groupCreator(w, { name: 'Engineering', adminId: alice.id }));
      bot = await ts.integration(['read_group', 'write_group', 'message', 'group_chat', 'read_user_email', 'read_user_work_profile'], { name: 'Helper' });
      reader = (await ts.integration(['read_group'], { name: 'Reader' })).access_token;
      g = (path, token = bot.access_token) => http('GET', `${ts.graph}/${path}`, { token });
    });
    after(() => ts.close());

    test('Post: story, status_type, name, caption, application, and every documented field requestable', async () => {
      const status = await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: 'hello' }), member(alice.id));
      const link = await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', link: 'https://example.com/a/b' }), member(alice.id));
      const byBot = (await http('POST', `${ts.graph}/${group.id}/feed`, { token: bot.access_token, form: { message: 'from the bot' } })).json.id;
      const all =
        'id,from,updated_time,type,message,source,story,properties,permalink_url,shares,name,caption,description,icon,actions,application,admin_creator,feed_targeting,parent_id,place,status_type,poll';
      const s = await g(`${postWireId(status)}?fields=${all}`);
      assert.equal(s.status, 200, s.text);
      assert.equal(s.json.story, 'Alice Anders posted in Engineering');
      assert.equal(s.json.status_type, 'mobile_status_update');
      assert.equal(s.json.type, 'status');
      for (const missing of ['source', 'properties', 'shares', 'description', 'admin_creator', 'feed_targeting', 'parent_id', 'place', 'poll', 'application', 'name', 'caption']) {
        assert.ok(!(missing in s.json), `${missing} is left out: ${s.text}`);
      }
      assert.match(s.json.icon, /^http:\/\/127\.0\.0\.1:\d+\/media\/post-icon\.svg$/);
      assert.deepEqual(s.json.actions.map((a: any) => a.name), ['Comment', 'Like']);
      assert.equal((await http('GET', s.json.icon)).status, 200);

      const l = await g(`${postWireId(link)}?fields=story,status_type,type,name,caption,link`);
      assert.equal(l.json.story, 'Alice Anders shared a link in Engineering');
      assert.equal(l.json.status_type, 'shared_story');
      assert.equal(l.json.type, 'link');
      assert.equal(l.json.name, 'https://example.com/a/b');
      assert.equal(l.json.caption, 'example.com');

      const b = await g(`${byBot}?fields=story,status_type,application{id,name},from{name}`);
      assert.equal(b.json.story, 'Helper posted in Engineering');
      assert.equal(b.json.status_type, 'app_created_story');
      assert.deepEqual(b.json.application, { id: bot.app_id, name: 'Helper' });

      const shared = await g(`${byBot}/sharedposts`);
      assert.deepEqual(shared.json, { data: [] });
      const nested = await g(`${byBot}?fields=sharedposts{id,story}`);
      assert.deepEqual(nested.json.sharedposts, { data: [] });
    });

    test('Profile: member fields the token may read, the rest left out without failing', async () => {
      await ts.write((w) => postCreator(w, { feedId: group.id, feedType: 'group', message: 'profile check' }), member(alice.id));
      const fields = 'from{id,name,email,title,department,locale,primary_address,division,organization,first_name}';
      const rich = await g(`${group.id}/feed?fields=${fields}&limit=1`);
      assert.equal(rich.status, 200, rich.text);
      assert.deepEqual(rich.json.data[0].from, { id: alice.id, name: 'Alice Anders', email: 'alice@example.com', title: 'Engineer', department: 'R&D', first_name: 'Alice' });
      const plain = await g(`${group.id}/feed?fields=${fields}&limit=1`, reader);
      assert.equal(plain.status, 200, plain.text);
      assert.deepEqual(plain.json.data[0].from, { id: alice.id, name: 'Alice Anders', first_name: 'Alice' });
    });

    test('Community: answers as a Group, group fields without a value left out', async () => {
      const r = await g('community?fields=id,name,privacy,description,icon,cover,owner,member_count,archived,is_community,purpose');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.is_community, true);
      assert.equal(r.json.archived, false);
      assert.equal(typeof r.json.member_count, 'number');
      assert.ok(r.json.member_count >= 2, r.text);
      for (const missing of ['description', 'cover', 'owner', 'purpose']) assert.ok(!(missing in r.json), missing);
    });

    test('Photo: height and width read from the stored image, images with sizes, DELETE /{photo-id}', async () => {
      const form = new FormData();
      form.append('source', new Blob([PNG_3x2], { type: 'image/png' }), 'p.png');
      form.append('message', 'a photo');
      const up = await http('POST', `${ts.graph}/${group.id}/photos`, { token: bot.access_token, body: form });
      assert.equal(up.status, 200, up.text);
      const photo = await g(`${up.json.id}?fields=id,height,width,images,icon,link,album,name_tags,place,can_delete,name`);
      assert.equal(photo.status, 200, photo.text);
      assert.equal(photo.json.width, 3);
      assert.equal(photo.json.height, 2);
      assert.equal(photo.json.images[0].width, 3);
      assert.equal(photo.json.images[0].height, 2);
      assert.equal(photo.json.can_delete, true);
      assert.equal(photo.json.name, 'a photo');
      for (const missing of ['album', 'name_tags', 'place']) assert.ok(!(missing in photo.json), missing);

      const refused = await http('DELETE', `${ts.graph}/${up.json.id}`, { token: reader });
      assert.equal(refused.status, 403, refused.text);
      const gone = await http('DELETE', `${ts.graph}/${up.json.id}`, { token: bot.access_token });
      assert.deepEqual(gone.json, { success: true });
      assert.equal((await g(up.json.id)).json.error.code, 100);
      const post = await g(`${up.json.post_id}?fields=attachments,type`);
      assert.equal(post.status, 200, post.text);
      assert.deepEqual(post.json.attachments, { data: [] }, 'the post no longer shows the photo');
    });

    test('Message: shares as an edge, from with email; Thread: subject', async () => {
      const sent = await http('POST', `${ts.graph}/me/messages`, {
        token: bot.access_token,
        json: { recipient: { id: alice.id }, message: { text: 'see https://example.com/x and https://example.org/y' } },
      });
      assert.equal(sent.status, 200, sent.text);
      const id = sent.json.message_id;
      const m = await g(`${id}?fields=from,shares{link}`);
      assert.equal(m.status, 200, m.text);
      assert.deepEqual(m.json.shares.data.map((x: any) => x.link), ['https://example.com/x', 'https://example.org/y']);
      assert.deepEqual(Object.keys(m.json.shares.data[0]).sort(), ['id', 'link']);
      assert.deepEqual(m.json.from, { name: 'Helper', id: bot.page_id });
      const edge = await g(`${id}/shares`);
      assert.deepEqual(edge.json.data.map((x: any) => x.link), ['https://example.com/x', 'https://example.org/y']);
      const reply = await g(`${id}?fields=to`);
      assert.deepEqual(reply.json.to.data, [{ id: alice.id, name: 'Alice Anders', email: 'alice@example.com' }]);
      const group = await http('POST', `${ts.graph}/me/messages`, { token: bot.access_token, json: { recipient: { ids: [alice.id, bob.id] }, message: { text: 'kick-off' } } });
      assert.equal(group.status, 200, group.text);
      const thread = group.json.thread_key;
      assert.deepEqual((await http('POST', `${ts.graph}/${thread}/threadname`, { token: bot.access_token, form: { name: 'Launch' } })).json, { success: true });
      const t = await g(`${thread}?fields=subject,name`);
      assert.equal(t.status, 200, t.text);
      assert.equal(t.json.subject, 'Launch');
      assert.equal(t.json.name, 'Launch');
    });
  });
}
