import assert from 'node:assert/strict';
import { readdir, readFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { decodeFloat16, encodeFloat16 } from '../../../src/pipeline/export/float16.js';
import {
  readTfjsModel,
  SHARD_BYTES,
  writeTfjsModel,
  type TfjsModelJson,
} from '../../../src/pipeline/export/tfjs-files.js';
import { loadLayersModelFromDir, saveLayersModel } from '../../../src/pipeline/export/tfjs-model-io.js';
import { IMAGENET_NORMALIZATION_LAYER } from '../../../src/pipeline/model/imagenet-normalization.js';
import { randomizeBatchNormStatistics } from '../../../src/pipeline/model/random-batchnorm.js';
import { buildTinyClassifier } from '../../../src/pipeline/model/tiny-classifier.js';
import { maxAbsDiff, tempDir } from './fixtures.js';

let model: tf.LayersModel;
let input: tf.Tensor;
before(async () => {
  await tf.setBackend('wasm');
  model = buildTinyClassifier({ seed: 7 });
  randomizeBatchNormStatistics(model, 7);
  input = tf.randomUniform([2, 300, 300, 3], 0, 255, 'float32', 1);
});

const predict = (m: tf.LayersModel) => tf.tidy(() => (m.predict(input) as tf.Tensor).dataSync());
const readJson = async (dir: string) => JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as TfjsModelJson;

test('fp32 files load back with tf.loadLayersModel and predict identically', async () => {
  const dir = await tempDir('tfjs32');
  assert.deepEqual(await saveLayersModel(model, dir, { form: 'fp32' }), ['model.json', 'group1-shard1of1.bin']);
  const json = await readJson(dir);
  assert.equal(json.format, 'layers-model');
  assert.ok(json.weightsManifest[0]!.weights.every((w) => w.dtype === 'float32' && w.quantization === undefined));
  const loaded = await loadLayersModelFromDir(dir);
  assert.deepEqual(predict(loaded), predict(model));
  loaded.dispose();
});

test('fp16 files halve the weights and load as their float16-rounded values', async () => {
  const dir = await tempDir('tfjs16');
  const keepFloat32 = (name: string) => name.startsWith(`${IMAGENET_NORMALIZATION_LAYER}/`);
  await saveLayersModel(model, dir, { form: 'fp16', keepFloat32 });
  const specs = (await readJson(dir)).weightsManifest[0]!.weights;
  for (const spec of specs)
    assert.equal(spec.quantization?.dtype, keepFloat32(spec.name) ? undefined : 'float16', spec.name);
  const values = model.getWeights().reduce((n, w) => n + w.size, 0);
  assert.equal((await stat(join(dir, 'group1-shard1of1.bin'))).size, 2 * (values - 6) + 4 * 6);

  const loaded = await loadLayersModelFromDir(dir);
  const rounded = buildTinyClassifier({ seed: 7 });
  rounded.setWeights(
    model.weights.map((w, i) => {
      const original = model.getWeights()[i]!;
      return keepFloat32(w.originalName)
        ? original
        : tf.tensor(decodeFloat16(encodeFloat16(original.dataSync() as Float32Array)), original.shape);
    }),
  );
  const fromFile = predict(loaded);
  assert.deepEqual(fromFile, predict(rounded));
  const drift = maxAbsDiff(fromFile, predict(model));
  assert.ok(drift > 0 && drift < 1e-2, `fp16 rounding moves probabilities by ${drift}`);
  loaded.dispose();
  rounded.dispose();
});

test('weights over 4 MiB are split into shards that weights may straddle', async () => {
  const dir = await tempDir('shards');
  const big = Float32Array.from({ length: 1_500_000 }, (_, i) => Math.sin(i));
  const small = Float32Array.of(1, 2, 3);
  const data = {
    modelTopology: { class_name: 'Model' },
    generatedBy: 'test',
    weights: [
      { name: 'a/kernel', shape: [3], values: small, storedAs: 'fp32' as const },
      { name: 'b/kernel', shape: [1000, 1500], values: big, storedAs: 'fp32' as const },
    ],
  };
  assert.deepEqual(await writeTfjsModel(dir, data, { form: 'fp32' }), [
    'model.json',
    'group1-shard1of2.bin',
    'group1-shard2of2.bin',
  ]);
  assert.equal((await stat(join(dir, 'group1-shard1of2.bin'))).size, SHARD_BYTES);
  const back = await readTfjsModel(dir);
  assert.deepEqual(
    back.weights.map((w) => [w.name, w.shape]),
    [
      ['a/kernel', [3]],
      ['b/kernel', [1000, 1500]],
    ],
  );
  assert.deepEqual(back.weights[0]!.values, small);
  assert.deepEqual(back.weights[1]!.values, big);

  // Rewriting the folder with a smaller model removes the shards it no longer uses.
  await writeTfjsModel(dir, { ...data, weights: data.weights.slice(0, 1) }, { form: 'fp16' });
  assert.deepEqual((await readdir(dir)).sort(), ['group1-shard1of1.bin', 'model.json']);
  const half = await readTfjsModel(dir);
  assert.equal(half.weights[0]!.storedAs, 'fp16');
  assert.deepEqual(half.weights[0]!.values, small);

  await truncate(join(dir, 'group1-shard1of1.bin'), 4);
  await assert.rejects(readTfjsModel(dir), /shards end before weight a\/kernel/);
});
