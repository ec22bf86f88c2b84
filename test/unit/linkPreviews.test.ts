import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostMatches, normalizeDomain, sharedUrls } from '../../src/domain/linkPreviews.js';
import { readPreviewAnswer } from '../../src/linkPreviews/response.js';

test('sharedUrls: http(s) URLs in order, once each, without trailing punctuation or an unopened bracket', () => {
  assert.deepEqual(sharedUrls(['See https://a.example.com/x.', null, 'and (https://b.example.com/y) or [doc](https://c.example.com/z?q=1)!', 'https://a.example.com/x']), [
    'https://a.example.com/x',
    'https://b.example.com/y',
    'https://c.example.com/z?q=1',
  ]);
  assert.deepEqual(sharedUrls(['https://wiki.example.com/Page_(disambiguation) ftp://no.example.com javascript:alert(1)']), ['https://wiki.example.com/Page_(disambiguation)']);
  assert.deepEqual(sharedUrls(['no links here', undefined]), []);
});

test('domains: normalized, checked, and matching their subdomains only', () => {
  assert.equal(normalizeDomain(' Docs.Example.COM. '), 'docs.example.com');
  assert.equal(normalizeDomain('*.example.com'), 'example.com');
  for (const bad of ['localhost', 'exa mple.com', 'https://example.com', '-bad.example.com', '']) assert.throws(() => normalizeDomain(bad), /not a domain name/, bad);
  assert.equal(hostMatches('eu.docs.example.com', 'docs.example.com'), true);
  assert.equal(hostMatches('DOCS.example.com.', 'docs.example.com'), true);
  assert.equal(hostMatches('notdocs.example.com', 'docs.example.com'), false);
  assert.equal(hostMatches('docs.example.com.evil.net', 'docs.example.com'), false);
});

test('readPreviewAnswer: the documented data[] shape, a bare entry, declines and failures', () => {
  const url = 'https://docs.example.com/a';
  const ready = readPreviewAnswer(200, JSON.stringify({ data: [{ link: 'https://docs.example.com/other', title: 'Other' }, { link: url, title: '  Leave\npolicy ', description: 'x'.repeat(3000), icon: 'javascript:alert(1)', image: { url: 'https://cdn.example.com/i.png' }, fields: [{ title: 'Owner', value: 'HR' }, { title: 'empty' }] }] }), url);
  assert.equal(ready.state, 'ready');
  assert.equal(ready.title, 'Leave policy');
  assert.equal(ready.description!.length, 2000);
  assert.equal(ready.icon_url, null, 'only http(s) URLs are kept');
  assert.equal(ready.image_url, 'https://cdn.example.com/i.png');
  assert.deepEqual(JSON.parse(ready.fields!), [{ title: 'Owner', value: 'HR' }]);
  assert.equal(readPreviewAnswer(200, JSON.stringify({ title: 'Bare' }), url).title, 'Bare');
  assert.equal(readPreviewAnswer(200, JSON.stringify({ data: [] }), url).state, 'declined');
  assert.equal(readPreviewAnswer(200, JSON.stringify({ data: [{ title: 'Secret', privacy: 'INACCESSIBLE' }] }), url).state, 'declined');
  assert.equal(readPreviewAnswer(200, JSON.stringify({ data: [{ description: 'no title' }] }), url).state, 'declined');
  assert.match(readPreviewAnswer(200, 'not json', url).error!, /without JSON/);
  assert.match(readPreviewAnswer(404, '{}', url).error!, /HTTP 404/);
  assert.match(readPreviewAnswer(200, '[1]', url).error!, /not a JSON object/);
  assert.match(readPreviewAnswer(200, JSON.stringify({ data: 'x' }), url).error!, /data must be a list/);
});
