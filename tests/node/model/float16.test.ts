import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFloat16, encodeFloat16, float16Bits } from '../../../src/pipeline/export/float16.js';

const isFinite16 = (bits: number) => (bits & 0x7c00) !== 0x7c00;

test('decodes known binary16 values exactly', () => {
  const decoded = decodeFloat16(
    Uint16Array.of(0x0000, 0x8000, 0x3c00, 0xc000, 0x0001, 0x03ff, 0x0400, 0x7bff, 0x7c00, 0xfc00, 0x3555),
  );
  assert.deepEqual(Array.from(decoded), [
    0,
    -0,
    1,
    -2,
    2 ** -24,
    1023 * 2 ** -24,
    2 ** -14,
    65504,
    Infinity,
    -Infinity,
    0.333251953125,
  ]);
  assert.ok(Number.isNaN(decodeFloat16(Uint16Array.of(0x7e00))[0]));
});

test('every finite binary16 value survives decode → encode unchanged', () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i).filter(isFinite16);
  assert.deepEqual(encodeFloat16(decodeFloat16(all)), all);
});

test('rounds to nearest, ties to even, across subnormal and normal ranges', () => {
  const table = decodeFloat16(Uint16Array.from({ length: 0x7c00 }, (_, i) => i));
  for (let bits = 0; bits < 0x7bff; bits++) {
    const low = table[bits]!;
    const high = table[bits + 1]!;
    const mid = (low + high) / 2; // one bit more than binary16 holds: exact in float32
    const even = bits % 2 === 0 ? bits : bits + 1;
    assert.equal(float16Bits(mid), even, `tie between 0x${bits.toString(16)} and the next`);
    assert.equal(float16Bits(-mid), 0x8000 | even);
    const f32Step = Math.abs(mid) * 2 ** -23;
    assert.equal(float16Bits(mid - f32Step), bits);
    assert.equal(float16Bits(mid + f32Step), bits + 1);
  }
});

test('flushes below half the smallest subnormal to signed zero', () => {
  assert.equal(float16Bits(2 ** -25), 0); // tie with 0: even
  assert.equal(float16Bits(2 ** -25 * 1.0001), 1);
  assert.equal(float16Bits(1e-10), 0);
  assert.equal(float16Bits(-1e-10), 0x8000);
});

test('refuses finite values beyond the binary16 range, keeps infinities and NaN', () => {
  assert.equal(float16Bits(65504), 0x7bff);
  assert.equal(float16Bits(65519), 0x7bff);
  assert.throws(() => float16Bits(65520), /overflows float16/);
  assert.throws(() => encodeFloat16(Float32Array.of(1, -1e6)), /overflows float16/);
  assert.equal(float16Bits(Infinity), 0x7c00);
  assert.equal(float16Bits(-Infinity), 0xfc00);
  assert.ok(!isFinite16(float16Bits(NaN)) && (float16Bits(NaN) & 0x3ff) !== 0);
});
