import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { calibrateBatchNorm } from '../../../src/pipeline/model/calibrate-batchnorm.js';
import { setBackboneTrainable } from '../../../src/pipeline/model/resnet50-classifier.js';
import { buildTinyClassifier } from '../../../src/pipeline/model/tiny-classifier.js';
import { Adam } from '../../../src/pipeline/train/adam.js';
import { initTrainingBackend } from '../../../src/pipeline/train/backend.js';
import { readCheckpointFile, writeCheckpointFile } from '../../../src/pipeline/train/checkpoint-file.js';
import { imageExamples } from '../../../src/pipeline/train/examples.js';
import { meanCrossEntropy } from '../../../src/pipeline/evaluate/cross-entropy.js';
import { meanWeightedGradeCost } from '../../../src/pipeline/train/loss.js';
import { disposeWeights, snapshotWeights, trainableVariables } from '../../../src/pipeline/train/model-weights.js';
import { predictRows } from '../../../src/pipeline/train/predict-rows.js';
import { accumulateGradients, trainStep } from '../../../src/pipeline/train/train-step.js';
import { trainModel, type TrainerOptions } from '../../../src/pipeline/train/trainer.js';
import { assertClose } from './support/tensors.js';
import { convNetWithoutBatchNorm, toyImages } from './support/tiny-data.js';

const SIZE = 32;
const train = imageExamples(toyImages(40, SIZE, 1), SIZE);
const validation = imageExamples(toyImages(10, SIZE, 2), SIZE);

/** Settings shared by the runs that must agree: 5 steps of 8 (micro-batches of 3) per epoch. */
function options(overrides: Partial<TrainerOptions> = {}): TrainerOptions {
  return {
    model: buildTinyClassifier({ inputSize: SIZE, seed: 1 }),
    train,
    validation,
    batchSize: 8,
    microBatch: 3,
    maxEpochs: 2,
    patience: 5,
    learningRate: 1e-2,
    seed: 7,
    augment: true,
    ...overrides,
  };
}

/** A clock that advances one second per reading: a time budget of n seconds stops after step n. */
function steppingClock(): () => number {
  let t = 0;
  return () => (t += 1000) - 1000;
}

function sameValues(
  a: ReadonlyMap<string, { values: Float32Array }>,
  b: ReadonlyMap<string, { values: Float32Array }>,
  prefix: string,
) {
  const names = [...a.keys()].filter((n) => n.startsWith(prefix));
  assert.ok(names.length > 0, `checkpoint has ${prefix} tensors`);
  assert.deepEqual(
    names,
    [...b.keys()].filter((n) => n.startsWith(prefix)),
  );
  for (const name of names) assert.deepEqual(a.get(name)!.values, b.get(name)!.values, name);
}

describe('training loop', () => {
  let dir: string;
  before(async () => {
    await initTrainingBackend('wasm');
    dir = await mkdtemp(join(tmpdir(), 'fg-train-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('lowers the loss on a learnable problem within a few steps', async () => {
    const model = buildTinyClassifier({ inputSize: SIZE, seed: 3 });
    const variables = trainableVariables(model);
    const optimizer = new Adam({ learningRate: 1e-2 });
    const classWeights = tf.ones<tf.Rank.R1>([5]);
    const batch = Array.from({ length: 20 }, (_, i) => i);
    const losses: number[] = [];
    for (let step = 0; step < 8; step++) {
      const totals = await trainStep({
        model,
        optimizer,
        variables,
        examples: train,
        batch,
        microBatch: 10,
        classWeights,
      });
      losses.push(totals.weightedLoss / totals.examples);
    }
    assert.ok(losses.at(-1)! < 0.8 * losses[0]!, `loss went ${losses.map((l) => l.toFixed(3)).join(' → ')}`);
    classWeights.dispose();
    model.dispose();
    optimizer.dispose();
  });

  it('keeps the tensor count flat across steps', async () => {
    const model = buildTinyClassifier({ inputSize: SIZE, seed: 3 });
    const variables = trainableVariables(model);
    const optimizer = new Adam({ learningRate: 1e-3 });
    const classWeights = tf.ones<tf.Rank.R1>([5]);
    const counts: number[] = [];
    for (let step = 0; step < 4; step++) {
      await trainStep({
        model,
        optimizer,
        variables,
        examples: train,
        batch: [0, 1, 2, 3, 4],
        microBatch: 2,
        classWeights,
        augmentSeed: (i) => i,
      });
      counts.push(tf.memory().numTensors);
    }
    // Step 1 creates Adam's moments; after that nothing may accumulate.
    assert.deepEqual(counts.slice(1), [counts[1], counts[1], counts[1]]);
    optimizer.dispose();
    classWeights.dispose();
    model.dispose();
  });

  it('trains only the head over a frozen backbone, BatchNorm statistics included, in inference mode', async () => {
    const run = async (inferenceMode: boolean) => {
      const model = buildTinyClassifier({ inputSize: SIZE, seed: 4 });
      setBackboneTrainable(model, false);
      const before = snapshotWeights(model);
      const optimizer = new Adam({ learningRate: 1e-2 });
      const classWeights = tf.ones<tf.Rank.R1>([5]);
      await trainStep({
        model,
        optimizer,
        variables: trainableVariables(model),
        examples: train,
        batch: [0, 1, 2, 3],
        microBatch: 4,
        classWeights,
        inferenceMode,
      });
      const changed = model.weights
        .filter((w) => !tf.util.arraysEqual(w.read().dataSync(), before.get(w.originalName)!.dataSync()))
        .map((w) => w.originalName);
      disposeWeights(before);
      optimizer.dispose();
      classWeights.dispose();
      model.dispose();
      return changed;
    };
    const frozen = await run(true);
    assert.deepEqual(frozen.sort(), [
      'head_dense1/bias',
      'head_dense1/kernel',
      'predictions/bias',
      'predictions/kernel',
    ]);
    // In training mode TF.js's BatchNorm moves its statistics even when its layer is frozen.
    assert.ok((await run(false)).some((name) => name.endsWith('moving_mean')));
  });

  it('validates with BatchNorm statistics set from the calibration images, not the lagging moving averages', async () => {
    const calibration = imageExamples(toyImages(6, SIZE, 9), SIZE);
    const movingStatistics = (model: tf.LayersModel) =>
      model.weights
        .filter((w) => /moving_(mean|variance)$/.test(w.originalName))
        .map((w) => Array.from(w.read().dataSync()));
    const run = async (batchNormCalibration?: TrainerOptions['batchNormCalibration']) => {
      const o = options({ maxEpochs: 1, ...(batchNormCalibration ? { batchNormCalibration } : {}) });
      const tensors = tf.memory().numTensors;
      const result = await trainModel(o);
      assert.equal(tf.memory().numTensors, tensors, 'calibration leaves no tensors behind');
      return { model: o.model, valLoss: result.history[0]!.valLoss };
    };
    const calibrated = await run({ examples: calibration });
    const moving = await run();
    // The kept (best) weights carry the calibrated statistics: calibrating them again on the same
    // images changes nothing, while the moving averages of the same training are elsewhere.
    const kept = movingStatistics(calibrated.model);
    const pixels = new Float32Array(6 * SIZE * SIZE * 3);
    for (let i = 0; i < 6; i++) await calibration.load(i, pixels, i * SIZE * SIZE * 3);
    const batch = tf.tensor4d(pixels, [6, SIZE, SIZE, 3]);
    calibrateBatchNorm(calibrated.model, batch);
    batch.dispose();
    movingStatistics(calibrated.model).forEach((values, i) => assertClose(values, kept[i]!, 1e-4));
    const apart = movingStatistics(moving.model).some((values, i) =>
      values.some((v, j) => Math.abs(v - kept[i]![j]!) > 1e-2),
    );
    assert.ok(apart, 'moving averages differ from the calibrated statistics');
    // Same training steps, different statistics: validation loss differs.
    assert.notEqual(calibrated.valLoss, moving.valLoss);
    calibrated.model.dispose();
    moving.model.dispose();
  });

  it('leaves no tensors behind after a whole run', async () => {
    const o = options({ maxEpochs: 1 });
    const before = tf.memory().numTensors;
    await trainModel(o);
    assert.equal(tf.memory().numTensors, before);
    o.model.dispose();
  });

  it('sums micro-batch gradients to the full batch gradient (model without BatchNorm)', async () => {
    const examples = imageExamples(toyImages(12, 16, 4), 16);
    const batch = [3, 1, 4, 0, 5, 9, 2, 6, 8, 7, 11, 10];
    const model = convNetWithoutBatchNorm(16, 5);
    const variables = trainableVariables(model);
    const classWeights = tf.tensor1d([0.5, 1, 2, 1, 1.5]);
    const run = (microBatch: number) =>
      accumulateGradients({ model, variables, examples, batch, microBatch, classWeights });
    const full = await run(12);
    const micro = await run(5);
    assert.equal(micro.totals.examples, 12);
    assertClose([micro.totals.weightedLoss], [full.totals.weightedLoss], 1e-5, 'loss');
    for (const [key, g] of full.gradients) assertClose(micro.gradients.get(key)!.dataSync(), g.dataSync(), 1e-5, key);
    tf.dispose([...full.gradients.values(), ...micro.gradients.values(), classWeights]);
    model.dispose();
  });

  it('adds λ times the weighted grade cost to the step loss, and sums it over micro-batches', async () => {
    const examples = imageExamples(toyImages(12, 16, 4), 16);
    const batch = [3, 1, 4, 0, 5, 9, 2, 6, 8, 7, 11, 10];
    const model = convNetWithoutBatchNorm(16, 5);
    const variables = trainableVariables(model);
    const weights = [0.5, 1, 2, 1, 1.5];
    const classWeights = tf.tensor1d(weights);
    const lambda = 3;
    const run = (microBatch: number, gradeCostWeight?: number) =>
      accumulateGradients({
        model,
        variables,
        examples,
        batch,
        microBatch,
        classWeights,
        ...(gradeCostWeight !== undefined ? { gradeCostWeight } : {}),
      });
    const plain = await run(12);
    const off = await run(12, 0);
    const full = await run(12, lambda);
    const micro = await run(5, lambda);
    assert.equal(off.totals.weightedLoss, plain.totals.weightedLoss, 'λ = 0 is the cross-entropy alone');
    const [probabilities] = await predictRows(examples, 12, (x) => [model.predict(x) as tf.Tensor2D]);
    const costSum = batch.length * meanWeightedGradeCost(probabilities!, examples.labels, 5, weights);
    assert.ok(costSum > 0);
    assertClose([full.totals.weightedLoss - plain.totals.weightedLoss], [lambda * costSum], 1e-4, 'λ · Σ w·cost');
    assertClose([micro.totals.weightedLoss], [full.totals.weightedLoss], 1e-5, 'micro-batched loss');
    for (const [key, g] of full.gradients) assertClose(micro.gradients.get(key)!.dataSync(), g.dataSync(), 1e-5, key);
    const moved = [...full.gradients].some(
      ([key, g]) => !tf.util.arraysEqual(g.dataSync(), plain.gradients.get(key)!.dataSync()),
    );
    assert.ok(moved, 'the grade cost changes the gradient');
    for (const r of [plain, off, full, micro]) tf.dispose([...r.gradients.values()]);
    classWeights.dispose();
    model.dispose();
  });

  it('validates on the same objective it trains: weighted cross-entropy + λ · weighted grade cost', async () => {
    const lambda = 0.5;
    const o = options({ maxEpochs: 1, gradeCostWeight: lambda });
    const result = await trainModel(o);
    const [probabilities] = await predictRows(validation, 8, (x) => [o.model.predict(x) as tf.Tensor2D]);
    const labels = validation.labels;
    const crossEntropy = meanCrossEntropy(probabilities!, labels, 5, result.classWeights);
    const cost = meanWeightedGradeCost(probabilities!, labels, 5, result.classWeights);
    assert.ok(cost > 0);
    assertClose([result.history[0]!.valLoss], [crossEntropy + lambda * cost], 1e-5, 'valLoss');
    assertClose([result.bestValLoss!], [crossEntropy + lambda * cost], 1e-5, 'the best loss is the objective too');
    o.model.dispose();
  });

  it('rejects a negative or non-finite grade cost weight', async () => {
    for (const gradeCostWeight of [-1, NaN, Infinity]) {
      const o = options({ gradeCostWeight });
      const tensors = tf.memory().numTensors;
      await assert.rejects(trainModel(o), (error: unknown) => {
        assert.ok(error instanceof RangeError, String(error));
        assert.match(error.message, /grade cost weight must be a finite number ≥ 0/);
        return true;
      });
      assert.equal(tf.memory().numTensors, tensors, 'nothing allocated before the check');
      o.model.dispose();
    }
  });

  it('refuses to resume a checkpoint of another grade cost weight, and keeps λ = 0 out of the fingerprint', async () => {
    const path = join(dir, 'grade-cost.ckpt');
    const o = options({ checkpointPath: path, maxEpochs: 1, gradeCostWeight: 0 });
    await trainModel(o);
    const fingerprint = (await readCheckpointFile<{ fingerprint: object }>(path)).state.fingerprint;
    assert.equal('gradeCostWeight' in fingerprint, false);
    const weighted = options({ checkpointPath: path, maxEpochs: 1, gradeCostWeight: 0.5 });
    await assert.rejects(trainModel(weighted), /other settings \(gradeCostWeight\)/);
    o.model.dispose();
    weighted.model.dispose();
  });

  for (const stopAfter of [3, 5]) {
    it(`stops on the time budget after step ${stopAfter} and resumes exactly where it was`, async () => {
      const uninterrupted = join(dir, `whole-${stopAfter}.ckpt`);
      const split = join(dir, `split-${stopAfter}.ckpt`);
      const whole = options({ checkpointPath: uninterrupted });
      const result = await trainModel(whole);
      assert.equal(result.stopReason, 'max-epochs');

      const first = options({ checkpointPath: split, timeBudgetSeconds: stopAfter, now: steppingClock() });
      const paused = await trainModel(first);
      assert.equal(paused.stopReason, 'time-budget');
      assert.equal(paused.finished, false);
      assert.equal(paused.history.length, 0, 'stopped inside epoch 1 (before its validation)');
      const pausedState = (await readCheckpointFile<{ epoch: number; step: number }>(split)).state;
      assert.deepEqual([pausedState.epoch, pausedState.step], [0, stopAfter]);

      // A new process: a freshly built model, resumed from the file.
      const second = options({ checkpointPath: split });
      const resumed = await trainModel(second);
      assert.equal(resumed.resumed, true);
      assert.equal(resumed.stopReason, 'max-epochs');
      const strip = (h: typeof result.history) => h.map(({ seconds: _, ...rest }) => rest);
      assert.deepEqual(strip(resumed.history), strip(result.history));

      const a = await readCheckpointFile(uninterrupted);
      const b = await readCheckpointFile(split);
      for (const group of ['model/', 'adam.m/', 'adam.v/', 'best/']) sameValues(a.tensors, b.tensors, group);
      for (const o of [whole, first, second]) o.model.dispose();
      assert.deepEqual(
        (await readdir(dir)).filter((f) => f.endsWith('.tmp')),
        [],
        'no temporary checkpoint files left',
      );
    });
  }

  it('resumes a checkpoint written before auxiliary losses existed', async () => {
    const uninterrupted = join(dir, 'old-whole.ckpt');
    const old = join(dir, 'old-format.ckpt');
    const whole = options({ checkpointPath: uninterrupted });
    const result = await trainModel(whole);
    const first = options({ checkpointPath: old, timeBudgetSeconds: 2, now: steppingClock() });
    await trainModel(first);
    const { state, tensors } = await readCheckpointFile<{ epochTotals: Record<string, number>; fingerprint: object }>(
      old,
    );
    // What earlier versions wrote: the same settings, and totals without the auxiliary loss.
    const earlierSettings = [
      'model',
      'trainableWeights',
      'inputShape',
      'train',
      'validation',
      'batchSize',
      'learningRate',
      'seed',
      'augment',
      'frozenBatchNorm',
      'classWeights',
    ];
    assert.deepEqual(Object.keys(state.fingerprint), earlierSettings);
    delete state.epochTotals['auxLoss'];
    const restored = new Map([...tensors].map(([name, { shape, values }]) => [name, tf.tensor(values, shape)]));
    await writeCheckpointFile(old, state, restored);
    tf.dispose([...restored.values()]);
    const second = options({ checkpointPath: old });
    const resumed = await trainModel(second);
    assert.equal(resumed.resumed, true);
    const strip = (h: typeof result.history) => h.map(({ seconds: _, ...rest }) => rest);
    assert.deepEqual(strip(resumed.history), strip(result.history));
    for (const o of [whole, first, second]) o.model.dispose();
  });

  it('refuses to resume a checkpoint written with other settings', async () => {
    const path = join(dir, 'settings.ckpt');
    const o = options({ checkpointPath: path, maxEpochs: 1 });
    await trainModel(o);
    const other = options({ checkpointPath: path, maxEpochs: 1, learningRate: 5e-3 });
    await assert.rejects(trainModel(other), /other settings \(learningRate\)/);
    o.model.dispose();
    other.model.dispose();
  });

  it('stops early when validation loss stops improving and restores the best weights', async () => {
    // Validation labels are the training labels mirrored, so learning makes validation worse.
    const o = options({
      validation: imageExamples(toyImages(10, SIZE, 2, true), SIZE),
      maxEpochs: 15,
      patience: 2,
      augment: false,
    });
    const atEpochEnd: Array<Map<string, tf.Tensor>> = [];
    o.events = { onEpoch: () => atEpochEnd.push(snapshotWeights(o.model)) };
    const result = await trainModel(o);
    assert.equal(result.stopReason, 'early-stopping');
    assert.ok(result.bestEpoch !== null && result.bestEpoch < result.history.length);
    assert.equal(result.history.length, result.bestEpoch + 2, 'stops after `patience` epochs without improvement');
    const best = atEpochEnd[result.bestEpoch - 1]!;
    const last = atEpochEnd.at(-1)!;
    for (const w of o.model.weights) {
      assert.deepEqual(w.read().dataSync(), best.get(w.originalName)!.dataSync(), w.originalName);
    }
    const kernel = o.model.getLayer('stem_conv').weights[0]!;
    assert.notDeepEqual(kernel.read().dataSync(), last.get(kernel.originalName)!.dataSync(), 'the last epoch differs');
    atEpochEnd.forEach(disposeWeights);
    o.model.dispose();
  });
});
