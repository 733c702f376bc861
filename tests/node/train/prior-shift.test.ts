import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  choosePriorStrength,
  gradePrior,
  mixWeights,
  priorLogRatio,
  reweightRows,
  shiftedProbabilities,
} from '../../../src/pipeline/evaluate/prior-shift.js';
import { shiftOutputBias } from '../../../src/pipeline/model/shift-output-bias.js';
import { buildTinyClassifier } from '../../../src/pipeline/model/tiny-classifier.js';

const BALANCED = [0.2, 0.2, 0.2, 0.2, 0.2];
const SKEWED = [0.6, 0.1, 0.1, 0.1, 0.1];

describe('prior shift', () => {
  it("moves probabilities by Bayes' rule: p·π_deploy/π_train, renormalised", () => {
    const offsets = priorLogRatio(SKEWED, BALANCED);
    assert.ok(Math.abs(offsets[0]! - Math.log(3)) < 1e-12 && Math.abs(offsets[1]! - Math.log(0.5)) < 1e-12);
    const p = [0.1, 0.3, 0.2, 0.25, 0.15];
    const shifted = shiftedProbabilities(p, offsets);
    const bayes = p.map((v, k) => (v * SKEWED[k]!) / BALANCED[k]!);
    const total = bayes.reduce((a, b) => a + b);
    shifted.forEach((v, k) => assert.ok(Math.abs(v - bayes[k]! / total) < 1e-6, `grade ${k}`));
    assert.deepEqual(
      [...shiftedProbabilities(p, [0, 0, 0, 0, 0])].map((v) => +v.toFixed(6)),
      p,
    );
    // Unnormalised shares mean the same mix.
    priorLogRatio([6, 1, 1, 1, 1], [1, 1, 1, 1, 1]).forEach((c, k) => assert.ok(Math.abs(c - offsets[k]!) < 1e-12));
    assert.throws(() => priorLogRatio([1, 0, 0, 0, 0], BALANCED), /deployment prior needs 5 shares above 0/);
  });

  it('reweights a labelled sample to another grade mix', () => {
    const labels = [0, 0, 1, 2, 3, 4, 4, 4];
    assert.deepEqual(gradePrior(labels), [0.25, 0.125, 0.125, 0.125, 0.375]);
    const weights = mixWeights(gradePrior(labels), SKEWED);
    assert.deepEqual(
      reweightRows(
        [
          [2, 0, 0, 0, 0],
          [0, 1, 0, 0, 0],
          [0, 0, 1, 0, 0],
          [0, 0, 0, 1, 0],
          [0, 0, 0, 0, 3],
        ],
        weights,
      ).map((row, g) => row[g]! / labels.length),
      SKEWED.map((p) => +p.toFixed(12)),
    );
  });

  it('chooses the strength with the best reweighted kappa that still predicts every grade the model did', () => {
    // Balanced validation images; the model's grade-0/grade-1 boundary sits too low for a mix where
    // grade 0 dominates: half the grade-0 images look "Mild" (barely). A shift of strength 0.2–0.44
    // fixes them; beyond 0.44 it also takes the true Mild images (p1 0.55, p0 0.25) to grade 0.
    const labels: number[] = [];
    const probabilities: number[] = [];
    const row = (top: number, second: number, margin: number) => {
      const p = [0.05, 0.05, 0.05, 0.05, 0.05];
      p[top] = 0.45 + margin;
      p[second] = 0.35 - margin;
      return p;
    };
    for (let i = 0; i < 10; i++) {
      labels.push(0);
      probabilities.push(...(i < 5 ? row(0, 1, 0.2) : row(1, 0, 0.02)));
      labels.push(1, 2, 3, 4);
      probabilities.push(...row(1, 0, 0.1), ...row(2, 1, 0.3), ...row(3, 2, 0.3), ...row(4, 3, 0.3));
    }
    const choice = choosePriorStrength(probabilities, labels, SKEWED, BALANCED);
    const at = (s: number) => choice.trials.find((t) => t.strength === s)!;
    assert.equal(choice.trials.length, 21);
    assert.ok(
      choice.strength >= 0.2 && choice.strength <= 0.44,
      `a shift helps here, up to a point: ${choice.strength}`,
    );
    assert.ok(at(choice.strength).quadraticWeightedKappa > at(0).quadraticWeightedKappa);
    assert.equal(at(choice.strength).gradesPredicted, 5);
    // Strength 1 moves every Mild image to grade 0: best kappa is not allowed to buy that.
    assert.ok(
      choice.trials.some((t) => t.gradesPredicted < 5),
      'some strengths silence a grade',
    );
    for (const t of choice.trials)
      if (t.gradesPredicted === 5)
        assert.ok(t.quadraticWeightedKappa <= at(choice.strength).quadraticWeightedKappa + 1e-12);
    // Smallest among equals: the chosen one is the first strength reaching its kappa.
    assert.equal(
      choice.trials.find(
        (t) =>
          t.gradesPredicted === 5 &&
          Math.abs(t.quadraticWeightedKappa - at(choice.strength).quadraticWeightedKappa) < 1e-12,
      )!.strength,
      choice.strength,
    );
    choice.offsets.forEach((c, k) => assert.ok(Math.abs(c - choice.strength * Math.log(SKEWED[k]! / 0.2)) < 1e-12));
    assert.throws(() => choosePriorStrength([0.2], labels, SKEWED, BALANCED), /probabilities for 50 labels/);
  });

  it("is the model's own output once folded into the final bias, with no tensor left behind", () => {
    const model = buildTinyClassifier({ seed: 3 });
    const input = tf.randomUniform([4, 300, 300, 3], 0, 255, 'float32', 7);
    const offsets = priorLogRatio(SKEWED, BALANCED).map((c) => 0.5 * c);
    const before = tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync());
    const tensors = tf.memory().numTensors;
    shiftOutputBias(model, offsets);
    assert.equal(tf.memory().numTensors, tensors, 'no leak');
    const after = tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync());
    const expected = shiftedProbabilities(before, offsets);
    after.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-5, `value ${i}`));
    assert.throws(() => shiftOutputBias(model, [1, 2]), /layer predictions has no bias of 2 units/);
    input.dispose();
    model.dispose();
  });
});
