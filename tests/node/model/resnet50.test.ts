import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { IMAGENET_NORMALIZATION_LAYER } from '../../../src/pipeline/model/imagenet-normalization.js';
import {
  buildResNet50Classifier,
  buildResNet50HeadModel,
  setBackboneTrainable,
} from '../../../src/pipeline/model/resnet50-classifier.js';

/** keras.applications.ResNet50(include_top=False).count_params() and its BN moving statistics. */
const KERAS_BACKBONE_PARAMS = 23_587_712;
const KERAS_BACKBONE_NON_TRAINABLE = 53_120;
const HEAD_PARAMS = 291_525;
const HEAD_LAYERS = ['head_dense1', 'head_dense2', 'head_dense3', 'head_dense4', 'predictions'];

const count = (weights: tf.LayerVariable[]) =>
  weights.reduce((sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);

/** Keras's layer order for ResNet50: the projection shortcut's conv and BN sit between the main path's. */
function kerasResNet50LayerNames(): string[] {
  const names = ['conv1_pad', 'conv1_conv', 'conv1_bn', 'conv1_relu', 'pool1_pad', 'pool1_pool'];
  for (const [stage, blocks] of [
    ['conv2', 3],
    ['conv3', 4],
    ['conv4', 6],
    ['conv5', 3],
  ] as const) {
    for (let b = 1; b <= blocks; b++) {
      const p = `${stage}_block${b}`;
      names.push(`${p}_1_conv`, `${p}_1_bn`, `${p}_1_relu`, `${p}_2_conv`, `${p}_2_bn`, `${p}_2_relu`);
      if (b === 1) names.push(`${p}_0_conv`, `${p}_3_conv`, `${p}_0_bn`, `${p}_3_bn`);
      else names.push(`${p}_3_conv`, `${p}_3_bn`);
      names.push(`${p}_add`, `${p}_out`);
    }
  }
  return names;
}

let model: tf.LayersModel;
before(async () => {
  await tf.setBackend('cpu');
  model = buildResNet50Classifier({ seed: 3 });
});

test('layers are Keras ResNet50 in Keras order, between the normalisation layer and the head', () => {
  assert.deepEqual(
    model.layers.map((l) => l.name),
    ['input_image', IMAGENET_NORMALIZATION_LAYER, ...kerasResNet50LayerNames(), 'avg_pool', ...HEAD_LAYERS],
  );
});

test('parameter counts: Keras backbone, 291,525-parameter head, 6 frozen normalisation constants', () => {
  const backbone = model.layers.slice(
    2,
    model.layers.findIndex((l) => l.name === 'avg_pool'),
  );
  assert.equal(backbone.at(-1)?.name, 'conv5_block3_out');
  assert.equal(count(backbone.flatMap((l) => l.weights)), KERAS_BACKBONE_PARAMS);
  assert.equal(count(backbone.flatMap((l) => l.nonTrainableWeights)), KERAS_BACKBONE_NON_TRAINABLE);
  assert.equal(count(HEAD_LAYERS.flatMap((name) => model.getLayer(name).trainableWeights)), HEAD_PARAMS);
  const normalization = model.getLayer(IMAGENET_NORMALIZATION_LAYER);
  assert.equal(count(normalization.trainableWeights), 0);
  assert.equal(count(normalization.nonTrainableWeights), 6);
  assert.equal(model.countParams(), KERAS_BACKBONE_PARAMS + HEAD_PARAMS + 6);
  assert.equal(count(model.trainableWeights), KERAS_BACKBONE_PARAMS - KERAS_BACKBONE_NON_TRAINABLE + HEAD_PARAMS);
});

test('layer settings follow Keras ResNet50 v1', () => {
  const config = (name: string) => model.getLayer(name).getConfig();
  assert.deepEqual(config('conv1_pad')['padding'], [
    [3, 3],
    [3, 3],
  ]);
  assert.deepEqual(
    [config('conv1_conv')['kernelSize'], config('conv1_conv')['strides']],
    [
      [7, 7],
      [2, 2],
    ],
  );
  // v1: the stride sits on the first 1×1 conv of each later stage's first block, and on its shortcut.
  for (const name of ['conv3_block1_1_conv', 'conv3_block1_0_conv', 'conv4_block1_1_conv', 'conv5_block1_0_conv']) {
    assert.deepEqual(config(name)['strides'], [2, 2], name);
  }
  assert.deepEqual(config('conv2_block1_1_conv')['strides'], [1, 1]);
  assert.deepEqual(
    [config('conv3_block1_2_conv')['strides'], config('conv3_block1_2_conv')['padding']],
    [[1, 1], 'same'],
  );
  assert.equal(config('conv4_block6_3_bn')['epsilon'], 1.001e-5);
  assert.equal(config('conv4_block6_3_conv')['useBias'], true);
  assert.deepEqual(model.getLayer('conv5_block3_out').outputShape, [null, 10, 10, 2048]);
  assert.deepEqual(model.getLayer('avg_pool').outputShape, [null, 2048]);
  assert.deepEqual(model.outputs[0]!.shape, [null, 5]);
  assert.equal(config('predictions')['activation'], 'softmax');
  assert.deepEqual(
    HEAD_LAYERS.slice(0, 4).map((n) => [config(n)['units'], config(n)['activation']]),
    [
      [128, 'relu'],
      [128, 'relu'],
      [64, 'relu'],
      [64, 'relu'],
    ],
  );
});

test('the standalone head model starts from the same weights as the classifier head', () => {
  const head = buildResNet50HeadModel({ seed: 3 });
  assert.deepEqual(head.inputs[0]!.shape, [null, 2048]);
  assert.equal(head.countParams(), HEAD_PARAMS);
  for (const name of HEAD_LAYERS) {
    const [a, b] = [head.getLayer(name).getWeights()[0]!, model.getLayer(name).getWeights()[0]!];
    assert.deepEqual(a.dataSync(), b.dataSync(), name);
  }
  head.dispose();
});

test('a low-resolution build has the same weights and a frozen backbone can be unfrozen', () => {
  const small = buildResNet50Classifier({ seed: 3, inputSize: 64, freezeBackbone: true });
  assert.deepEqual(small.getLayer('conv5_block3_out').outputShape, [null, 2, 2, 2048]);
  assert.equal(small.countParams(), model.countParams());
  assert.deepEqual(
    small.getLayer('conv4_block2_2_conv').getWeights()[0]!.dataSync(),
    model.getLayer('conv4_block2_2_conv').getWeights()[0]!.dataSync(),
  );
  assert.equal(count(small.trainableWeights), HEAD_PARAMS);
  setBackboneTrainable(small, true);
  assert.equal(count(small.trainableWeights), count(model.trainableWeights));
  assert.equal(small.getLayer(IMAGENET_NORMALIZATION_LAYER).trainable, false);
  small.dispose();
});
