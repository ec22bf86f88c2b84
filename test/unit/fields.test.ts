import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../src/errors.js';
import { parseFields } from '../../src/graph/fields.js';

const shape = (input: string) =>
  JSON.parse(JSON.stringify(parseFields(input), (k, v) => (k === 'children' && v === undefined ? undefined : v)));

test('plain fields', () => {
  assert.deepEqual(parseFields('id,name').map((f) => f.name), ['id', 'name']);
  assert.deepEqual(parseFields(''), []);
  assert.deepEqual(parseFields(' id , name ').map((f) => f.key), ['id', 'name']);
});

test('nested selections three levels deep', () => {
  const [comments] = parseFields('comments{from{email},comments{message}}');
  assert.equal(comments.name, 'comments');
  assert.deepEqual(comments.children!.map((c) => c.name), ['from', 'comments']);
  assert.deepEqual(comments.children![0].children!.map((c) => c.name), ['email']);
  assert.deepEqual(comments.children![1].children!.map((c) => c.name), ['message']);
});

test('modifiers before and after braces, and aliases', () => {
  assert.deepEqual(shape('feed.limit(5).summary(true){message}'), [
    { name: 'feed', key: 'feed', modifiers: { limit: '5', summary: 'true' }, children: [{ name: 'message', key: 'message', modifiers: {} }] },
  ]);
  const [love] = parseFields('reactions.type(LOVE).limit(0).summary(total_count).as(reactions_love)');
  assert.equal(love.key, 'reactions_love');
  assert.deepEqual(love.modifiers, { type: 'LOVE', limit: '0', summary: 'total_count', as: 'reactions_love' });
  const [after] = parseFields('comments{message}.limit(2)');
  assert.equal(after.modifiers.limit, '2');
  assert.deepEqual(after.children!.map((c) => c.name), ['message']);
  const [nested] = parseFields('messages.source(PARTICIPANTS).filter(stream(x))');
  assert.equal(nested.modifiers.filter, 'stream(x)');
});

const malformed = [
  'id,comments{message',
  'id,',
  ',id',
  'id,,name',
  'comments{}',
  'feed.limit(5',
  'feed.limit',
  'feed.(5)',
  'a{b}{c}',
  'a b',
  'id}',
  'id;drop table',
  'x.as(bad alias)',
  '{id}',
  'a'.repeat(10) + '{'.repeat(20) + 'b' + '}'.repeat(20),
];

for (const input of malformed) {
  test(`malformed fields are error 100: ${JSON.stringify(input.slice(0, 40))}`, () => {
    assert.throws(
      () => parseFields(input),
      (e: unknown) => e instanceof AppError && e.kind === 'invalid_parameter' && /Syntax error in fields/.test(e.message),
    );
  });
}

test('deep nesting beyond the limit is refused, not a stack overflow', () => {
  const deep = 'a{'.repeat(5000) + 'b' + '}'.repeat(5000);
  assert.throws(() => parseFields(deep), (e: unknown) => e instanceof AppError && e.kind === 'invalid_parameter');
});

test('too many fields are refused', () => {
  const many = Array.from({ length: 600 }, (_, i) => `f${i}`).join(',');
  assert.throws(() => parseFields(many), (e: unknown) => e instanceof AppError && e.kind === 'invalid_parameter');
});
