import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Grade } from '../../../src/shared/grades.js';
import type { RgbImage } from '../../../src/shared/pixels.js';
import { readTfjsModel } from '../../../src/pipeline/export/tfjs-files.js';
import { saveLayersModel } from '../../../src/pipeline/export/tfjs-model-io.js';
import { DIHEDRAL_VARIANTS } from '../../../src/pipeline/finetune/dihedral.js';
import {
  extractFeatureStore,
  readPhotoFeatures,
  type PhotoFeatures,
} from '../../../src/pipeline/finetune/feature-store.js';
import { evaluationExamples, predict, trainRecipe, type StoreData } from '../../../src/pipeline/finetune/recipes.js';
import { OUTPUT_LAYER } from '../../../src/pipeline/model/classifier-head.js';
import { loadKerasImagenetBackbone } from '../../../src/pipeline/model/keras-imagenet-resnet50.js';
import { buildResNet50Classifier } from '../../../src/pipeline/model/resnet50-classifier.js';
import { initTrainingBackend } from '../../../src/pipeline/train/backend.js';
import { readCheckpointFile } from '../../../src/pipeline/train/checkpoint-file.js';
import type { ImageSource } from '../../../src/pipeline/train/examples.js';
import { transferWeights } from '../../../src/pipeline/train/model-weights.js';
import { buildKeras224ResNet50 } from '../model/support/keras224-resnet50.js';

const SIZE = 64;
const PHOTOS = 10;

/** Photos whose colour depends on the grade, so a few steps can learn something. */
function photo(index: number): RgbImage {
  const grade = index % 5;
  const data = new Uint8Array(SIZE * SIZE * 3);
  for (let p = 0; p < SIZE * SIZE; p++) {
    const x = p % SIZE;
    data[p * 3] = 60 + grade * 35;
    data[p * 3 + 1] = (x * 3 + index * 17) % 200;
    data[p * 3 + 2] = 90;
  }
  return { data, width: SIZE, height: SIZE };
}

let dir: string;
let pretrained: tf.LayersModel;
let data: StoreData;

before(async () => {
  await initTrainingBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'fg-recipes-'));
  // A converted Keras 2.2.4 backbone (random weights) stands in for the ImageNet package.
  const keras = buildKeras224ResNet50(SIZE, 7);
  await saveLayersModel(keras, join(dir, 'keras'), { form: 'fp32' });
  keras.dispose();
  pretrained = buildResNet50Classifier({ inputSize: SIZE, seed: 2 });
  loadKerasImagenetBackbone(pretrained, (await readTfjsModel(join(dir, 'keras'))).weights);

  const labels = Array.from({ length: PHOTOS }, (_, i) => (i % 5) as Grade);
  const images: ImageSource = { count: PHOTOS, labels, size: SIZE, image: async (i) => photo(i) };
  const ids = labels.map((_, i) => `photo_${i}`);
  const info = await extractFeatureStore(pretrained, images, ids, join(dir, 'features'), 'test');
  const photos: PhotoFeatures[] = [];
  for (const id of ids) photos.push((await readPhotoFeatures(join(dir, 'features', info.key), id))!);
  data = { photos, labels, conv4Size: info.conv4Size, pretrained };
});

after(async () => {
  pretrained.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('the feature store holds eight variants of conv4 maps and pooled features per photo, and a rerun reuses them', async () => {
  assert.equal(data.conv4Size, 4);
  const first = data.photos[0]!;
  assert.equal(first.pooled.length, DIHEDRAL_VARIANTS * 2048);
  assert.equal(first.conv4.length, DIHEDRAL_VARIANTS * 4 * 4 * 1024);
  let extracted = 0;
  const images: ImageSource = {
    count: PHOTOS,
    labels: data.labels,
    size: SIZE,
    image: async (i) => (extracted++, photo(i)),
  };
  await extractFeatureStore(
    pretrained,
    images,
    data.labels.map((_, i) => `photo_${i}`),
    join(dir, 'features'),
    'test',
  );
  assert.equal(extracted, 0, 'no photo is read again when its features are stored');
});

test('the last-stage recipe trains head and conv5 from the converted backbone, and the assembled classifier reproduces it', async () => {
  const before = pretrained.getLayer('conv5_block3_3_conv').getWeights()[0]!.dataSync().slice(0, 50);
  const tensorsBefore = tf.memory().numTensors;
  const trained = await trainRecipe(
    data,
    Array.from({ length: PHOTOS }, (_, i) => i),
    {
      recipe: 'last-stage',
      seed: 3,
      headEpochs: 2,
      lastStageEpochs: 1,
      lastStageLearningRate: 1e-3,
    },
  );
  assert.equal(trained.finished, true);
  assert.equal(trained.input, 'conv4');
  assert.equal(trained.history.head.length, 2);
  assert.equal(trained.history.lastStage.length, 1);
  assert.equal(trained.validation.labels.length * 5, trained.validation.probabilities.length);

  // The fine-tuned stage is kept only when it beat the head on the inner validation photos;
  // otherwise the ImageNet weights come back exactly.
  const headBest = Math.min(...trained.history.head.map((r) => r.valLoss));
  const lastStageBest = Math.min(...trained.history.lastStage.map((r) => r.valLoss));
  assert.equal(trained.lastStageKept, lastStageBest < headBest);
  const tuned = trained.model.getLayer('conv5_block3_3_conv').getWeights()[0]!.dataSync().slice(0, 50);
  assert.equal(
    tuned.some((v, i) => v !== before[i]),
    trained.lastStageKept,
    'conv5 weights moved exactly when the fine-tuned stage was kept',
  );

  const indices = [0, 3, 7];
  const expected = await predict(trained.model, evaluationExamples(data, indices, 'conv4'));
  const full = buildResNet50Classifier({ inputSize: SIZE, seed: 9 });
  transferWeights(pretrained, full);
  transferWeights(
    trained.model,
    full,
    (name) => name.startsWith('conv5_') || name.startsWith('head_') || name.startsWith(`${OUTPUT_LAYER}/`),
  );
  const actual = tf.tidy(() => {
    const x = tf.stack(indices.map((i) => tf.tensor3d(Float32Array.from(photo(i).data), [SIZE, SIZE, 3])));
    return (full.predict(x) as tf.Tensor).dataSync();
  });
  for (let k = 0; k < expected.length; k++)
    assert.ok(Math.abs(expected[k]! - actual[k]!) < 1e-3, `probability ${k}: ${expected[k]} vs ${actual[k]}`);
  for (let r = 0; r < indices.length; r++) {
    const sum = Array.from(expected.subarray(r * 5, r * 5 + 5)).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-4);
  }
  full.dispose();
  trained.model.dispose();
  assert.equal(tf.memory().numTensors, tensorsBefore, 'training and prediction leave no tensor behind');
});

test('the head recipe trains on pooled features only', async () => {
  const trained = await trainRecipe(
    data,
    Array.from({ length: PHOTOS }, (_, i) => i),
    { recipe: 'head', seed: 4, headEpochs: 3 },
  );
  assert.equal(trained.input, 'pooled');
  assert.deepEqual(trained.model.inputs[0]!.shape, [null, 2048]);
  assert.equal(trained.history.lastStage.length, 0);
  trained.model.dispose();
});

test('a grade cost weight reaches both trainings: the head trains on another objective, the last stage checkpoints it', async () => {
  const all = Array.from({ length: PHOTOS }, (_, i) => i);
  const plain = await trainRecipe(data, all, { recipe: 'head', seed: 5, headEpochs: 2 });
  const weighted = await trainRecipe(data, all, { recipe: 'head', seed: 5, headEpochs: 2, gradeCostWeight: 2 });
  assert.notDeepEqual(
    weighted.history.head.map((r) => r.trainLoss),
    plain.history.head.map((r) => r.trainLoss),
  );
  plain.model.dispose();
  weighted.model.dispose();

  const checkpointPrefix = join(dir, 'grade-cost');
  const lastStage = await trainRecipe(data, all, {
    recipe: 'last-stage',
    seed: 5,
    headEpochs: 1,
    lastStageEpochs: 1,
    gradeCostWeight: 2,
    checkpointPrefix,
  });
  const { state } = await readCheckpointFile<{ fingerprint: Record<string, unknown> }>(`${checkpointPrefix}.ckpt`);
  assert.equal(state.fingerprint['gradeCostWeight'], 2);
  lastStage.model.dispose();
});
