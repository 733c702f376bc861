import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { IMAGENET_MEAN } from '../../../src/shared/model-contract.js';
import { readTfjsModel, readTfjsModelFiles } from '../../../src/pipeline/export/tfjs-files.js';
import { saveLayersModel } from '../../../src/pipeline/export/tfjs-model-io.js';
import { GAP_LAYER } from '../../../src/pipeline/model/classifier-head.js';
import {
  CAFFE_BGR_MEAN,
  foldCaffeInputIntoConv1,
  kerasApplicationsLayerName,
  loadKerasImagenetBackbone,
} from '../../../src/pipeline/model/keras-imagenet-resnet50.js';
import { buildResNet50Classifier, resNet50Truncated } from '../../../src/pipeline/model/resnet50-classifier.js';
import { DEFAULT_PACKAGE_CACHE, IMAGENET_PACKAGE } from '../../../src/pipeline/pretrained/imagenet-package.js';
import { caffePreprocess, loadOriginalPooledModel } from '../../../src/pipeline/pretrained/original-keras-model.js';
import { initTrainingBackend } from '../../../src/pipeline/train/backend.js';
import { buildKeras224ResNet50 } from './support/keras224-resnet50.js';

/** The mean colour for which the original's zero padding and ours are the same pixels. */
const IMAGENET_MEAN_AS_CAFFE = [2, 1, 0].map((c) => 255 * IMAGENET_MEAN[c]!);

/** Largest |a − b| relative to the largest |a|. */
async function relativeMaxDifference(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [diff, scale] = await Promise.all([tf.max(tf.abs(tf.sub(a, b))).data(), tf.max(tf.abs(a)).data()]);
  return diff[0]! / scale[0]!;
}

function fundusLike(size: number, count: number, seed: number): tf.Tensor4D {
  // A bright disc on black, with texture: what the models see, including dark borders.
  return tf.tidy(() => {
    const coords = tf.linspace(-1, 1, size);
    const r2 = tf.add(tf.square(coords).reshape([size, 1]), tf.square(coords).reshape([1, size]));
    const disc = tf.cast(tf.less(r2, 0.85), 'float32').reshape([1, size, size, 1]);
    const texture = tf.randomUniform([count, size, size, 3], 20, 230, 'float32', seed);
    return tf.mul<tf.Tensor4D>(texture, disc);
  });
}

async function compareWithOriginal(
  original: tf.LayersModel,
  sourceDir: string,
  size: number,
  caffeMean: readonly number[],
): Promise<number> {
  const ours = buildResNet50Classifier({ inputSize: size, seed: 5 });
  loadKerasImagenetBackbone(ours, (await readTfjsModel(sourceDir)).weights, { caffeMean });
  const pooled = resNet50Truncated(ours, GAP_LAYER);
  const images = fundusLike(size, 3, 11);
  const expected = original.predict(caffePreprocess(images, caffeMean)) as tf.Tensor;
  const actual = pooled.predict(images) as tf.Tensor;
  const difference = await relativeMaxDifference(expected, actual);
  tf.dispose([images, expected, actual]);
  ours.dispose();
  return difference;
}

before(async () => {
  await initTrainingBackend('wasm');
});

describe('layer names', () => {
  test('every backbone conv and BatchNorm has its Keras 2.2.4 name', () => {
    assert.equal(kerasApplicationsLayerName('conv1_conv'), 'conv1');
    assert.equal(kerasApplicationsLayerName('conv1_bn'), 'bn_conv1');
    assert.equal(kerasApplicationsLayerName('conv2_block1_0_conv'), 'res2a_branch1');
    assert.equal(kerasApplicationsLayerName('conv2_block1_0_bn'), 'bn2a_branch1');
    assert.equal(kerasApplicationsLayerName('conv3_block4_1_conv'), 'res3d_branch2a');
    assert.equal(kerasApplicationsLayerName('conv4_block6_2_bn'), 'bn4f_branch2b');
    assert.equal(kerasApplicationsLayerName('conv5_block3_3_conv'), 'res5c_branch2c');
    for (const other of [
      'conv1_pad',
      'conv2_block1_add',
      'conv5_block3_out',
      'avg_pool',
      'head_dense1',
      'conv4_block7_1_conv',
    ]) {
      assert.equal(kerasApplicationsLayerName(other), undefined, other);
    }
  });

  test('the names are one-to-one over the 106 conv and BatchNorm layers', () => {
    const model = buildResNet50Classifier({ inputSize: 32 });
    const names = model.layers.map((l) => kerasApplicationsLayerName(l.name)).filter((n) => n !== undefined);
    assert.equal(names.length, 106);
    assert.equal(new Set(names).size, 106);
    model.dispose();
  });
});

describe('the caffe fold', () => {
  test('a 1×1 conv on folded weights equals the original on BGR minus the caffe mean', () => {
    const kernel = Float32Array.from({ length: 3 * 2 }, (_, i) => (i % 5) - 2.5);
    const bias = Float32Array.from([0.5, -1]);
    const folded = foldCaffeInputIntoConv1(kernel, [1, 1, 3, 2], bias);
    const rgb = [200, 90, 30];
    const normalised = rgb.map((v, c) => (v / 255 - IMAGENET_MEAN[c]!) / [0.229, 0.224, 0.225][c]!);
    const bgrCaffe = [2, 1, 0].map((c, k) => rgb[c]! - CAFFE_BGR_MEAN[k]!);
    for (let o = 0; o < 2; o++) {
      const original = bias[o]! + bgrCaffe.reduce((s, z, k) => s + z * kernel[k * 2 + o]!, 0);
      const ours = folded.bias[o]! + normalised.reduce((s, x, c) => s + x * folded.kernel[c * 2 + o]!, 0);
      assert.ok(Math.abs(original - ours) < 1e-3, `output ${o}: ${original} vs ${ours}`);
    }
  });
});

describe('a generated Keras 2.2.4 ResNet50 (the package naming, random weights)', () => {
  const size = 64;
  let dir: string;
  let original: tf.LayersModel;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fg-keras224-'));
    const model = buildKeras224ResNet50(size, 3);
    await saveLayersModel(model, dir, { form: 'fp32' });
    model.dispose();
    original = await loadOriginalPooledModel(await readTfjsModelFiles(dir), size);
  });
  after(async () => {
    original.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  test('pooled features equal the original with its own preprocessing, padding colour matched: within 1e-4', async () => {
    const difference = await compareWithOriginal(original, dir, size, IMAGENET_MEAN_AS_CAFFE);
    assert.ok(difference < 1e-4, `relative max difference ${difference}`);
  });

  test("with the caffe mean the only difference is conv1's padding colour: small", async () => {
    const difference = await compareWithOriginal(original, dir, size, CAFFE_BGR_MEAN);
    assert.ok(difference < 1e-2, `relative max difference ${difference}`);
  });

  test('a model whose weights do not fit is refused with the weight named', async () => {
    const weights = (await readTfjsModel(dir)).weights.filter((w) => !w.name.startsWith('res4c_branch2b/'));
    const ours = buildResNet50Classifier({ inputSize: size });
    assert.throws(() => loadKerasImagenetBackbone(ours, weights), /res4c_branch2b\/kernel/);
    ours.dispose();
  });
});

const packageDir = join(DEFAULT_PACKAGE_CACHE, IMAGENET_PACKAGE.version, IMAGENET_PACKAGE.modelDir);
describe(
  'the real package (when cached)',
  {
    skip: existsSync(join(packageDir, 'model.json'))
      ? false
      : `${packageDir} not cached (npm run pretrained fetches it)`,
  },
  () => {
    test("pooled features at 224 px equal the original's: within 1e-4 with matched padding, 1e-3 with the caffe mean", async () => {
      const original = await loadOriginalPooledModel(await readTfjsModelFiles(packageDir), 224);
      const matched = await compareWithOriginal(original, packageDir, 224, IMAGENET_MEAN_AS_CAFFE);
      const caffe = await compareWithOriginal(original, packageDir, 224, CAFFE_BGR_MEAN);
      original.dispose();
      assert.ok(matched < 1e-4, `matched padding: relative max difference ${matched}`);
      assert.ok(caffe < 1e-3, `caffe mean: relative max difference ${caffe}`);
    });
  },
);
