import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { saveCanonicalModel } from '../../../src/pipeline/export/canonical-store.js';
import { readTfjsModel, type LayersModelData } from '../../../src/pipeline/export/tfjs-files.js';
import { saveLayersModel } from '../../../src/pipeline/export/tfjs-model-io.js';
import { randomizeBatchNormStatistics } from '../../../src/pipeline/model/random-batchnorm.js';
import { buildResNet50Classifier } from '../../../src/pipeline/model/resnet50-classifier.js';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from '../../../src/pipeline/onnx/keras-to-onnx.js';
import { decodeModel } from '../../../src/pipeline/onnx/onnx-proto.js';
import { ONNX_GRAD_CAM_OUTPUT } from '../../../src/shared/model-contract.js';
import { tfjsGradCam } from '../../../workers/models/grad-cam.js';
import { cli } from '../pipeline/support/cli.js';
import { argmaxRows, maxAbsDiff, tempDir, TINY_STORE, toNormalizedNchw } from './fixtures.js';

/*
 * Both variants' Grad-CAM (the converter's in-graph one, and the TF.js runner's closed form in
 * workers/models/grad-cam.ts, here on tfjs-backend-wasm as in the app) against TF.js autodiff on the
 * Keras model itself: the gradient of the chosen class's score (the same model with a linear output
 * layer) with respect to the last convolutional block's activation, through the pooling and the head.
 */

before(async () => {
  await tf.setBackend('wasm');
});

interface OnnxRun {
  probabilities: Float32Array;
  cam?: { values: Float32Array; dims: readonly number[] };
}

async function runOnnx(bytes: Uint8Array, nchw: Float32Array, batch: number, size: number): Promise<OnnxRun> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const result = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', nchw, [batch, 3, size, size]) });
    const cam = result[ONNX_GRAD_CAM_OUTPUT];
    return {
      probabilities: result[ONNX_OUTPUT]!.data as Float32Array,
      ...(cam ? { cam: { values: cam.data as Float32Array, dims: cam.dims } } : {}),
    };
  } finally {
    await session.release();
  }
}

/** The stored model in TF.js; with `scoresOf`, that output layer's softmax removed: its outputs are the class scores. */
async function loadModel(data: LayersModelData, scoresOf?: string): Promise<tf.LayersModel> {
  const topology = structuredClone(data.modelTopology) as { config: { layers: Array<Record<string, unknown>> } };
  const layer = topology.config.layers.find((l) => l['name'] === scoresOf);
  if (layer) (layer['config'] as Record<string, unknown>)['activation'] = 'linear';
  const weightSpecs = data.weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' as const }));
  const weightData = new Float32Array(data.weights.reduce((n, w) => n + w.values.length, 0));
  let offset = 0;
  for (const w of data.weights) {
    weightData.set(w.values, offset);
    offset += w.values.length;
  }
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs, weightData: weightData.buffer }));
}

/**
 * Grad-CAM by autodiff, scaled to 0–1 per image: α_k = Σ_hw ∂score_c/∂A_khw, map = ReLU(Σ_k α_k·A_k),
 * [N, H, W] row-major. A is the input of the model's GlobalAveragePooling2D layer.
 */
function autodiffGradCam(model: tf.LayersModel, pixels: tf.Tensor4D, classes: number[]): Float32Array {
  const pooling = model.layers.find((l) => l.getClassName() === 'GlobalAveragePooling2D')!;
  const blockOutput = pooling.input as tf.SymbolicTensor;
  const head = model.layers.slice(model.layers.indexOf(pooling));
  return tf.tidy(() => {
    const activation = model.execute(pixels, blockOutput.name) as tf.Tensor4D;
    const score = (a: tf.Tensor) => {
      const scores = head.reduce((x, layer) => layer.apply(x) as tf.Tensor, a);
      return tf.sum(tf.mul(scores, tf.oneHot(classes, scores.shape[1]!)));
    };
    const gradient = tf.grad(score)(activation);
    const alpha = tf.sum(gradient, [1, 2], true);
    const cam = tf.relu(tf.sum(tf.mul(activation, alpha), 3));
    return tf.div(cam, tf.max(cam, [1, 2], true)).dataSync() as Float32Array;
  });
}

/** Each image's map divided by its maximum. */
function scaled(cam: Float32Array, batch: number): Float32Array {
  const out = new Float32Array(cam.length);
  const plane = cam.length / batch;
  for (let n = 0; n < batch; n++) {
    const row = cam.subarray(n * plane, (n + 1) * plane);
    const max = Math.max(...row);
    assert.ok(max > 0, `image ${n}: no positive cell to scale by`);
    row.forEach((v, i) => (out[n * plane + i] = v / max));
  }
  return out;
}

function randomPixels(batch: number, size: number, seed: number): tf.Tensor4D {
  return tf.randomUniform<tf.Rank.R4>([batch, size, size, 3], 0, 255, 'float32', seed);
}

/** NHWC → NCHW as is, for a model without the ImageNet normalisation layer (its ONNX input is the same). */
function toNchw(nhwc: Float32Array, batch: number, size: number): Float32Array {
  return tf.tidy(
    () => tf.transpose(tf.tensor4d(nhwc, [batch, size, size, 3]), [0, 3, 1, 2]).dataSync() as Float32Array,
  );
}

async function checkAgainstAutodiff(
  data: LayersModelData,
  pixels: tf.Tensor4D,
  { outputLayer, normalized }: { outputLayer: string; normalized: boolean },
) {
  const [batch, size] = pixels.shape;
  const nhwc = pixels.dataSync() as Float32Array;
  const nchw = normalized ? toNormalizedNchw(nhwc, batch, size) : toNchw(nhwc, batch, size);
  const withMap = await runOnnx(exportOnnx(data, { weights: 'fp32', gradCam: true }), nchw, batch, size);
  const plain = await runOnnx(exportOnnx(data, { weights: 'fp32' }), nchw, batch, size);
  const classes = argmaxRows(withMap.probabilities, 5);
  const scores = await loadModel(data, outputLayer);
  const reference = autodiffGradCam(scores, pixels, classes);
  scores.dispose();
  const model = await loadModel(data);
  const gradCam = tfjsGradCam(model);
  const tfjs = tf.tidy(() => {
    const [features] = model.execute(pixels, gradCam.fetches) as tf.Tensor[];
    return gradCam.map(features as tf.Tensor4D, classes).dataSync() as Float32Array;
  });
  model.dispose();
  pixels.dispose();
  return { withMap, plain, classes, reference, tfjs: scaled(tfjs, batch) };
}

let tiny: LayersModelData;
before(async () => {
  tiny = await readTfjsModel(TINY_STORE);
});

test('tiny model: both variants Grad-CAM equal autodiff for each image top class; ONNX probabilities unchanged by the map', async () => {
  const batch = 3;
  const { withMap, plain, reference, tfjs } = await checkAgainstAutodiff(tiny, randomPixels(batch, 300, 31), {
    outputLayer: 'predictions',
    normalized: true,
  });
  assert.deepEqual(withMap.probabilities, plain.probabilities);
  assert.deepEqual(withMap.cam!.dims, [batch, 75, 75]);
  const actual = scaled(withMap.cam!.values, batch);
  assert.ok(reference.every((v) => Number.isFinite(v)));
  assert.ok(maxAbsDiff(actual, reference) < 1e-4, `max |Δ| ${maxAbsDiff(actual, reference)}`);
  assert.ok(maxAbsDiff(tfjs, reference) < 1e-4, `TF.js: max |Δ| ${maxAbsDiff(tfjs, reference)}`);
  // The map has structure to compare: neither empty nor flat.
  const positive = reference.filter((v) => v > 0).length;
  assert.ok(positive > 0.05 * reference.length && positive < reference.length, `${positive} positive cells`);
});

test('tiny model: the fp16 form gives the fp32 form map exactly', async () => {
  const pixels = tf.randomUniform([2, 300, 300, 3], 0, 255, 'float32', 5);
  const nchw = toNormalizedNchw(pixels.dataSync() as Float32Array, 2, 300);
  pixels.dispose();
  const fp32 = await runOnnx(exportOnnx(tiny, { weights: 'fp32', gradCam: true }), nchw, 2, 300);
  const fp16 = await runOnnx(exportOnnx(tiny, { weights: 'fp16', gradCam: true }), nchw, 2, 300);
  assert.deepEqual(fp16.cam!.values, fp32.cam!.values);
});

test('ResNet50 head (four hidden Dense layers) at 128 px: both variants Grad-CAM equal autodiff', async () => {
  const model = buildResNet50Classifier({ seed: 3, inputSize: 128 });
  randomizeBatchNormStatistics(model, 3);
  const dir = await tempDir('r50-cam');
  await saveCanonicalModel(model, dir, { id: 'r50', version: '0', name: 'test', trainingData: 'none', demo: true });
  model.dispose();
  const stored = await readTfjsModel(dir);
  const { withMap, plain, reference, tfjs } = await checkAgainstAutodiff(stored, randomPixels(2, 128, 9), {
    outputLayer: 'predictions',
    normalized: true,
  });
  assert.deepEqual(withMap.probabilities, plain.probabilities);
  assert.deepEqual(withMap.cam!.dims, [2, 4, 4]);
  const actual = scaled(withMap.cam!.values, 2);
  assert.ok(maxAbsDiff(actual, reference) < 1e-3, `max |Δ| ${maxAbsDiff(actual, reference)}`);
  assert.ok(maxAbsDiff(tfjs, reference) < 1e-3, `TF.js: max |Δ| ${maxAbsDiff(tfjs, reference)}`);
});

test('the graph: probabilities stay the first output, the map is the second; no map unless asked', () => {
  const outputs = (options: { gradCam?: boolean }) =>
    decodeModel(exportOnnx(tiny, { weights: 'fp16', ...options })).graph.output.map((o) => o.name);
  assert.deepEqual(outputs({ gradCam: true }), [ONNX_OUTPUT, ONNX_GRAD_CAM_OUTPUT]);
  assert.deepEqual(outputs({}), [ONNX_OUTPUT]);
});

test('export onnx writes one ONNX form of a store, with the map or without', async () => {
  const dir = await tempDir('export-onnx');
  const outputs = async (file: string, ...flags: string[]) => {
    const { code, out } = await cli('export.ts', ['onnx', TINY_STORE, join(dir, file), ...flags]);
    assert.equal(code, 0, out);
    return decodeModel(await readFile(join(dir, file))).graph.output.map((o) => o.name);
  };
  assert.deepEqual(await outputs('map.onnx', '--weights', 'fp32'), [ONNX_OUTPUT, ONNX_GRAD_CAM_OUTPUT]);
  assert.deepEqual(
    await readFile(join(dir, 'map.onnx')),
    Buffer.from(exportOnnx(tiny, { weights: 'fp32', gradCam: true })),
  );
  assert.deepEqual(await outputs('plain.onnx', '--no-grad-cam'), [ONNX_OUTPUT]);
  assert.equal((await cli('export.ts', ['onnx', TINY_STORE, join(dir, 'x.onnx'), '--weights', 'fp8'])).code, 2);
});

test('refuses Grad-CAM for a model without pooling then Dense layers at its end', async () => {
  const input = tf.input({ shape: [8, 8, 3], name: 'pixels' });
  const conv = tf.layers.conv2d({ name: 'conv', filters: 4, kernelSize: 3, activation: 'relu' }).apply(input);
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(conv) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: pooled });
  assert.throws(() => tfjsGradCam(model), /Grad-CAM needs global average pooling then Dense/);
  const dir = await tempDir('no-head');
  await saveLayersModel(model, dir, { form: 'fp32' });
  model.dispose();
  const data = await readTfjsModel(dir);
  assert.throws(
    () => exportOnnx(data, { weights: 'fp32', gradCam: true }),
    /Grad-CAM needs global average pooling then Dense/,
  );
  assert.doesNotThrow(() => exportOnnx(data, { weights: 'fp32' }));
});

test('a small model with linear and ReLU hidden Dense layers: each image gets the map of its own top class', async () => {
  const input = tf.input({ shape: [12, 12, 3], name: 'pixels' });
  const kernel = (seed: number) => tf.initializers.randomNormal({ stddev: 1, seed });
  const bias = (seed: number) => tf.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed });
  let x = tf.layers
    .conv2d({
      name: 'conv',
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: kernel(5),
      biasInitializer: bias(6),
    })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const dense = [
    ['d1', 16, 'relu'],
    ['d2', 12, 'linear'],
    ['d3', 10, 'relu'],
    ['scores', 5, 'softmax'],
  ] as const;
  dense.forEach(([name, units, activation], i) => {
    x = tf.layers
      .dense({ name, units, activation, kernelInitializer: kernel(50 + i), biasInitializer: bias(20 + i) })
      .apply(x) as tf.SymbolicTensor;
  });
  const model = tf.model({ inputs: input, outputs: x });
  const dir = await tempDir('small-head');
  await saveLayersModel(model, dir, { form: 'fp32' });
  model.dispose();
  // Noise under a different colour cast per image, so that the images' top classes differ.
  const pixels = tf.tidy(() =>
    tf.mul<tf.Tensor4D>(
      tf.randomUniform([6, 12, 12, 3], 0, 1, 'float32', 17),
      tf.randomUniform([6, 1, 1, 3], -1, 1, 'float32', 4),
    ),
  );
  const { withMap, classes, reference, tfjs } = await checkAgainstAutodiff(await readTfjsModel(dir), pixels, {
    outputLayer: 'scores',
    normalized: false,
  });
  assert.ok(new Set(classes).size > 1, `every image has top class ${classes[0]}`);
  assert.deepEqual(withMap.cam!.dims, [6, 12, 12]);
  const actual = scaled(withMap.cam!.values, 6);
  assert.ok(maxAbsDiff(actual, reference) < 1e-4, `max |Δ| ${maxAbsDiff(actual, reference)}`);
  assert.ok(maxAbsDiff(tfjs, reference) < 1e-4, `TF.js: max |Δ| ${maxAbsDiff(tfjs, reference)}`);
});
