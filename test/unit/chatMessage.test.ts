import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkSendMessage } from '../../src/chat/message.js';

// What Workplace's and Messenger's clients put in a message is accepted; what is stored (and
// later sent) is normalised to the documented shape.

describe('Send API message content', () => {
  test('quick replies accept location (and the content types in any case)', () => {
    const m = checkSendMessage({ text: 'Where are you?', quick_replies: [{ content_type: 'location' }, { content_type: 'TEXT', title: 'Office', payload: 'OFFICE' }, { content_type: 'user_email' }] });
    assert.deepEqual(m.quickReplies, [{ content_type: 'location' }, { content_type: 'text', title: 'Office', payload: 'OFFICE' }, { content_type: 'user_email' }]);
    assert.throws(() => checkSendMessage({ text: 'x', quick_replies: [{ content_type: 'sticker' }] }), /location/);
  });

  test('button templates take the button options clients send, normalised; unknown values are still refused', () => {
    const m = checkSendMessage({
      attachment: {
        type: 'template',
        payload: {
          template_type: 'button',
          text: 'Open the ticket',
          buttons: [
            { type: 'WEB_URL', url: 'https://tickets.example.com/1', title: 'Open', webview_height_ratio: 'TALL', messenger_extensions: 'true', fallback_url: 'https://tickets.example.com/f', webview_share_button: 'hide' },
            { type: 'postback', title: 'Close', payload: 42 },
            { type: 'phone_number', title: 'Call', payload: '+1 (650) 555-0100' },
          ],
        },
      },
    });
    const payload = m.attachments[0].payload as { buttons: unknown[] };
    assert.deepEqual(payload.buttons, [
      { type: 'web_url', url: 'https://tickets.example.com/1', title: 'Open', webview_height_ratio: 'tall', messenger_extensions: true, fallback_url: 'https://tickets.example.com/f', webview_share_button: 'hide' },
      { type: 'postback', title: 'Close', payload: '42' },
      { type: 'phone_number', title: 'Call', payload: '+1 (650) 555-0100' },
    ]);
    const button = (b: Record<string, unknown>) => () => checkSendMessage({ attachment: { type: 'template', payload: { template_type: 'button', text: 't', buttons: [b] } } });
    assert.throws(button({ type: 'web_url', url: 'https://x.example', title: 'x', webview_height_ratio: 'huge' }), /compact, tall or full/);
    assert.throws(button({ type: 'web_url', url: 'https://x.example', title: 'x', fallback_url: 'javascript:alert(1)' }), /fallback_url/);
    assert.throws(button({ type: 'phone_number', title: 'Call', payload: '555-0100' }), /phone number/);
    assert.throws(button({ type: 'game_play', title: 'Play' }), /web_url, postback or phone_number/);
  });
});
