import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.js';
import { IMAGE_HOST_ENV, type ImageHost, startImageHost } from '../helpers/images.js';
import { http, startServer, type TestServer } from '../helpers/server.js';

// Group photo albums over real HTTP: POST /{group}/albums, photos into an album, GET
// /{group}/albums with every documented field, /{album}/photos, comments, likes and reactions,
// and the album a multi-photo post makes (the same node type, shown as the post's attachment).

const FIELDS = 'id,can_upload,count,cover_photo,created_time,description,event,from,link,location,name,place,privacy,type,updated_time';

for (const dialect of await dialects()) {
  describe(`albums (${dialect})`, () => {
    let ts: TestServer;
    let token: string;
    let group: string;
    let n = 0;
    let host: ImageHost;
    before(async () => {
      host = await startImageHost();
      ts = await startServer(dialect, { env: { COMMONPLACE_RATE_LIMIT: '0', ...IMAGE_HOST_ENV } });
      token = (await ts.integration(['read_group', 'write_group', 'manage_group'])).access_token;
      group = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Team photos', privacy: 'CLOSED' } })).json.id;
    });
    after(async () => {
      await ts?.close();
      await host?.close();
    });
    const photoUrl = () => host.url(`a${++n}.jpg`);

    test('the triad on albums: no token 190, no permission 200, out of scope a missing object', async () => {
      const created = await http('POST', `${ts.graph}/${group}/albums`, { token, form: { name: 'Triad' } });
      assert.equal(created.status, 200, created.text);
      assert.equal((await http('GET', `${ts.graph}/${group}/albums`)).json.error.code, 190);
      const writer = (await ts.integration(['write_group'])).access_token;
      assert.equal((await http('GET', `${ts.graph}/${group}/albums`, { token: writer })).json.error.code, 200);
      const reader = (await ts.integration(['read_group'])).access_token;
      const noWrite = await http('POST', `${ts.graph}/${group}/albums`, { token: reader, form: { name: 'Nope' } });
      assert.equal(noWrite.json.error.code, 200, noWrite.text);
      const other = (await http('POST', `${ts.graph}/community/groups`, { token, form: { name: 'Other', privacy: 'OPEN' } })).json.id;
      const scoped = (await ts.integration(['read_group', 'write_group'], { groups: [other] })).access_token;
      for (const [method, url] of [['GET', `${ts.graph}/${group}/albums`], ['GET', `${ts.graph}/${created.json.id}`], ['POST', `${ts.graph}/${created.json.id}/photos?url=${encodeURIComponent(photoUrl())}`]]) {
        const r = await http(method, url, { token: scoped });
        assert.equal(r.status, 400, `${method} ${url}: ${r.text}`);
        assert.equal(r.json.error.code, 100);
      }
      const missingName = await http('POST', `${ts.graph}/${group}/albums`, { token, form: { message: 'no name' } });
      assert.equal(missingName.json.error.code, 100);
    });

    test('create an album, add photos, list it with every documented field and its photos in order', async () => {
      const created = await http('POST', `${ts.graph}/${group}/albums`, { token, form: { name: 'Offsite 2026', message: 'Lisbon', location: 'Lisbon, Portugal' } });
      assert.equal(created.status, 200, created.text);
      assert.match(created.json.post_id, new RegExp(`^${group}_\\d+$`));
      const album = created.json.id;
      const photos: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await http('POST', `${ts.graph}/${album}/photos`, { token, form: { url: photoUrl(), message: `photo ${i}` } });
        assert.equal(r.status, 200, r.text);
        photos.push(r.json.id);
      }
      const list = await http('GET', `${ts.graph}/${group}/albums?fields=${FIELDS}`, { token });
      assert.equal(list.status, 200, list.text);
      const a = list.json.data.find((x: { id: string }) => x.id === album);
      assert.equal(a.name, 'Offsite 2026');
      assert.equal(a.description, 'Lisbon');
      assert.equal(a.location, 'Lisbon, Portugal');
      assert.equal(a.count, 3);
      assert.equal(a.cover_photo.id, photos[0]);
      assert.equal(a.can_upload, true);
      assert.equal(a.type, 'normal');
      assert.equal(a.privacy, 'CLOSED');
      assert.ok(a.from.id);
      assert.match(a.link, new RegExp(`/groups/${group}/albums/${album}$`));
      assert.match(a.created_time, /\+0000$/);
      assert.ok(!('event' in a) && !('place' in a), 'no data: left out as Graph does');

      const inAlbum = await http('GET', `${ts.graph}/${album}/photos?fields=id,name,album`, { token });
      assert.deepEqual(inAlbum.json.data.map((p: { id: string }) => p.id), photos);
      assert.equal(inAlbum.json.data[0].album.id, album);
      const paged = await http('GET', `${ts.graph}/${album}/photos?limit=2`, { token });
      assert.equal(paged.json.data.length, 2);
      const next = await http('GET', paged.json.paging.next, { token });
      assert.deepEqual(next.json.data.map((p: { id: string }) => p.id), [photos[2]]);

      const post = await http('GET', `${ts.graph}/${created.json.post_id}?fields=type,attachments`, { token });
      const attachment = post.json.attachments.data[0];
      assert.equal(attachment.type, 'album');
      assert.equal(attachment.target.id, album);
      assert.equal(attachment.title, 'Offsite 2026');
      assert.deepEqual(attachment.subattachments.data.map((s: { target: { id: string } }) => s.target.id), photos);
    });

    test('comments, likes and reactions on an album are its post\'s', async () => {
      const created = await http('POST', `${ts.graph}/${group}/albums`, { token, form: { name: 'Feedback' } });
      const album = created.json.id;
      const comment = await http('POST', `${ts.graph}/${album}/comments`, { token, form: { message: 'Great shots' } });
      assert.equal(comment.status, 200, comment.text);
      const like = await http('POST', `${ts.graph}/${album}/likes`, { token });
      assert.equal(like.status, 200, like.text);
      const read = await http('GET', `${ts.graph}/${album}?fields=comments.summary(true){message},likes.summary(true),reactions{type}`, { token });
      assert.equal(read.status, 200, read.text);
      assert.equal(read.json.comments.data[0].message, 'Great shots');
      assert.equal(read.json.comments.summary.total_count, 1);
      assert.equal(read.json.likes.data.length, 1);
      assert.equal(read.json.reactions.data[0].type, 'LIKE');
      const postComments = await http('GET', `${ts.graph}/${created.json.post_id}/comments`, { token });
      assert.equal(postComments.json.data[0].id, comment.json.id);
      const unlike = await http('DELETE', `${ts.graph}/${album}/likes`, { token });
      assert.equal(unlike.status, 200, unlike.text);
      assert.equal((await http('GET', `${ts.graph}/${album}/likes`, { token })).json.data.length, 0);
    });

    test('a post with several photos makes an album of them; deleting the post deletes the album, not the photos', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) ids.push((await http('POST', `${ts.graph}/me/photos?published=false&url=${encodeURIComponent(photoUrl())}`, { token })).json.id);
      const post = await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'Two photos', attached_media: JSON.stringify(ids.map((id) => ({ media_fbid: id }))) } });
      assert.equal(post.status, 200, post.text);
      const attachment = (await http('GET', `${ts.graph}/${post.json.id}?fields=attachments`, { token })).json.attachments.data[0];
      assert.equal(attachment.type, 'album');
      const album = attachment.target.id;
      const read = await http('GET', `${ts.graph}/${album}?fields=${FIELDS}`, { token });
      assert.equal(read.status, 200, read.text);
      assert.equal(read.json.count, 2);
      assert.equal(read.json.type, 'wall');
      assert.match(read.json.name, /^Photos from .*'s post$/);
      const photo = await http('GET', `${ts.graph}/${ids[0]}?fields=album`, { token });
      assert.equal(photo.json.album.id, album);
      const one = (await http('POST', `${ts.graph}/me/photos?published=false&url=${encodeURIComponent(photoUrl())}`, { token })).json.id;
      const single = await http('POST', `${ts.graph}/${group}/feed`, { token, form: { message: 'One photo', attached_media: JSON.stringify([{ media_fbid: one }]) } });
      assert.equal((await http('GET', `${ts.graph}/${single.json.id}?fields=attachments`, { token })).json.attachments.data[0].type, 'photo', 'one photo is no album');

      assert.equal((await http('DELETE', `${ts.graph}/${post.json.id}`, { token })).status, 200);
      assert.equal((await http('GET', `${ts.graph}/${album}`, { token })).json.error.code, 100, 'the album went with its post');
      const still = await http('GET', `${ts.graph}/${ids[0]}?fields=id,album`, { token });
      assert.equal(still.status, 200, still.text);
      assert.equal(still.json.album, undefined);
    });
  });
}
