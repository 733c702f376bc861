import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { IMAGENET_MEAN, IMAGENET_STD } from '../../../src/shared/model-contract.js';
import { IMAGENET_NORMALIZATION_LAYER } from '../../../src/pipeline/model/imagenet-normalization.js';
import { buildTinyClassifier } from '../../../src/pipeline/model/tiny-classifier.js';
import { maxAbsDiff } from './fixtures.js';

before(async () => {
  await tf.setBackend('cpu');
});

test('has the full model contract in a few thousand parameters', () => {
  const model = buildTinyClassifier();
  assert.deepEqual(model.inputs[0]!.shape, [null, 300, 300, 3]);
  assert.deepEqual(model.outputs[0]!.shape, [null, 5]);
  assert.ok(model.countParams() > 1000 && model.countParams() < 10_000, `${model.countParams()} parameters`);
  const classes = new Set(model.layers.map((l) => l.getClassName()));
  for (const c of [
    'DepthwiseConv2D',
    'ZeroPadding2D',
    'Conv2D',
    'BatchNormalization',
    'MaxPooling2D',
    'Add',
    'GlobalAveragePooling2D',
    'Dense',
  ]) {
    assert.ok(classes.has(c), c);
  }
  const probabilities = tf.tidy(() =>
    (model.predict(tf.randomUniform([2, 300, 300, 3], 0, 255, 'float32', 5)) as tf.Tensor).sum(1).dataSync(),
  );
  assert.ok(maxAbsDiff(probabilities, [1, 1]) < 1e-5);
  model.dispose();
});

test('the normalisation layer computes (x/255 − mean)/std per channel', () => {
  const model = buildTinyClassifier({ inputSize: 32 });
  const normalize = tf.model({
    inputs: model.inputs,
    outputs: model.getLayer(IMAGENET_NORMALIZATION_LAYER).output,
  });
  const pixels = tf.randomUniform([1, 32, 32, 3], 0, 255, 'float32', 9);
  const [input, output] = [pixels.dataSync(), (normalize.predict(pixels) as tf.Tensor).dataSync()];
  const expected = input.map((x, i) => (x / 255 - IMAGENET_MEAN[i % 3]!) / IMAGENET_STD[i % 3]!);
  assert.ok(maxAbsDiff(output, expected) < 1e-5);
  model.dispose();
});

test('the same seed gives bit-identical weights, another seed different ones', () => {
  const weights = (seed: number) => {
    const model = buildTinyClassifier({ seed });
    const values = model.getWeights().map((w) => Array.from(w.dataSync()));
    model.dispose();
    return values;
  };
  const first = weights(4);
  assert.deepEqual(weights(4), first);
  assert.notDeepEqual(weights(5), first);
});
