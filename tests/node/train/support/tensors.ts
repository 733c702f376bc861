import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

/** Deterministic values in [-1, 1) for a shape (a small LCG: tests must not depend on Math.random). */
export function seededValues(shape: readonly number[], seed: number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  let state = (seed * 2654435761 + 12345) >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

/** max |actual − expected| ≤ tolerance · max |expected| (relative to the largest value, not per element). */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  label = 'values',
): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  assert.ok(scale > 0, `${label}: expected values are all zero, the comparison would prove nothing`);
  assert.ok(worst <= tolerance * scale, `${label}: max error ${worst} > ${tolerance} × ${scale}`);
}

/** tfjs-backend-cpu prints a "use tfjs-node" banner on first use; prod mode keeps test output clean. */
export function silenceTfjsNodeHint(): void {
  tf.enableProdMode();
}
