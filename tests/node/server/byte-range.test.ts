import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseByteRange } from '../../../src/server/byte-range.js';

test('single ranges resolve against the size, clamping the end', () => {
  assert.deepEqual(parseByteRange('bytes=0-0', 10), { kind: 'partial', start: 0, end: 0 });
  assert.deepEqual(parseByteRange('bytes=2-', 10), { kind: 'partial', start: 2, end: 9 });
  assert.deepEqual(parseByteRange('bytes=-3', 10), { kind: 'partial', start: 7, end: 9 });
  assert.deepEqual(parseByteRange('bytes=-30', 10), { kind: 'partial', start: 0, end: 9 });
  assert.deepEqual(parseByteRange('bytes=5-500', 10), { kind: 'partial', start: 5, end: 9 });
  assert.deepEqual(parseByteRange('Bytes = 1-2 ', 10), { kind: 'partial', start: 1, end: 2 });
});

test('ranges that start past the end, empty suffixes and any range of an empty file are unsatisfiable', () => {
  for (const [header, size] of [
    ['bytes=10-', 10],
    ['bytes=10-20', 10],
    ['bytes=-0', 10],
    ['bytes=0-', 0],
    ['bytes=-5', 0],
  ] as const) {
    assert.deepEqual(parseByteRange(header, size), { kind: 'unsatisfiable' }, `${header} of ${size}`);
  }
});

test('what cannot be honoured simply is ignored: whole body', () => {
  for (const header of [
    'bytes=0-1,3-4',
    'lines=0-1',
    'bytes=5-2',
    'bytes=',
    'bytes=-',
    'bytes=a-b',
    'bytes=1-2-3',
    '0-1',
  ]) {
    assert.deepEqual(parseByteRange(header, 10), { kind: 'whole' }, header);
  }
});

test('positions beyond Number.MAX_SAFE_INTEGER: a huge last-pos or suffix clamps, a huge first-pos is unsatisfiable', () => {
  const huge = '99999999999999999999';
  assert.deepEqual(parseByteRange(`bytes=0-${huge}`, 10), { kind: 'partial', start: 0, end: 9 });
  assert.deepEqual(parseByteRange(`bytes=3-${huge}`, 10), { kind: 'partial', start: 3, end: 9 });
  assert.deepEqual(parseByteRange(`bytes=-${huge}`, 10), { kind: 'partial', start: 0, end: 9 });
  assert.deepEqual(parseByteRange(`bytes=0-${'9'.repeat(4000)}`, 10), { kind: 'partial', start: 0, end: 9 });
  assert.deepEqual(parseByteRange(`bytes=000000000000000000000004-5`, 10), { kind: 'partial', start: 4, end: 5 });
  for (const header of [
    `bytes=${huge}-`,
    `bytes=${huge}-${huge}`,
    'bytes=9007199254740992-',
    `bytes=${'9'.repeat(4000)}-`,
  ]) {
    assert.deepEqual(parseByteRange(header, 10), { kind: 'unsatisfiable' }, header);
  }
  // Both round to 2^53 as doubles; exactly, the last is before the first, so the range is invalid.
  assert.deepEqual(parseByteRange('bytes=9007199254740993-9007199254740992', 10), { kind: 'whole' });
  assert.deepEqual(parseByteRange(`bytes=${huge}1-${huge}`, 10), { kind: 'whole' });
});
