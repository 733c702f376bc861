import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  installWasmConvGradients,
  uninstallWasmConvGradients,
  wasmConvGradientsInstalled,
} from '../../../src/pipeline/train/wasm-conv-gradients.js';
import { assertClose, seededValues, silenceTfjsNodeHint } from './support/tensors.js';

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
}

/** Every convolution keras ResNet50 has, at small sizes, plus the general path's odd shapes. */
const RESNET50_CASES: ConvCase[] = [
  {
    name: 'conv1 7×7 stride 2 valid (after ZeroPadding 3)',
    x: [2, 22, 22, 3],
    filter: [7, 7, 3, 8],
    stride: 2,
    pad: 'valid',
  },
  { name: 'conv1 7×7 stride 2 valid, odd size', x: [2, 21, 21, 3], filter: [7, 7, 3, 8], stride: 2, pad: 'valid' },
  { name: '1×1 stride 1 expand (Cin < Cout)', x: [2, 6, 6, 8], filter: [1, 1, 8, 32], stride: 1, pad: 'valid' },
  { name: '1×1 stride 1 reduce (Cin > Cout)', x: [2, 6, 6, 32], filter: [1, 1, 32, 8], stride: 1, pad: 'valid' },
  { name: '1×1 stride 2 projection, even size', x: [2, 8, 8, 16], filter: [1, 1, 16, 32], stride: 2, pad: 'valid' },
  { name: '1×1 stride 2 reduce, odd size', x: [2, 9, 7, 32], filter: [1, 1, 32, 8], stride: 2, pad: 'valid' },
  { name: '3×3 stride 1 same', x: [2, 7, 7, 8], filter: [3, 3, 8, 16], stride: 1, pad: 'same' },
  { name: '3×3 stride 1 same, 1×1 spatial', x: [3, 1, 1, 8], filter: [3, 3, 8, 8], stride: 1, pad: 'same' },
];

const GENERAL_CASES: ConvCase[] = [
  { name: '3×3 stride 2 same', x: [2, 9, 8, 4], filter: [3, 3, 4, 6], stride: 2, pad: 'same' },
  { name: '3×3 stride 2 valid', x: [1, 10, 9, 4], filter: [3, 3, 4, 5], stride: 2, pad: 'valid' },
  { name: '5×4 strides [3, 2] valid', x: [2, 13, 11, 3], filter: [5, 4, 3, 4], stride: [3, 2], pad: 'valid' },
  { name: '3×3 stride 1 numeric padding 2', x: [1, 6, 6, 3], filter: [3, 3, 3, 4], stride: 1, pad: 2 },
  { name: '1×1 stride 2 same', x: [2, 7, 7, 4], filter: [1, 1, 4, 6], stride: 2, pad: 'same' },
  {
    name: '3×3 stride 2 explicit padding',
    x: [1, 8, 8, 3],
    filter: [3, 3, 3, 4],
    stride: 2,
    pad: [
      [0, 0],
      [2, 0],
      [1, 3],
      [0, 0],
    ],
  },
];

/** [dx, dW] of sum(conv2d(x, W) · dy) on the current backend, as plain arrays. */
function convGradients(c: ConvCase, seed: number, fused: boolean): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(seededValues(c.x, seed), c.x);
    const w = tf.tensor4d(seededValues(c.filter, seed + 1), c.filter);
    const bias = tf.tensor1d(seededValues([c.filter[3]], seed + 2));
    const conv = (a: tf.Tensor4D, b: tf.Tensor4D) =>
      fused
        ? tf.fused.conv2d({ x: a, filter: b, strides: c.stride, pad: c.pad, bias, activation: 'relu' })
        : tf.conv2d(a, b, c.stride, c.pad);
    const yShape = conv(x, w).shape;
    const dy = tf.tensor(seededValues(yShape, seed + 3), yShape);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), dy)),
    );
    return grads([x, w]).map((g) => g.dataSync() as Float32Array);
  });
}

async function onBackend<T>(name: string, run: () => T): Promise<T> {
  await tf.setBackend(name);
  return run();
}

describe('forward-conv gradient kernels on wasm', () => {
  before(async () => {
    silenceTfjsNodeHint();
    installWasmConvGradients();
    await tf.ready();
  });
  after(() => uninstallWasmConvGradients());

  for (const [index, c] of [...RESNET50_CASES, ...GENERAL_CASES].entries()) {
    it(`match the cpu backend: ${c.name}`, async () => {
      const expected = await onBackend('cpu', () => convGradients(c, 10 * index, false));
      const actual = await onBackend('wasm', () => convGradients(c, 10 * index, false));
      assertClose(actual[0]!, expected[0]!, 1e-3, 'dx');
      assertClose(actual[1]!, expected[1]!, 1e-3, 'dW');
    });
  }

  it('serve fused conv + bias + relu, the path tfjs-layers Conv2D takes', async () => {
    const c = RESNET50_CASES[4]!;
    const expected = await onBackend('cpu', () => convGradients(c, 99, true));
    const actual = await onBackend('wasm', () => convGradients(c, 99, true));
    assertClose(actual[0]!, expected[0]!, 1e-3, 'dx');
    assertClose(actual[1]!, expected[1]!, 1e-3, 'dW');
  });

  it('handle NCHW through the kernels directly', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(seededValues([2, 4, 9, 9], 5), [2, 4, 9, 9]);
        const w = tf.tensor4d(seededValues([3, 3, 4, 6], 6), [3, 3, 4, 6]);
        const dy = tf.tensor4d(seededValues([2, 6, 5, 5], 7), [2, 6, 5, 5]);
        const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW' } as const;
        const dx = tf
          .engine()
          .runKernel<tf.Tensor>(tf.Conv2DBackpropInput, { dy, filter: w }, { ...attrs, inputShape: x.shape });
        const dw = tf
          .engine()
          .runKernel<tf.Tensor>(tf.Conv2DBackpropFilter, { x, dy }, { ...attrs, filterShape: w.shape });
        return [dx.dataSync() as Float32Array, dw.dataSync() as Float32Array];
      });
    const expected = await onBackend('cpu', run);
    const actual = await onBackend('wasm', run);
    assertClose(actual[0]!, expected[0]!, 1e-3, 'dx');
    assertClose(actual[1]!, expected[1]!, 1e-3, 'dW');
  });

  it('free every intermediate buffer', async () => {
    await tf.setBackend('wasm');
    const c = RESNET50_CASES[5]!;
    convGradients(c, 1, false);
    const before = tf.backend().numDataIds();
    const tensorsBefore = tf.memory().numTensors;
    for (const k of [...RESNET50_CASES, ...GENERAL_CASES]) convGradients(k, 1, false);
    assert.equal(tf.backend().numDataIds(), before);
    assert.equal(tf.memory().numTensors, tensorsBefore);
  });

  it('install idempotently and uninstall back to tfjs-wasm, which has no filter gradient', async () => {
    await tf.setBackend('wasm');
    installWasmConvGradients();
    assert.ok(wasmConvGradientsInstalled());
    uninstallWasmConvGradients();
    assert.ok(!wasmConvGradientsInstalled());
    assert.equal(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm'), undefined);
    assert.ok(tf.getKernel(tf.Conv2DBackpropInput, 'wasm'), 'the original input-gradient kernel is back');
    assert.throws(() => convGradients(RESNET50_CASES[2]!, 1, false), /Conv2DBackpropFilter/);
    installWasmConvGradients();
    assert.ok(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm'));
  });
});
