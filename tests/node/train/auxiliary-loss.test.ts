import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { GAP_LAYER } from '../../../src/pipeline/model/classifier-head.js';
import { buildTinyClassifier } from '../../../src/pipeline/model/tiny-classifier.js';
import { Adam } from '../../../src/pipeline/train/adam.js';
import { AuxiliaryHead } from '../../../src/pipeline/train/auxiliary-head.js';
import { initTrainingBackend } from '../../../src/pipeline/train/backend.js';
import { readCheckpointFile } from '../../../src/pipeline/train/checkpoint-file.js';
import { imageExamples } from '../../../src/pipeline/train/examples.js';
import { trainableVariables } from '../../../src/pipeline/train/model-weights.js';
import { accumulateGradients, trainStep } from '../../../src/pipeline/train/train-step.js';
import { trainModel, type AuxiliaryTask, type TrainerOptions } from '../../../src/pipeline/train/trainer.js';
import { assertClose, seededValues } from './support/tensors.js';
import { convNetWithoutBatchNorm, toyImages, toyTargets } from './support/tiny-data.js';

const SIZE = 32;
const WIDTH = 8;
const trainImages = toyImages(40, SIZE, 1);
const validationImages = toyImages(10, SIZE, 2);
const train = imageExamples(trainImages, SIZE);
const validation = imageExamples(validationImages, SIZE);

function auxiliary(overrides: Partial<AuxiliaryTask> = {}): AuxiliaryTask {
  return {
    featureLayer: GAP_LAYER,
    width: WIDTH,
    train: toyTargets(trainImages, WIDTH),
    validation: toyTargets(validationImages, WIDTH),
    weight: 1,
    description: { columns: 'toy' },
    ...overrides,
  };
}

/** 5 steps of 8 (micro-batches of 3) per epoch, with the auxiliary task. */
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
    auxiliary: auxiliary(),
    ...overrides,
  };
}

function steppingClock(): () => number {
  let t = 0;
  return () => (t += 1000) - 1000;
}

/** Σ over `rows` of the mean squared target: the squared error of a head that predicts zeros. */
function zeroHeadError(targets: Float32Array, rows: readonly number[]): number {
  let sum = 0;
  for (const r of rows) for (let j = 0; j < WIDTH; j++) sum += targets[r * WIDTH + j]! ** 2 / WIDTH;
  return sum;
}

describe('auxiliary regression head', () => {
  let dir: string;
  before(async () => {
    await initTrainingBackend('wasm');
    dir = await mkdtemp(join(tmpdir(), 'fg-aux-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('adds the weighted squared error of its predictions to the loss, and starts by sending the backbone nothing', async () => {
    const model = buildTinyClassifier({ inputSize: SIZE, seed: 3 });
    const head = new AuxiliaryHead(model, GAP_LAYER, WIDTH);
    const targets = toyTargets(trainImages, WIDTH);
    const classWeights = tf.ones<tf.Rank.R1>([5]);
    const batch = [4, 9, 0, 13, 21, 2, 7];
    const plain = await accumulateGradients({
      model,
      variables: trainableVariables(model),
      examples: train,
      batch,
      microBatch: 3,
      classWeights,
    });
    const withAux = await accumulateGradients({
      model,
      variables: new Map([...trainableVariables(model), ...head.variables]),
      examples: train,
      batch,
      microBatch: 3,
      classWeights,
      auxiliary: { head, targets, weight: 2.5 },
    });
    assertClose([withAux.totals.auxLoss], [zeroHeadError(targets, batch)], 1e-6, 'squared error of a zero head');
    assertClose([withAux.totals.weightedLoss], [plain.totals.weightedLoss], 1e-6, 'grade loss');
    assert.equal(plain.totals.auxLoss, 0);
    // d/dW of weight · Σ mean_j (W·f + b − t)² / batch at W = 0, b = 0: −2 · weight · Σ t / (8 · batch) for the bias.
    const expectedBias = Array.from(
      { length: WIDTH },
      (_, j) => (-2 * 2.5 * batch.reduce((s, r) => s + targets[r * WIDTH + j]!, 0)) / (WIDTH * batch.length),
    );
    assertClose(withAux.gradients.get('auxiliary_head/bias')!.dataSync(), expectedBias, 1e-5, 'bias gradient');
    for (const [key, g] of plain.gradients)
      assertClose(withAux.gradients.get(key)!.dataSync(), g.dataSync(), 1e-5, key);
    tf.dispose([...plain.gradients.values(), ...withAux.gradients.values(), classWeights]);
    head.dispose();
    model.dispose();
  });

  it('sums micro-batch gradients to the full batch gradient (model without BatchNorm)', async () => {
    const images = toyImages(12, 16, 4);
    const examples = imageExamples(images, 16);
    const batch = [3, 1, 4, 0, 5, 9, 2, 6, 8, 7, 11, 10];
    const model = convNetWithoutBatchNorm(16, 5);
    const pooling = model.layers.find((l) => l.getClassName() === 'GlobalAveragePooling2D')!.name;
    const head = new AuxiliaryHead(model, pooling, WIDTH);
    // A head that has learned something, so the auxiliary loss reaches the backbone.
    for (const [key, v] of head.variables) v.assign(tf.tensor(seededValues(v.shape, key.length), v.shape));
    const variables = new Map([...trainableVariables(model), ...head.variables]);
    const classWeights = tf.tensor1d([0.5, 1, 2, 1, 1.5]);
    const auxiliary = { head, targets: toyTargets(images, WIDTH), weight: 0.7 };
    const run = (microBatch: number) =>
      accumulateGradients({ model, variables, examples, batch, microBatch, classWeights, auxiliary });
    const full = await run(12);
    const micro = await run(5);
    assertClose([micro.totals.auxLoss], [full.totals.auxLoss], 1e-5, 'auxiliary loss');
    assert.equal(full.gradients.size, variables.size);
    for (const [key, g] of full.gradients) assertClose(micro.gradients.get(key)!.dataSync(), g.dataSync(), 1e-5, key);
    tf.dispose([...full.gradients.values(), ...micro.gradients.values(), classWeights]);
    head.dispose();
    model.dispose();
  });

  it('learns the targets within a few steps', async () => {
    const model = buildTinyClassifier({ inputSize: SIZE, seed: 3 });
    const head = new AuxiliaryHead(model, GAP_LAYER, WIDTH);
    const variables = new Map([...trainableVariables(model), ...head.variables]);
    const optimizer = new Adam({ learningRate: 3e-2 });
    const classWeights = tf.ones<tf.Rank.R1>([5]);
    const batch = Array.from({ length: 20 }, (_, i) => i);
    const auxiliary = { head, targets: toyTargets(trainImages, WIDTH), weight: 1 };
    const losses: number[] = [];
    for (let step = 0; step < 14; step++) {
      const totals = await trainStep({
        model,
        optimizer,
        variables,
        examples: train,
        batch,
        microBatch: 10,
        classWeights,
        auxiliary,
      });
      losses.push(totals.auxLoss / totals.examples);
    }
    assert.ok(losses.at(-1)! < 0.5 * losses[0]!, `auxiliary loss went ${losses.map((l) => l.toFixed(3)).join(' → ')}`);
    tf.dispose(classWeights);
    optimizer.dispose();
    head.dispose();
    model.dispose();
  });

  it('leaves the model exactly the product architecture, and no tensors behind', async () => {
    const o = options({ maxEpochs: 1 });
    const before = tf.memory().numTensors;
    const result = await trainModel(o);
    assert.equal(tf.memory().numTensors, before);
    const fresh = buildTinyClassifier({ inputSize: SIZE, seed: 1 });
    assert.deepEqual(o.model.toJSON(null, false), fresh.toJSON(null, false));
    assert.deepEqual(
      o.model.weights.map((w) => w.originalName),
      fresh.weights.map((w) => w.originalName),
    );
    const record = result.history[0]!;
    assert.ok(record.trainAuxLoss! > 0 && record.valAuxLoss! > 0, JSON.stringify(record));
    fresh.dispose();
    o.model.dispose();
  });

  it('stops on the time budget and resumes exactly, head and its Adam state included', async () => {
    const uninterrupted = join(dir, 'whole.ckpt');
    const split = join(dir, 'split.ckpt');
    const whole = options({ checkpointPath: uninterrupted });
    const result = await trainModel(whole);
    const first = options({ checkpointPath: split, timeBudgetSeconds: 3, now: steppingClock() });
    assert.equal((await trainModel(first)).stopReason, 'time-budget');
    const second = options({ checkpointPath: split });
    const resumed = await trainModel(second);
    assert.equal(resumed.resumed, true);
    const strip = (h: typeof result.history) => h.map(({ seconds: _, ...rest }) => rest);
    assert.deepEqual(strip(resumed.history), strip(result.history));
    assert.ok(result.history.every((r) => r.valAuxLoss !== undefined));

    const a = await readCheckpointFile(uninterrupted);
    const b = await readCheckpointFile(split);
    assert.deepEqual([...a.tensors.keys()], [...b.tensors.keys()]);
    for (const name of ['aux/auxiliary_head/kernel', 'adam.m/auxiliary_head/kernel', 'adam.v/auxiliary_head/bias'])
      assert.ok(a.tensors.has(name), name);
    for (const [name, { values }] of a.tensors) assert.deepEqual(b.tensors.get(name)!.values, values, name);
    for (const o of [whole, first, second]) o.model.dispose();
  });

  it('refuses to resume with another auxiliary setting, or without it', async () => {
    const path = join(dir, 'settings.ckpt');
    const o = options({ checkpointPath: path, maxEpochs: 1 });
    await trainModel(o);
    const heavier = options({ checkpointPath: path, maxEpochs: 1, auxiliary: auxiliary({ weight: 2 }) });
    await assert.rejects(trainModel(heavier), /other settings \(auxiliary\)/);
    const without = options({ checkpointPath: path, maxEpochs: 1, auxiliary: undefined });
    await assert.rejects(trainModel(without), /other settings \(auxiliary\)/);
    for (const x of [o, heavier, without]) x.model.dispose();
  });

  it('stops early on the validation grade loss, not on the combined loss', async () => {
    // Validation labels mirrored (learning makes its grade loss worse), its targets not (they
    // improve); no BatchNorm, so validation follows training without moving-average lag.
    const model = convNetWithoutBatchNorm(SIZE, 3);
    const pooling = model.layers.find((l) => l.getClassName() === 'GlobalAveragePooling2D')!.name;
    const weight = 5;
    const o = options({
      model,
      validation: imageExamples(toyImages(10, SIZE, 2, true), SIZE),
      auxiliary: auxiliary({ featureLayer: pooling, validation: toyTargets(validationImages, WIDTH), weight }),
      microBatch: 8,
      maxEpochs: 12,
      patience: 2,
      augment: false,
    });
    const result = await trainModel(o);
    assert.equal(result.stopReason, 'early-stopping');
    const valLosses = result.history.map((r) => r.valLoss);
    assert.equal(result.bestEpoch, valLosses.indexOf(Math.min(...valLosses)) + 1);
    assert.equal(result.history.length, result.bestEpoch + 2);
    const combined = result.history.map((r) => r.valLoss + weight * r.valAuxLoss!);
    assert.ok(
      combined.at(-1)! < combined[result.bestEpoch - 1]!,
      `the combined loss improved (${combined.map((v) => v.toFixed(3)).join(' → ')}), the grade loss did not`,
    );
    o.model.dispose();
  });

  it('rejects targets that do not fit the examples, and a layer without pooled features', async () => {
    const o = options({ auxiliary: auxiliary({ train: new Float32Array(8) }) });
    await assert.rejects(trainModel(o), /8 auxiliary train targets are not 40 rows of 8/);
    o.model.dispose();
    const model = buildTinyClassifier({ inputSize: SIZE });
    assert.throws(
      () => new AuxiliaryHead(model, 'stem_conv', WIDTH),
      /layer stem_conv of tiny_dr_classifier does not output \[batch, features\]/,
    );
    model.dispose();
  });
});
