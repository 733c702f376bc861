import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { calibrateBatchNorm, zeroResidualGammas } from '../../../src/pipeline/model/calibrate-batchnorm.js';
import { GAP_LAYER } from '../../../src/pipeline/model/classifier-head.js';
import { buildTinyClassifier } from '../../../src/pipeline/model/tiny-classifier.js';

before(async () => {
  await tf.setBackend('cpu');
});

/** Per-channel mean and variance of a BatchNorm layer's output in inference mode on `batch`. */
function bnOutputMoments(model: tf.LayersModel, layerName: string, batch: tf.Tensor4D) {
  return tf.tidy(() => {
    const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer(layerName).output });
    const { mean, variance } = tf.moments(probe.predict(batch) as tf.Tensor, [0, 1, 2]);
    return { mean: Array.from(mean.dataSync()), variance: Array.from(variance.dataSync()) };
  });
}

test('every BatchNorm layer normalises its input on the calibration batch to mean 0, variance 1', () => {
  const model = buildTinyClassifier({ inputSize: 48, seed: 3 });
  const batch = tf.randomUniform<tf.Rank.R4>([6, 48, 48, 3], 0, 255, 'float32', 11);
  const bnLayers = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').map((l) => l.name);
  // Uncalibrated (moving statistics 0 and 1) the outputs are far from standardised.
  const before = bnOutputMoments(model, bnLayers[0]!, batch);
  assert.ok(
    before.variance.some((v) => Math.abs(v - 1) > 0.2),
    `variance before: ${before.variance.join(',')}`,
  );

  const tensorsBefore = tf.memory().numTensors;
  assert.equal(calibrateBatchNorm(model, batch), bnLayers.length);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor left behind');
  assert.ok(!batch.isDisposed, 'the caller keeps its batch');
  for (const name of bnLayers) {
    const { mean, variance } = bnOutputMoments(model, name, batch);
    for (const m of mean) assert.ok(Math.abs(m) < 1e-3, `${name}: mean ${m}`);
    // BatchNorm's ε (1.001e-5) keeps the variance a hair under 1.
    for (const v of variance) assert.ok(Math.abs(v - 1) < 1e-2, `${name}: variance ${v}`);
  }
  model.dispose();
  batch.dispose();
});

test('stops after the named layer and leaves the later ones as they were', () => {
  const model = buildTinyClassifier({ inputSize: 32, seed: 4 });
  const batch = tf.randomUniform<tf.Rank.R4>([4, 32, 32, 3], 0, 255, 'float32', 12);
  const last = model.getLayer('block_2_bn');
  const untouched = last.getWeights().map((w) => Array.from(w.dataSync()));
  assert.equal(calibrateBatchNorm(model, batch, 'block_1_bn'), 2);
  assert.deepEqual(
    last.getWeights().map((w) => Array.from(w.dataSync())),
    untouched,
  );
  // The whole network up to pooling calibrates all three.
  assert.equal(calibrateBatchNorm(model, batch, GAP_LAYER), 3);
  model.dispose();
  batch.dispose();
});

test("zero-init residual zeroes γ of the residual branches' last BatchNorm only", async () => {
  const { buildResNet50Classifier } = await import('../../../src/pipeline/model/resnet50-classifier.js');
  const model = buildResNet50Classifier({ inputSize: 32 });
  assert.equal(zeroResidualGammas(model), 16); // 3 + 4 + 6 + 3 bottleneck blocks
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    const gamma = layer.weights
      .find((w) => w.originalName.endsWith('/gamma'))!
      .read()
      .dataSync();
    const zero = gamma.every((g) => g === 0);
    assert.equal(zero, /_3_bn$/.test(layer.name), layer.name);
  }
  model.dispose();
});
