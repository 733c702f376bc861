import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accuracyOf,
  confusionMatrix,
  operatingPoint,
  perClassScores,
  quadraticWeightedKappa,
  rocAuc,
  thresholdForSensitivity,
} from '../../../src/pipeline/evaluate/metrics.js';
import {
  chooseReferralThreshold,
  evaluatePredictions,
  referableScores,
} from '../../../src/pipeline/evaluate/report.js';
import { inverseFrequencyClassWeights } from '../../../src/pipeline/train/class-weights.js';

const close = (actual: number, expected: number, label?: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${label ?? ''} ${actual} ≠ ${expected}`);

describe('confusion matrix and per-grade scores', () => {
  it('counts [true][predicted]', () => {
    const m = confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3);
    assert.deepEqual(m, [
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 2],
    ]);
    close(accuracyOf(m), 4 / 6);
    const scores = perClassScores(m);
    assert.deepEqual(
      scores.map((s) => s.support),
      [2, 1, 3],
    );
    // Recall: right / true count per row; precision: right / predicted count per column.
    close(scores[0]!.recall, 1 / 2);
    close(scores[0]!.precision, 1 / 2);
    close(scores[1]!.recall, 1);
    close(scores[1]!.precision, 1 / 2);
    close(scores[2]!.recall, 2 / 3);
    close(scores[2]!.precision, 1);
  });

  it('leaves undefined ratios NaN (no examples of a grade)', () => {
    const [, absent] = perClassScores(confusionMatrix([0, 0], [0, 0], 2));
    assert.ok(Number.isNaN(absent!.recall) && Number.isNaN(absent!.precision));
  });

  it('rejects labels outside the classes', () => {
    assert.throws(() => confusionMatrix([0, 5], [0, 1], 5), /outside/);
  });
});

describe('quadratic weighted kappa', () => {
  it('is 1 for perfect agreement', () => {
    close(quadraticWeightedKappa(confusionMatrix([0, 1, 2, 3, 4, 2], [0, 1, 2, 3, 4, 2], 5)), 1);
  });

  it('is −1 for the full reversal of a uniform set', () => {
    // Σw·O = (16+4+0+4+16)/16 = 2.5; Σw·E = (1/5)·Σ(i−j)²/16 = 100/80 = 1.25; κ = 1 − 2.5/1.25.
    close(quadraticWeightedKappa(confusionMatrix([0, 1, 2, 3, 4], [4, 3, 2, 1, 0], 5)), -1);
  });

  it("matches the textbook Cohen's kappa for two classes (Wikipedia's 50 grant proposals: κ = 0.4)", () => {
    // Both yes 20, A yes/B no 5, A no/B yes 10, both no 15: p_o = 0.7, p_e = 0.5. With two
    // classes the quadratic weights are 0/1, so weighted and unweighted kappa agree.
    close(
      quadraticWeightedKappa([
        [20, 5],
        [10, 15],
      ]),
      0.4,
    );
  });

  it('weighs distant mistakes more (hand-computed 3-class example: κ = 0.8)', () => {
    // O = [[1,0,0],[0,0,1],[0,0,1]], w = (i−j)²/4. Σw·O = 1/4. E_ij = r_i·c_j/3 with r = (1,1,1),
    // c = (1,0,2): Σw·E = 2/3 + 1/4 + 1/3 = 5/4. κ = 1 − (1/4)/(5/4) = 0.8.
    close(quadraticWeightedKappa(confusionMatrix([0, 1, 2], [0, 2, 2], 3)), 0.8);
    // Off by two instead: Σw·O = 1; c = (0,1,2) so Σw·E = 3/4 + 1/6 + 1/12 = 1 → κ = 0, chance level.
    close(quadraticWeightedKappa(confusionMatrix([0, 1, 2], [2, 1, 2], 3)), 0);
  });
});

describe('referable DR', () => {
  it('computes sensitivity and specificity at a threshold (score ≥ threshold is positive)', () => {
    const p = operatingPoint([0.9, 0.6, 0.4, 0.2, 0.5], [true, true, true, false, false], 0.5);
    assert.deepEqual([p.truePositives, p.falseNegatives, p.trueNegatives, p.falsePositives], [2, 1, 1, 1]);
    close(p.sensitivity, 2 / 3);
    close(p.specificity, 1 / 2);
  });

  it('computes ROC AUC (scikit-learn doc example: 0.75) and counts ties as half', () => {
    close(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 0.75);
    close(rocAuc([0.5, 0.5], [false, true]), 0.5);
    close(rocAuc([0.2, 0.3, 0.9], [false, false, true]), 1);
    close(rocAuc([0.9, 0.1], [false, true]), 0);
  });

  it('picks the highest threshold that keeps sensitivity ≥ target', () => {
    const scores = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.65, 0.35];
    const positive = [true, true, true, true, true, true, true, true, true, true, false, false];
    const p = thresholdForSensitivity(scores, positive, 0.9);
    close(p.threshold, 0.2); // 9 of 10 positives score ≥ 0.2
    close(p.sensitivity, 0.9);
    close(p.specificity, 0);
    close(thresholdForSensitivity(scores, positive, 0.5).threshold, 0.6);
    // 0.9 · 30 is 27.000000000000004 in floating point: still 27 positives, not 28.
    const thirty = Array.from({ length: 30 }, (_, i) => 1 - i / 30);
    close(
      thresholdForSensitivity(
        thirty,
        thirty.map(() => true),
        0.9,
      ).sensitivity,
      0.9,
    );
  });

  it('scores P(grade ≥ 2) = p2 + p3 + p4 and reports both operating points', () => {
    // Dyadic values, so the sums are exact and the tie at 0.375 is a real tie.
    const probabilities = [
      [0.75, 0.125, 0.0625, 0.03125, 0.03125], // grade 0, P(ref) 0.125
      [0.125, 0.5, 0.25, 0.0625, 0.0625], // grade 1, P(ref) 0.375
      [0.125, 0.125, 0.5, 0.125, 0.125], // grade 2, P(ref) 0.75
      [0.25, 0.375, 0.125, 0.125, 0.125], // grade 3, P(ref) 0.375, predicted 1
    ].flat();
    const labels = [0, 1, 2, 3];
    assert.deepEqual(referableScores(probabilities, 4), [0.125, 0.375, 0.75, 0.375]);
    const threshold = chooseReferralThreshold(probabilities, labels, 1);
    close(threshold.threshold, 0.375);
    const report = evaluatePredictions(probabilities, labels, threshold);
    assert.equal(report.examples, 4);
    close(report.accuracy, 3 / 4);
    assert.deepEqual(report.confusionMatrix[3], [0, 1, 0, 0, 0]);
    close(report.referable.atHalf.sensitivity, 1 / 2);
    close(report.referable.atHalf.specificity, 1);
    close(report.referable.atValidationThreshold!.sensitivity, 1);
    close(report.referable.atValidationThreshold!.specificity, 1 / 2);
    // Positives 0.75, 0.375 vs negatives 0.125, 0.375: pairs won 1 + 1 + 1 + ½ (the tie) of 4.
    close(report.referable.rocAuc, 3.5 / 4);
    const ce = -(Math.log(0.75) + Math.log(0.5) + Math.log(0.5) + Math.log(0.125)) / 4;
    assert.ok(Math.abs(report.meanLoss - ce) < 1e-12);
    const serialised = JSON.parse(JSON.stringify(report)) as { perGrade: Array<{ recall: number | null }> };
    assert.equal(serialised.perGrade[4]!.recall, null, 'NaN serialises as null');
    // As the app refers: grade 2 (row 3) by its grade, grade 3 (row 4, graded Mild) by its probability,
    // and the Mild eye (row 2, P(ref) at the threshold) too.
    assert.deepEqual(report.referable.asTheAppRefers, {
      rule: 'grade or threshold',
      sensitivity: 1,
      specificity: 0.5,
      truePositives: 2,
      falsePositives: 1,
      trueNegatives: 1,
      falseNegatives: 0,
    });
  });

  it('refers as the app does: a top grade of 2+ refers even below a high threshold; without a threshold, the grade alone', () => {
    const probabilities = [
      [0.25, 0.375, 0.375, 0, 0], // grade 2 (ties go to the lower grade: graded Mild), P(ref) 0.375
      [0.25, 0.25, 0.5, 0, 0], // grade 2, graded Moderate, P(ref) 0.5
      [0.5, 0.125, 0.125, 0.125, 0.125], // grade 0, P(ref) 0.375
      [0.75, 0.125, 0.125, 0, 0], // grade 0, P(ref) 0.125
    ].flat();
    const labels = [2, 2, 0, 0];
    const high = evaluatePredictions(probabilities, labels, { threshold: 0.75, targetSensitivity: 0.97 });
    // P(ref) ≥ 0.75 flags nobody; the app still refers the eye graded Moderate.
    assert.equal(high.referable.atValidationThreshold!.truePositives, 0);
    assert.deepEqual(high.referable.asTheAppRefers, {
      rule: 'grade or threshold',
      sensitivity: 0.5,
      specificity: 1,
      truePositives: 1,
      falsePositives: 0,
      trueNegatives: 2,
      falseNegatives: 1,
    });
    const low = evaluatePredictions(probabilities, labels, { threshold: 0.375, targetSensitivity: 0.97 });
    assert.deepEqual(low.referable.asTheAppRefers, {
      rule: 'grade or threshold',
      sensitivity: 1,
      specificity: 0.5,
      truePositives: 2,
      falsePositives: 1,
      trueNegatives: 1,
      falseNegatives: 0,
    });
    assert.deepEqual(evaluatePredictions(probabilities, labels).referable.asTheAppRefers, {
      rule: 'grade',
      sensitivity: 0.5,
      specificity: 1,
      truePositives: 1,
      falsePositives: 0,
      trueNegatives: 2,
      falseNegatives: 1,
    });
  });
});

describe('class weights', () => {
  it('are inverse frequency with mean weight 1 over the training examples', () => {
    const labels = [0, 0, 0, 0, 0, 0, 1, 1, 2, 4];
    const w = inverseFrequencyClassWeights(labels);
    // N / (K_present · n_c) with N = 10, K_present = 4.
    assert.deepEqual(w, [10 / 24, 10 / 8, 10 / 4, 0, 10 / 4]);
    close(labels.reduce((sum, l) => sum + w[l]!, 0) / labels.length, 1);
  });
});
