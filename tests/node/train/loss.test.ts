import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend } from '../../../src/pipeline/train/backend.js';
import {
  meanWeightedGradeCost,
  weightedCrossEntropySum,
  weightedGradeCostSum,
} from '../../../src/pipeline/train/loss.js';
import { assertClose } from './support/tensors.js';

const PROBABILITIES = [
  [0.1, 0.2, 0.3, 0.2, 0.2],
  [0.5, 0.1, 0.1, 0.1, 0.2],
  [0.05, 0.05, 0.1, 0.3, 0.5],
];
const LABELS = [2, 0, 4];
const WEIGHTS = [0.5, 1, 2, 1, 1.5];

/** Evaluates `f` on fresh tensors of the data above and disposes them. */
function withTensors<T>(
  probabilities: number[][],
  labels: number[],
  weights: number[],
  f: (p: tf.Tensor2D, y: tf.Tensor1D, w: tf.Tensor1D) => T,
): T {
  const p = tf.tensor2d(probabilities);
  const y = tf.tensor1d(labels, 'int32');
  const w = tf.tensor1d(weights);
  try {
    return f(p, y, w);
  } finally {
    tf.dispose([p, y, w]);
  }
}

function gradeCostSum(probabilities: number[][], labels: number[]): number {
  return withTensors(probabilities, labels, WEIGHTS, (p, y, w) => {
    const cost = weightedGradeCostSum(p, y, w);
    const value = cost.dataSync()[0]!;
    cost.dispose();
    return value;
  });
}

describe('grade cost', () => {
  before(() => initTrainingBackend('wasm'));

  it('is the class-weighted expected squared grade distance, scaled by (K − 1)²', () => {
    const sum = gradeCostSum(PROBABILITIES, LABELS);
    // Row 0 (grade 2): 0.1·4 + 0.2·1 + 0.2·1 + 0.2·4 = 1.6, weight 2; row 1 (grade 0):
    // 0.1·1 + 0.1·4 + 0.1·9 + 0.2·16 = 4.6, weight 0.5; row 2 (grade 4): 0.05·16 + 0.05·9 + 0.1·4 + 0.3·1 = 1.95, weight 1.5.
    const expected = (2 * 1.6 + 0.5 * 4.6 + 1.5 * 1.95) / 16;
    assertClose([sum], [expected], 1e-6);
  });

  it('is 0 for rows that put all their probability on the true grade', () => {
    const oneHot = LABELS.map((label) => [0, 1, 2, 3, 4].map((k) => (k === label ? 1 : 0)));
    const sum = gradeCostSum(oneHot, LABELS);
    assert.equal(sum, 0);
  });

  it('pulls a logit down the harder the farther its grade is from the truth, where cross-entropy pulls all alike', () => {
    // Uniform logits for a grade-0 eye: every wrong grade has the same probability.
    const gradient = (loss: (p: tf.Tensor2D, y: tf.Tensor1D, w: tf.Tensor1D) => tf.Scalar) =>
      withTensors([[0, 0, 0, 0, 0]], [0], [1, 1, 1, 1, 1], (logits, y, w) => {
        const g = tf.grad((z: tf.Tensor) => loss(tf.softmax(z) as tf.Tensor2D, y, w))(logits);
        const values = Array.from(g.dataSync());
        g.dispose();
        return values;
      });
    const cost = gradient(weightedGradeCostSum);
    assert.ok(cost[0]! < 0, `the true grade's logit rises: ${cost.join(', ')}`);
    for (let k = 1; k < 4; k++)
      assert.ok(cost[k]! < cost[k + 1]!, `grade ${k + 1} is pushed down harder than grade ${k}: ${cost.join(', ')}`);
    const crossEntropy = gradient(weightedCrossEntropySum);
    assertClose(crossEntropy.slice(2), [crossEntropy[1]!, crossEntropy[1]!, crossEntropy[1]!], 1e-6, 'cross-entropy');
  });

  it('has a plain-JS mean that equals the tensor sum divided by the number of rows', () => {
    const sum = gradeCostSum(PROBABILITIES, LABELS);
    const mean = meanWeightedGradeCost(Float32Array.from(PROBABILITIES.flat()), LABELS, 5, WEIGHTS);
    assertClose([mean], [sum / LABELS.length], 1e-6);
    const unweighted = meanWeightedGradeCost(Float32Array.from(PROBABILITIES.flat()), LABELS, 5);
    assertClose([unweighted], [(1.6 + 4.6 + 1.95) / 16 / 3], 1e-6, 'without weights');
    assert.ok(Number.isNaN(meanWeightedGradeCost(new Float32Array(0), [], 5)));
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    withTensors(PROBABILITIES, LABELS, WEIGHTS, (p, y, w) => weightedGradeCostSum(p, y, w).dispose());
    assert.equal(tf.memory().numTensors, before);
  });
});
