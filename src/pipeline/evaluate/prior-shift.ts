/**
 * Correcting a grader for the grade mix it will meet (label or prior shift).
 *
 * The shipped model learns on grade-balanced images but screens a population where most eyes have
 * no DR (the EyePACS mix). Bayes' rule says the posterior under the new prior is
 * p'(k|x) ∝ p(k|x) · π_deploy(k) / π_train(k) (Saerens, Latinne & Decaestecker 2002), i.e. the logits
 * move by log(π_deploy / π_train). A model's probabilities are not exact posteriors, so the full
 * shift over-corrects (on ours it stops predicting Mild and Proliferative at all); we scale it by a
 * strength α ∈ [0, 1] chosen on the validation split reweighted to the deployment mix, which the
 * held-out test set then judges. The offsets fold into the final Dense bias: softmax(z + c).
 */
import { GRADE_COUNT, topGrade } from '../../shared/grades.js';
import { accuracyOf, confusionMatrix, quadraticWeightedKappa, type ConfusionMatrix } from './metrics.js';

/** Share of each grade among the labels. */
export function gradePrior(labels: readonly number[]): number[] {
  const counts = new Array<number>(GRADE_COUNT).fill(0);
  for (const label of labels) counts[label]!++;
  return counts.map((c) => c / labels.length);
}

function checkPrior(prior: readonly number[], name: string): void {
  if (prior.length !== GRADE_COUNT || prior.some((p) => !(p > 0))) {
    throw new RangeError(`${name} needs ${GRADE_COUNT} shares above 0, got [${prior.join(', ')}]`);
  }
}

/** log(π_deploy(k) / π_train(k)) per grade: the full prior-shift logit offsets. */
export function priorLogRatio(deployment: readonly number[], training: readonly number[]): number[] {
  checkPrior(deployment, 'the deployment prior');
  checkPrior(training, 'the training prior');
  const sum = (p: readonly number[]) => p.reduce((a, b) => a + b, 0);
  const [d, t] = [sum(deployment), sum(training)];
  return deployment.map((p, k) => Math.log(p / d / (training[k]! / t)));
}

/** softmax(log p + offsets) per row of row-major probabilities [N, 5]: what the shifted model outputs. */
export function shiftedProbabilities(probabilities: ArrayLike<number>, offsets: readonly number[]): Float32Array {
  const out = new Float32Array(probabilities.length);
  const z = new Array<number>(GRADE_COUNT);
  for (let row = 0; row < probabilities.length; row += GRADE_COUNT) {
    let max = -Infinity;
    for (let k = 0; k < GRADE_COUNT; k++) {
      // A probability of exactly 0 stays 0 (log 0 = −∞), as a logit shift would keep it.
      z[k] = Math.log(probabilities[row + k]!) + offsets[k]!;
      max = Math.max(max, z[k]!);
    }
    let total = 0;
    for (let k = 0; k < GRADE_COUNT; k++) total += z[k] = Math.exp(z[k]! - max);
    for (let k = 0; k < GRADE_COUNT; k++) out[row + k] = z[k]! / total;
  }
  return out;
}

/** Each true grade's row scaled by its weight: the confusion matrix of a sample with another grade mix. */
export function reweightRows(matrix: ConfusionMatrix, rowWeights: readonly number[]): ConfusionMatrix {
  return matrix.map((row, grade) => row.map((count) => count * rowWeights[grade]!));
}

/** Weights that make a labelled sample with `sample` grade shares count as if it had `target`'s. */
export function mixWeights(sample: readonly number[], target: readonly number[]): number[] {
  return target.map((t, k) => (sample[k]! > 0 ? t / sample[k]! : 0));
}

export interface PriorStrengthTrial {
  strength: number;
  /** On the validation split reweighted to the deployment mix. */
  quadraticWeightedKappa: number;
  accuracy: number;
  /** How many grades the shifted model predicts for at least one validation image. */
  gradesPredicted: number;
}

export interface PriorStrengthChoice {
  strength: number;
  /** strength · log(π_deploy / π_train): add to the logits (the final Dense bias). */
  offsets: number[];
  trials: PriorStrengthTrial[];
}

export const DEFAULT_STRENGTHS: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 20);

/**
 * The strength whose shifted predictions have the highest quadratic weighted kappa on validation
 * data reweighted to the deployment mix, among those that still predict every grade the unshifted
 * model predicts there (the full shift buys kappa by never saying "Mild" or "Proliferative"; a
 * grader that cannot name a grade is not one we would ship). Ties go to the smaller shift; strength
 * 0 (no shift) always qualifies.
 */
export function choosePriorStrength(
  probabilities: ArrayLike<number>,
  labels: readonly number[],
  deployment: readonly number[],
  training: readonly number[],
  strengths: readonly number[] = DEFAULT_STRENGTHS,
): PriorStrengthChoice {
  if (probabilities.length !== labels.length * GRADE_COUNT) {
    throw new RangeError(`${probabilities.length} probabilities for ${labels.length} labels of ${GRADE_COUNT} grades`);
  }
  const full = priorLogRatio(deployment, training);
  const rowWeights = mixWeights(gradePrior(labels), deployment);
  const grid = [...new Set([0, ...strengths])].sort((a, b) => a - b);
  const runs = grid.map((strength) => {
    const shifted = shiftedProbabilities(
      probabilities,
      full.map((c) => strength * c),
    );
    const predicted = labels.map((_, i) => topGrade(shifted.subarray(i * GRADE_COUNT, (i + 1) * GRADE_COUNT)));
    const matrix = reweightRows(confusionMatrix(labels, predicted, GRADE_COUNT), rowWeights);
    const trial: PriorStrengthTrial = {
      strength,
      quadraticWeightedKappa: quadraticWeightedKappa(matrix),
      accuracy: accuracyOf(matrix),
      gradesPredicted: new Set(predicted).size,
    };
    return { trial, grades: new Set(predicted) };
  });
  const unshifted = runs[0]!.grades;
  const keepsGrades = (grades: Set<number>) => [...unshifted].every((g) => grades.has(g));
  const score = (t: PriorStrengthTrial) =>
    Number.isFinite(t.quadraticWeightedKappa) ? t.quadraticWeightedKappa : -Infinity;
  const best = runs
    .filter((run) => keepsGrades(run.grades))
    .map((run) => run.trial)
    .reduce((a, b) => (score(b) > score(a) + 1e-12 ? b : a));
  const trials = runs.map((run) => run.trial);
  return { strength: best.strength, offsets: full.map((c) => best.strength * c), trials };
}
