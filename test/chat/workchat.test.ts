import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { IssuedCredentials } from '../../src/domain/commands/integration.js';
import { dialects } from '../helpers/dialects.js';
import { http, SIGN_IN, startServer, type TestServer } from '../helpers/server.js';
import { messaging, Receiver } from '../webhooks/receiver.js';
import { subscribe } from '../webhooks/helpers.js';
import { memberSession, type MemberSession } from './helpers.js';
import { startImageHost } from '../helpers/images.js';

// Photos given by URL are fetched by the server: they come from a real image host on 127.0.0.1.
const images = await startImageHost();
after(() => images.close());

// Work Chat end to end: a member writes to a bot through the member API, the bot gets `page`
// webhooks and answers through the Send API with quick replies and buttons, the member taps
// them, and the bot answers again.

for (const dialect of await dialects()) {
  describe(`Work Chat (${dialect})`, () => {
    let ts: TestServer;
    let bot: IssuedCredentials;
    let hook: Receiver;
    let pat: MemberSession;
    let sam: { id: string };
    let threadId: string;
    const send = (body: unknown, token = bot.access_token) => http('POST', `${ts.graph}/me/messages`, { token, json: body });
    const fromBot = (field: string, pred: (m: any) => boolean = () => true) => hook.waitFor((r) => r.json?.object === 'page' && field in (messaging(r) ?? {}) && pred(messaging(r)));

    before(async () => {
      ts = await startServer(dialect, { env: { COMMONPLACE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.0/8' } });
      hook = await Receiver.start();
      bot = await ts.integration(['message', 'group_chat'], { name: 'Help Desk' });
      await ts.member({ email: 'pat@example.com', name: 'Pat Lee', password: 'pat-Password-123' });
      sam = await ts.member({ email: 'sam@example.com', name: 'Sam Ray', password: 'sam-Password-123' });
      await subscribe(ts, bot, 'page', 'messages,message_deliveries,message_reads,messaging_postbacks', hook.url);
      pat = await memberSession(ts, 'pat@example.com', 'pat-Password-123');
    });
    after(async () => {
      await hook.close();
      await ts.close();
    });

    test('member sign-in: a wrong password is refused; the session needs its CSRF token for changes', async () => {
      const wrong = await http('POST', `${ts.base}/api/session`, { json: { email: 'pat@example.com', password: 'nope' }, headers: SIGN_IN });
      assert.equal(wrong.status, 401);
      assert.equal((await pat('GET', '/session')).json.member.name, 'Pat Lee');
      const cookieOnly = await http('POST', `${ts.base}/api/messages`, { json: { recipient: bot.page_id, text: 'x' }, headers: { cookie: '' } });
      assert.equal(cookieOnly.status, 401);
      const noCsrf = await http('GET', `${ts.base}/api/threads`);
      assert.equal(noCsrf.status, 401);
      // A member session is not an admin session.
      assert.equal((await http('GET', `${ts.base}/admin/api/integrations`)).status, 401);
    });

    test('member → bot: a `messages` webhook; the bot answers with quick replies through the Send API', async () => {
      const sent = await pat('POST', '/messages', { recipient: bot.page_id, text: 'I need help with my laptop' });
      assert.equal(sent.status, 200, sent.text);
      threadId = sent.json.thread_id;
      assert.match(threadId, /^t_\d+$/);
      const got = await fromBot('message', (m) => m.message.text === 'I need help with my laptop');
      const m = messaging(got);
      assert.equal(got.json.entry[0].id, bot.page_id);
      assert.equal(typeof got.json.entry[0].time, 'number');
      assert.equal(m.sender.id, pat.memberId);
      assert.ok(m.sender.community.id);
      assert.equal(m.recipient.id, bot.page_id);
      assert.equal(m.message.mid, sent.json.message.id);
      assert.equal(typeof m.timestamp, 'number');
      assert.equal(m.thread, undefined, '1:1 threads carry no thread object');

      const typing = await send({ recipient: { id: m.sender.id }, sender_action: 'typing_on' });
      assert.deepEqual(typing.json, { recipient_id: pat.memberId });
      assert.equal((await pat('GET', `/threads/${threadId}`)).json.participants.find((p: any) => p.id === bot.page_id).typing, true);
      const answer = await send({
        recipient: { id: m.sender.id },
        messaging_type: 'RESPONSE',
        message: { text: 'What kind of issue?', quick_replies: [{ content_type: 'text', title: 'Hardware', payload: 'HW' }, { content_type: 'text', title: 'Software', payload: 'SW' }] },
      });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.json.recipient_id, pat.memberId);
      assert.match(answer.json.message_id, /^m_\d+$/);
      const messages = (await pat('GET', `/threads/${threadId}/messages`)).json.data;
      assert.deepEqual(messages.map((x: any) => x.text), ['I need help with my laptop', 'What kind of issue?']);
      assert.deepEqual(messages[1].quick_replies.map((q: any) => q.payload), ['HW', 'SW']);
      assert.equal(messages[1].from.id, bot.page_id);
      const thread = (await pat('GET', `/threads/${threadId}`)).json;
      assert.equal(thread.participants.find((p: any) => p.id === bot.page_id).typing, false, 'a message ends typing');
      assert.equal(thread.unread_count, 1);
    });

    test('delivered and read receipts become message_deliveries and message_reads webhooks', async () => {
      const messages = (await pat('GET', `/threads/${threadId}/messages`)).json.data;
      const botMessage = messages.find((x: any) => x.from.id === bot.page_id);
      const delivered = await pat('POST', `/threads/${threadId}/delivered`, {});
      assert.equal(delivered.json.changed, true);
      const d = messaging(await fromBot('delivery'));
      assert.deepEqual(d.delivery.mids, [botMessage.id]);
      assert.equal(d.sender.id, pat.memberId);
      assert.equal(typeof d.delivery.watermark, 'number');
      const read = await pat('POST', `/threads/${threadId}/read`, {});
      assert.equal(read.json.changed, true);
      const r = messaging(await fromBot('read'));
      assert.ok(r.read.watermark >= botMessage.timestamp);
      assert.equal((await pat('GET', `/threads/${threadId}`)).json.unread_count, 0);
      const again = await pat('POST', `/threads/${threadId}/read`, { watermark: 1 });
      assert.equal(again.json.changed, false, 'an older watermark is a no-op');
    });

    test('tapping a quick reply sends its payload; tapping a postback button sends messaging_postbacks', async () => {
      const unknown = await pat('POST', `/threads/${threadId}/messages`, { quick_reply: { payload: 'NOT_OFFERED' } });
      assert.equal(unknown.status, 400);
      const tapped = await pat('POST', `/threads/${threadId}/messages`, { quick_reply: { payload: 'HW' } });
      assert.equal(tapped.status, 200, tapped.text);
      assert.equal(tapped.json.text, 'Hardware');
      const q = messaging(await fromBot('message', (m) => m.message.quick_reply?.payload === 'HW'));
      assert.equal(q.message.text, 'Hardware');

      const buttons = await send({
        recipient: { id: q.sender.id },
        message: {
          attachment: {
            type: 'template',
            payload: { template_type: 'button', text: 'Open a ticket?', buttons: [{ type: 'postback', title: 'Yes please', payload: 'TICKET_YES' }, { type: 'web_url', url: 'https://example.com/kb', title: 'Read the KB' }] },
          },
        },
      });
      assert.equal(buttons.status, 200, buttons.text);
      const tap = await pat('POST', `/threads/${threadId}/postback`, { message_id: buttons.json.message_id, payload: 'TICKET_YES' });
      assert.equal(tap.status, 200, tap.text);
      const p = messaging(await fromBot('postback'));
      assert.deepEqual(p.postback, { title: 'Yes please', payload: 'TICKET_YES', mid: buttons.json.message_id });
      assert.equal(p.sender.id, pat.memberId);
      const wrong = await pat('POST', `/threads/${threadId}/postback`, { message_id: buttons.json.message_id, payload: 'NOPE' });
      assert.equal(wrong.status, 400);
      const done = await send({ recipient: { id: p.sender.id }, message: { text: 'Ticket #42 opened.' } });
      assert.equal(done.status, 200);
      const last = (await pat('GET', `/threads/${threadId}/messages`)).json.data.at(-1);
      assert.equal(last.text, 'Ticket #42 opened.');
    });

    test('a member message writes one audit event and one outbox row per bot in the thread', async () => {
      const before = await ts.ctx.db.selectFrom('outbox').select('id').execute();
      const auditBefore = await ts.ctx.db.selectFrom('audit_event').select('id').execute();
      await pat('POST', `/threads/${threadId}/messages`, { text: 'thanks' });
      const rows = (await ts.ctx.db.selectFrom('outbox').selectAll().execute()).filter((r) => !before.some((b) => b.id === r.id));
      const audit = (await ts.ctx.db.selectFrom('audit_event').selectAll().execute()).filter((r) => !auditBefore.some((b) => b.id === r.id));
      assert.deepEqual(audit.map((a) => a.action), ['chat.message_sent']);
      assert.deepEqual(rows.map((r) => `${r.topic}/${r.field}/${r.entry_id}/${r.ordering_key}`), [`page/messages/${bot.page_id}/${threadId}`]);
    });

    test('Send API checks: permissions, recipients, message shape', async () => {
      const mute = await ts.integration(['read_group'], { name: 'Mute' });
      const noPerm = await send({ recipient: { id: pat.memberId }, message: { text: 'hi' } }, mute.access_token);
      assert.equal(noPerm.status, 403);
      assert.match(noPerm.json.error.message, /message/);
      const solo = await ts.integration(['message'], { name: 'Solo' });
      const noGroup = await send({ recipient: { ids: [pat.memberId, sam.id] }, message: { text: 'hi all' } }, solo.access_token);
      assert.equal(noGroup.status, 403);
      assert.match(noGroup.json.error.message, /group_chat/);
      const nobody = await send({ recipient: { id: '123456789' }, message: { text: 'hi' } });
      assert.equal(nobody.status, 400);
      assert.match(nobody.json.error.message, /No matching user/);
      const both = await send({ recipient: { id: pat.memberId }, message: { text: 'x', attachment: { type: 'image', payload: { url: images.url('a.png') } } } });
      assert.match(both.json.error.message, /either text or an attachment/);
      const badButton = await send({ recipient: { id: pat.memberId }, message: { attachment: { type: 'template', payload: { template_type: 'button', text: 'x', buttons: [] } } } });
      assert.match(badButton.json.error.message, /1 to 3 buttons/);
      const tooMany = await send({ recipient: { id: pat.memberId }, message: { text: 'x', quick_replies: Array.from({ length: 14 }, (_, i) => ({ content_type: 'text', title: `q${i}`, payload: `${i}` })) } });
      assert.match(tooMany.json.error.message, /at most 13/);
      const form = await http('POST', `${ts.graph}/me/messages`, { token: bot.access_token, form: { recipient: JSON.stringify({ id: pat.memberId }), message: JSON.stringify({ text: 'form-encoded' }) } });
      assert.equal(form.status, 200, form.text);
      const badType = await send({ recipient: { id: pat.memberId }, messaging_type: 'SPAM', message: { text: 'x' } });
      assert.equal(badType.status, 400);
    });

    test('group threads: ids create a new thread each time; thread_key posts into it; thread edges', async () => {
      const created = await send({ recipient: { ids: [pat.memberId, sam.id] }, message: { text: 'Welcome to the launch room' } });
      assert.equal(created.status, 200, created.text);
      const key = created.json.thread_key;
      assert.match(key, /^t_\d+$/);
      assert.equal(created.json.recipient_id, key);
      const second = await send({ recipient: { ids: [pat.memberId, sam.id] }, message: { text: 'another room' } });
      assert.notEqual(second.json.thread_key, key);
      const into = await send({ recipient: { thread_key: key }, message: { text: 'Second message' } });
      assert.equal(into.status, 200, into.text);
      assert.equal(into.json.thread_key, key);

      const rename = await http('POST', `${ts.graph}/${key}/threadname`, { token: bot.access_token, form: { name: 'Launch room' } });
      assert.deepEqual(rename.json, { success: true });
      const carol = await ts.member({ email: 'carol@example.com', name: 'Carol Kim' });
      const add = await http('POST', `${ts.graph}/${key}/participants`, { token: bot.access_token, form: { to: JSON.stringify([carol.id]) } });
      assert.deepEqual(add.json, { success: true }, add.text);
      const remove = await http('DELETE', `${ts.graph}/${key}/participants`, { token: bot.access_token, form: { to: JSON.stringify([sam.id]) } });
      assert.deepEqual(remove.json, { success: true }, remove.text);

      const info = await http('GET', `${ts.graph}/${key}?fields=id,name,link,updated_time,can_reply,participants,former_participants,message_count,messages{message,from}`, { token: bot.access_token });
      assert.equal(info.status, 200, info.text);
      assert.equal(info.json.id, key);
      assert.equal(info.json.name, 'Launch room');
      assert.equal(info.json.can_reply, true);
      assert.deepEqual(info.json.participants.data.map((p: any) => p.id).sort(), [bot.page_id, pat.memberId, carol.id].sort());
      assert.deepEqual(info.json.former_participants.data.map((p: any) => p.id), [sam.id]);
      assert.equal(info.json.message_count, 2);
      assert.equal(info.json.messages.data[0].message.includes('removed'), true, 'newest first, system lines included');
      const only = await http('GET', `${ts.graph}/${key}/messages?source=PARTICIPANTS&fields=message`, { token: bot.access_token });
      assert.deepEqual(only.json.data.map((x: any) => x.message), ['Second message', 'Welcome to the launch room']);
      const nested = await http('GET', `${ts.graph}/${key}?fields=messages.source(PARTICIPANTS).limit(1){message}`, { token: bot.access_token });
      assert.deepEqual(nested.json.messages.data.map((x: any) => x.message), ['Second message']);

      const stranger = await ts.integration(['message', 'group_chat'], { name: 'Stranger' });
      const hidden = await http('GET', `${ts.graph}/${key}`, { token: stranger.access_token });
      assert.equal(hidden.status, 400);
      assert.equal(hidden.json.error.code, 100);
      const posting = await send({ recipient: { thread_key: key }, message: { text: 'let me in' } }, stranger.access_token);
      assert.equal(posting.json.error.code, 100);
      // Members see the group thread in their list; group events carry the thread.
      const list = (await pat('GET', '/threads')).json.data;
      assert.ok(list.some((t: any) => t.id === key && t.name === 'Launch room' && t.kind === 'group'));
      await pat('POST', `/threads/${key}/messages`, { text: 'hello group' });
      const g = messaging(await fromBot('message', (m) => m.message.text === 'hello group'));
      assert.deepEqual(g.thread, { id: key });
    });

    test('messenger_profile and legacy thread_settings; members tap the menu and get started', async () => {
      const menu = {
        greeting: [{ locale: 'default', text: 'Hi! I am the help desk.' }],
        get_started: { payload: 'GET_STARTED' },
        persistent_menu: [{ locale: 'default', composer_input_disabled: false, call_to_actions: [{ type: 'postback', title: 'New ticket', payload: 'NEW_TICKET' }] }],
      };
      const set = await http('POST', `${ts.graph}/me/messenger_profile`, { token: bot.access_token, json: menu });
      assert.deepEqual(set.json, { result: 'success' }, set.text);
      const read = await http('GET', `${ts.graph}/me/messenger_profile?fields=greeting,get_started,persistent_menu`, { token: bot.access_token });
      assert.deepEqual(read.json, { data: [menu] });
      // Bracket notation in the query string, as Meta's samples send it.
      const bracket = await http('POST', `${ts.graph}/me/messenger_profile?greeting[0][locale]=default&greeting[0][text]=Howdy`, { token: bot.access_token });
      assert.deepEqual(bracket.json, { result: 'success' }, bracket.text);
      const legacy = await http('POST', `${ts.graph}/me/thread_settings`, { token: bot.access_token, form: { setting_type: 'call_to_actions', thread_state: 'new_thread', call_to_actions: JSON.stringify([{ payload: 'START_OVER' }]) } });
      assert.deepEqual(legacy.json, { result: "Successfully added new_thread's CTAs" });
      const profile = (await pat('GET', `/bots/${bot.page_id}`)).json;
      assert.equal(profile.greeting[0].text, 'Howdy');
      assert.deepEqual(profile.get_started, { payload: 'START_OVER' });
      assert.equal(profile.can_chat, true);

      await pat('POST', `/threads/${threadId}/postback`, { payload: 'NEW_TICKET' });
      const tapped = messaging(await fromBot('postback', (m) => m.postback.payload === 'NEW_TICKET'));
      assert.deepEqual(tapped.postback, { title: 'New ticket', payload: 'NEW_TICKET' });
      await pat('POST', `/threads/${threadId}/postback`, { payload: 'START_OVER' });
      await fromBot('postback', (m) => m.postback.payload === 'START_OVER');
      const del = await http('DELETE', `${ts.graph}/me/messenger_profile`, { token: bot.access_token, json: { fields: ['greeting'] } });
      assert.deepEqual(del.json, { result: 'success' });
      assert.equal((await pat('GET', `/bots/${bot.page_id}`)).json.greeting, null);
    });

    test('attachments by URL and by upload reach the other side', async () => {
      const byUrl = await send({ recipient: { id: pat.memberId }, message: { attachment: { type: 'image', payload: { url: images.url('diagram.png'), is_reusable: true } } } });
      assert.equal(byUrl.status, 200, byUrl.text);
      const form = new FormData();
      form.set('recipient', JSON.stringify({ id: pat.memberId }));
      form.set('message', JSON.stringify({ attachment: { type: 'file', payload: { is_reusable: true } } }));
      form.set('filedata', new Blob([Buffer.from('report body')], { type: 'text/plain' }), 'report.txt');
      const upload = await http('POST', `${ts.graph}/me/messages`, { token: bot.access_token, body: form });
      assert.equal(upload.status, 200, upload.text);
      const messages = (await pat('GET', `/threads/${threadId}/messages`)).json.data;
      const [image, file] = messages.slice(-2);
      // Given by URL, stored like an upload: the other side gets the server's own signed link.
      assert.equal(image.attachments[0].type, 'image');
      assert.match(image.attachments[0].payload.url, /\/chat-files\/\d+\/diagram\.png\?ext=\d+&hash=/);
      assert.equal((await fetch(image.attachments[0].payload.url)).headers.get('content-type'), 'image/png');
      assert.equal(file.attachments[0].type, 'file');
      assert.equal(file.attachments[0].payload.name, 'report.txt');
      const fetched = await fetch(file.attachments[0].payload.url);
      assert.equal(await fetched.text(), 'report body');
      assert.match(fetched.headers.get('content-disposition') ?? '', /attachment/);
      const forged = await fetch(file.attachments[0].payload.url.replace(/hash=[^&]+/, 'hash=1.forgedforgedforgedforged'));
      assert.equal(forged.status, 404);

      const saved = await http('POST', `${ts.graph}/me/message_attachments`, { token: bot.access_token, json: { message: { attachment: { type: 'image', payload: { url: images.url('logo.png'), is_reusable: true } } } } });
      assert.match(saved.json.attachment_id, /^\d+$/);
      const reuse = await send({ recipient: { id: pat.memberId }, message: { attachment: { type: 'image', payload: { attachment_id: saved.json.attachment_id } } } });
      assert.equal(reuse.status, 200, reuse.text);

      const memberForm = new FormData();
      memberForm.set('text', 'screenshot attached');
      memberForm.set('type', 'file');
      memberForm.set('file', new Blob([Buffer.from('pixels')]), 'screen.txt');
      const up = await memberUpload(ts, pat, threadId, memberForm);
      assert.equal(up.status, 200, up.text);
      const m = messaging(await fromBot('message', (x) => x.message.text === 'screenshot attached'));
      assert.equal(m.message.attachments[0].type, 'file');
      assert.match(m.message.attachments[0].payload.url, /\/chat-files\/\d+\//);
    });

    test("template and quick-reply images are fetched once at send time and shown as the server's signed links; a failing one is left out", async () => {
      await subscribe(ts, bot, 'page', 'messages,message_deliveries,message_reads,messaging_postbacks,message_echoes', hook.url);
      const before = images.hits.filter((h) => h === '/card.png').length;
      const r = await send({
        recipient: { id: pat.memberId },
        message: {
          attachment: {
            type: 'template',
            payload: {
              template_type: 'generic',
              elements: [
                { title: 'Laptop', subtitle: 'A new one', image_url: images.url('card.png'), buttons: [{ type: 'postback', title: 'Pick', payload: 'LAPTOP' }] },
                { title: 'Broken link', image_url: images.url('gone.png') },
                { title: 'Not an image', image_url: images.url('page.html') },
                { title: 'Same picture', image_url: images.url('card.png') },
              ],
            },
          },
          quick_replies: [{ content_type: 'text', title: 'Yes', payload: 'YES', image_url: images.url('yes.png') }, { content_type: 'text', title: 'No', payload: 'NO', image_url: images.url('gone.png') }],
        },
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(images.hits.filter((h) => h === '/card.png').length - before, 1, 'one URL is fetched once, however often it appears');
      const id = r.json.message_id.replace(/^m_/, '');
      const row = await ts.ctx.db.selectFrom('chat_message').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.ok(!`${row.attachments}${row.quick_replies}`.includes(images.base), 'the message keeps the stored files, not the remote URLs');

      const shown = (await pat('GET', `/threads/${threadId}/messages`)).json.data.find((m: any) => m.id === r.json.message_id);
      const [laptop, broken, notImage, same] = shown.attachments[0].payload.elements;
      assert.match(laptop.image_url, /\/chat-files\/\d+\/card\.png\?ext=\d+&hash=/);
      assert.ok(laptop.image_url.startsWith(ts.base), "the server's own link");
      const served = await fetch(laptop.image_url);
      assert.equal(served.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), images.png);
      assert.equal(broken.image_url, undefined, 'an image that cannot be fetched is left out; the message still goes');
      assert.equal(notImage.image_url, undefined, 'bytes that are not an image are left out');
      assert.equal(same.image_url, laptop.image_url);
      assert.deepEqual([broken.title, notImage.title], ['Broken link', 'Not an image']);
      assert.ok(!JSON.stringify(shown).includes('image_file'), 'the stored form never reaches clients');
      assert.match(shown.quick_replies[0].image_url, /\/chat-files\/\d+\/yes\.png\?ext=/);
      assert.equal(shown.quick_replies[1].image_url, undefined);
      assert.equal(shown.quick_replies[1].title, 'No');

      // The echo to the bot carries the template with the same signed links.
      const echo = messaging(await fromBot('message', (m) => m.message.is_echo && m.message.mid === r.json.message_id)).message;
      const template = echo.attachments.find((a: any) => a.type === 'template');
      assert.match(template.payload.elements[0].image_url, /\/chat-files\/\d+\/card\.png\?ext=/);
      assert.equal(template.payload.elements[1].image_url, undefined);
      assert.ok(!JSON.stringify(echo).includes(images.base));

      // Compliance reads get the template's stored image as the message's image attachment.
      const auditor = await ts.integration(['read_all_messages'], { name: 'Template auditor' });
      const graph = await http('GET', `${ts.graph}/${r.json.message_id}?fields=attachments{id,name,mime_type,size,image_data,file_url}`, { token: auditor.access_token });
      assert.equal(graph.status, 200, graph.text);
      const listed = graph.json.attachments.data;
      assert.equal(listed.length, 1, 'one stored image (used twice), the failed ones absent');
      assert.deepEqual([listed[0].name, listed[0].mime_type, listed[0].size], ['card.png', 'image/png', images.png.length]);
      assert.match(listed[0].image_data.url, /\/chat-files\/\d+\/card\.png\?ext=/);
      assert.equal((await fetch(listed[0].file_url)).status, 200);
      const audits = await ts.ctx.db.selectFrom('audit_event').select(['action', 'new_value']).where('action', '=', 'chat.file_uploaded').execute();
      assert.ok(audits.some((a) => String(a.new_value).includes(images.url('card.png'))), "the source URL is kept in the file's audit event");
    });

    test('compliance: read_all_messages lists conversations and reads messages; others cannot', async () => {
      const auditor = await ts.integration(['read_all_messages', 'read_user_email'], { name: 'Auditor' });
      const list = await http('GET', `${ts.graph}/${pat.memberId}/conversations?fields=id,participants,message_count,messages.limit(2){message,from{id,email},to}`, { token: auditor.access_token });
      assert.equal(list.status, 200, list.text);
      assert.ok(list.json.data.length >= 2);
      const direct = list.json.data.find((t: any) => t.id === threadId);
      assert.ok(direct.message_count > 5);
      assert.equal(direct.messages.data.length, 2);
      const message = direct.messages.data[0];
      const one = await http('GET', `${ts.graph}/${message.id}?fields=message,from,to,created_time,tags`, { token: auditor.access_token });
      assert.equal(one.status, 200, one.text);
      assert.ok(one.json.created_time.endsWith('+0000'));
      const byEmail = await http('GET', `${ts.graph}/pat@example.com/conversations`, { token: auditor.access_token });
      assert.equal(byEmail.status, 200, byEmail.text);
      const denied = await http('GET', `${ts.graph}/${pat.memberId}/conversations`, { token: bot.access_token });
      assert.equal(denied.status, 403);
      assert.match(denied.json.error.message, /read_all_messages/);
    });
  });
}

function memberUpload(ts: TestServer, call: MemberSession, threadId: string, form: FormData) {
  return http('POST', `${ts.base}/api/threads/${threadId}/messages`, { body: form, headers: { cookie: call.cookie, 'x-csrf-token': call.csrf } });
}
