import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { signatureHeaders, verificationChallenge, verifySignature } from '../src/index.ts';

const SECRET = 'app-secret-123';
const BODY = '{"object":"group","entry":[{"id":"1","time":1700000000,"changes":[{"field":"posts","value":{"message":"caf\\u00e9"}}]}]}';
const sha1 = (secret: string, body: string | Buffer) => `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
const flipLast = (signature: string) => signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
const sha256 = (secret: string, body: string | Buffer) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('verifySignature', () => {
  test('accepts a correct X-Hub-Signature-256 (string or Buffer body)', () => {
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: BODY, signature256Header: sha256(SECRET, BODY) }), true);
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: Buffer.from(BODY), signature256Header: sha256(SECRET, BODY) }), true);
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: new TextEncoder().encode(BODY), signature256Header: sha256(SECRET, BODY) }), true);
  });

  test('accepts a correct X-Hub-Signature (sha1) alone', () => {
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: BODY, signatureHeader: sha1(SECRET, BODY) }), true);
  });

  test('accepts both headers together, and uppercase hex', () => {
    const input = { appSecret: SECRET, rawBody: BODY, signatureHeader: sha1(SECRET, BODY), signature256Header: sha256(SECRET, BODY).toUpperCase().replace('SHA256=', 'sha256=') };
    assert.equal(verifySignature(input), true);
  });

  test('rejects a tampered body, a wrong secret, missing and malformed signatures', () => {
    const good = sha256(SECRET, BODY);
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: `${BODY} `, signature256Header: good }), false);
    assert.equal(verifySignature({ appSecret: 'other', rawBody: BODY, signature256Header: good }), false);
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: BODY }), false);
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: BODY, signature256Header: '' }), false);
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: BODY, signature256Header: good.slice(0, -2) }), false);
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: BODY, signature256Header: good.replace('sha256=', '') }), false);
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: BODY, signature256Header: good.replace('sha256=', 'md5=') }), false);
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: BODY, signature256Header: `sha256=${'zz'.repeat(32)}` }), false);
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: BODY, signatureHeader: flipLast(sha1(SECRET, BODY)) }), false);
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: BODY, signature256Header: flipLast(good) }), false);
  });

  test('prefers sha256: a wrong sha256 is not rescued by a correct sha1', () => {
    assert.equal(
      verifySignature({ appSecret: SECRET, rawBody: BODY, signatureHeader: sha1(SECRET, BODY), signature256Header: sha256('wrong', BODY) }),
      false,
    );
  });

  test('a list of secrets covers a rotation overlap', () => {
    assert.equal(verifySignature({ appSecret: ['new-secret', SECRET], rawBody: BODY, signature256Header: sha256(SECRET, BODY) }), true);
    assert.equal(verifySignature({ appSecret: ['new-secret', SECRET], rawBody: BODY, signature256Header: sha256('new-secret', BODY) }), true);
    assert.equal(verifySignature({ appSecret: ['a', 'b'], rawBody: BODY, signature256Header: sha256(SECRET, BODY) }), false);
  });

  test('a header carrying several comma-separated signatures matches if any does', () => {
    const header = `${sha256('old', BODY)}, ${sha256(SECRET, BODY)}`;
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: BODY, signature256Header: header }), true);
    assert.equal(verifySignature({ appSecret: 'nope', rawBody: BODY, signature256Header: header }), false);
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: BODY, signatureHeader: `${sha1('old', BODY)},${sha1(SECRET, BODY)}` }), true);
  });

  test('reads the headers from node:http or fetch header objects', () => {
    const nodeHeaders = { 'x-hub-signature': sha1(SECRET, BODY), 'x-hub-signature-256': sha256(SECRET, BODY) };
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: BODY, headers: nodeHeaders }), true);
    const fetchHeaders = new Headers(signatureHeaders(SECRET, BODY));
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: BODY, headers: fetchHeaders }), true);
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: 'other', headers: fetchHeaders }), false);
    assert.equal(verifySignature({ appSecret: SECRET, rawBody: BODY, headers: { 'X-Hub-Signature': sha1(SECRET, BODY) } }), true);
  });

  test('an empty secret is a configuration error', () => {
    assert.throws(() => verifySignature({ appSecret: '', rawBody: BODY, signature256Header: sha256('', BODY) }), TypeError);
    assert.throws(() => verifySignature({ appSecret: [], rawBody: BODY }), TypeError);
  });

  test('signatureHeaders produces both headers Workplace sends', () => {
    assert.deepEqual(signatureHeaders(SECRET, BODY), { 'X-Hub-Signature': sha1(SECRET, BODY), 'X-Hub-Signature-256': sha256(SECRET, BODY) });
  });
});

describe('verificationChallenge', () => {
  test('returns hub.challenge when mode is subscribe and the token matches', () => {
    assert.equal(verificationChallenge({ 'hub.mode': 'subscribe', 'hub.verify_token': 'vt', 'hub.challenge': '1158201444' }, 'vt'), '1158201444');
    assert.equal(verificationChallenge(new URLSearchParams('hub.mode=subscribe&hub.verify_token=vt&hub.challenge=abc'), 'vt'), 'abc');
    assert.equal(verificationChallenge('/webhook?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=x%20y', 'vt'), 'x y');
    assert.equal(verificationChallenge('hub.mode=subscribe&hub.verify_token=vt&hub.challenge=c', 'vt'), 'c');
    assert.equal(verificationChallenge({ hub_mode: 'subscribe', hub_verify_token: 'vt', hub_challenge: 'php' }, 'vt'), 'php');
    assert.equal(verificationChallenge({ hub: { mode: 'subscribe', verify_token: 'vt', challenge: 'nested' } }, 'vt'), 'nested');
    assert.equal(verificationChallenge({ 'hub.mode': ['subscribe'], 'hub.verify_token': ['vt'], 'hub.challenge': ['arr'] }, ['old', 'vt']), 'arr');
  });

  test('returns null on a wrong token, a wrong mode or a missing challenge', () => {
    assert.equal(verificationChallenge({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': 'c' }, 'vt'), null);
    assert.equal(verificationChallenge({ 'hub.mode': 'unsubscribe', 'hub.verify_token': 'vt', 'hub.challenge': 'c' }, 'vt'), null);
    assert.equal(verificationChallenge({ 'hub.mode': 'subscribe', 'hub.verify_token': 'vt' }, 'vt'), null);
    assert.equal(verificationChallenge({ 'hub.mode': 'subscribe', 'hub.challenge': 'c' }, 'vt'), null);
    assert.equal(verificationChallenge('', 'vt'), null);
  });
});
