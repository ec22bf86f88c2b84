import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../src/errors.js';
import { graphTime, parseGraphTime } from '../../src/graph/time.js';

const now = Date.UTC(2026, 10, 28, 12, 0, 0);

test('since/until in every format clients send', () => {
  assert.equal(parseGraphTime('1577836800', now), Date.UTC(2020, 0, 1));
  assert.equal(parseGraphTime('1577836800000', now), Date.UTC(2020, 0, 1));
  assert.equal(parseGraphTime('2020-01-01', now), Date.UTC(2020, 0, 1));
  assert.equal(parseGraphTime('2020-01-01T10:30:00Z', now), Date.UTC(2020, 0, 1, 10, 30));
  assert.equal(parseGraphTime('2020-01-01T10:30:00+0200', now), Date.UTC(2020, 0, 1, 8, 30));
  assert.equal(parseGraphTime('2020-01-01T10:30:00-05:30', now), Date.UTC(2020, 0, 1, 16, 0));
  assert.equal(parseGraphTime('31-12-2019', now), Date.UTC(2019, 11, 31));
  assert.equal(parseGraphTime('2020-01-01 10:30:15.123456', now), Date.UTC(2020, 0, 1, 10, 30, 15, 123));
  assert.equal(parseGraphTime('now', now), now);
  assert.equal(parseGraphTime('yesterday', now), Date.UTC(2026, 10, 27));
  assert.equal(parseGraphTime('-2 days', now), now - 2 * 86_400_000);
  assert.equal(parseGraphTime('3 hours ago', now), now - 3 * 3_600_000);
});

test('nonsense dates are error 100', () => {
  for (const bad of ['soon', '2020-13-45T99:99', 'tomorrowish', '--', '12/31/2019']) {
    assert.throws(() => parseGraphTime(bad, now), (e: unknown) => e instanceof AppError && e.kind === 'invalid_parameter', bad);
  }
});

test('graph datetime format', () => {
  assert.equal(graphTime(Date.UTC(2026, 10, 28, 9, 30)), '2026-11-28T09:30:00+0000');
  assert.equal(graphTime(null), undefined);
});
