import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  installWasmTrainingKernels,
  uninstallWasmTrainingKernels,
} from '../../../src/pipeline/train/wasm-training-kernels.js';
import { assertClose, seededValues, silenceTfjsNodeHint } from './support/tensors.js';

const SHAPE = [2, 3, 4, 5];

const CASES: Array<[string, () => tf.Tensor]> = [
  ['Sum over N,H,W (BatchNorm statistics)', () => tf.sum(tf.tensor(seededValues(SHAPE, 1), SHAPE), [0, 1, 2])],
  ['Sum over N,H,W, axes unordered and negative', () => tf.sum(tf.tensor(seededValues(SHAPE, 2), SHAPE), [2, -4, 1])],
  [
    'Mean over N,H,W keeping dims (tf.moments)',
    () => tf.mean(tf.tensor(seededValues(SHAPE, 3), SHAPE), [0, 1, 2], true),
  ],
  ['Mean over the first axis', () => tf.mean(tf.tensor(seededValues(SHAPE, 4), SHAPE), 0)],
  ['Sum over inner axes (falls back)', () => tf.sum(tf.tensor(seededValues(SHAPE, 5), SHAPE), [1, 2])],
  ['Sum of everything (falls back)', () => tf.sum(tf.tensor(seededValues(SHAPE, 6), SHAPE))],
  ['Sum of int32 (falls back)', () => tf.sum(tf.tensor([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), 0)],
  [
    'Tile of a channel vector to NHWC (BatchNorm gradient)',
    () => tf.tile(tf.tensor(seededValues([1, 1, 1, 5], 7), [1, 1, 1, 5]), [2, 3, 4, 1]),
  ],
  ['Tile repeating a whole block', () => tf.tile(tf.tensor(seededValues([1, 3, 2], 8), [1, 3, 2]), [5, 1, 1])],
  ['Tile along an inner axis (falls back)', () => tf.tile(tf.tensor(seededValues([3, 2], 9), [3, 2]), [2, 3])],
  ['Identity (clone)', () => tf.clone(tf.tensor(seededValues(SHAPE, 10), SHAPE))],
];

async function valuesOn(
  backend: string,
  make: () => tf.Tensor,
): Promise<{ shape: number[]; values: Float32Array | Int32Array }> {
  await tf.setBackend(backend);
  const t = tf.tidy(make);
  const out = { shape: t.shape, values: (await t.data()) as Float32Array | Int32Array };
  t.dispose();
  return out;
}

describe('wasm training kernels: Identity, leading-axis Sum and Mean, Tile', () => {
  before(() => {
    silenceTfjsNodeHint();
    installWasmTrainingKernels();
  });
  after(() => uninstallWasmTrainingKernels());

  for (const [name, make] of CASES) {
    it(`match the cpu backend: ${name}`, async () => {
      const expected = await valuesOn('cpu', make);
      const actual = await valuesOn('wasm', make);
      assert.deepEqual(actual.shape, expected.shape);
      assertClose(actual.values, expected.values, 1e-6, name);
    });
  }

  it('share the buffer in Identity, and free it with the last reference', async () => {
    await tf.setBackend('wasm');
    const before = tf.backend().numDataIds();
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    assert.equal(tf.backend().numDataIds(), before + 1, 'one buffer for both');
    x.dispose();
    assert.deepEqual(Array.from(await y.data()), [1, 2, 3]);
    y.dispose();
    assert.equal(tf.backend().numDataIds(), before);
  });

  it('free what they allocate', async () => {
    await tf.setBackend('wasm');
    const before = tf.backend().numDataIds();
    for (const [, make] of CASES) tf.tidy(make).dispose();
    assert.equal(tf.backend().numDataIds(), before);
  });
});
