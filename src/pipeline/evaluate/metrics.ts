/**
 * Classification metrics on plain arrays. Undefined ratios (no examples to divide by) are NaN,
 * which JSON.stringify writes as null.
 */

export type ConfusionMatrix = number[][];

/** counts[true][predicted]. */
export function confusionMatrix(
  truth: readonly number[],
  predicted: readonly number[],
  classes: number,
): ConfusionMatrix {
  if (truth.length !== predicted.length)
    throw new RangeError(`${truth.length} labels but ${predicted.length} predictions`);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  truth.forEach((t, i) => {
    const p = predicted[i]!;
    if (!(t >= 0 && t < classes && p >= 0 && p < classes))
      throw new RangeError(`class outside 0..${classes - 1}: ${t} → ${p}`);
    m[t]![p]!++;
  });
  return m;
}

const total = (m: ConfusionMatrix) => m.flat().reduce((a, b) => a + b, 0);

export function accuracyOf(m: ConfusionMatrix): number {
  return m.reduce((sum, row, i) => sum + row[i]!, 0) / total(m);
}

/**
 * Cohen's kappa with quadratic weights w_ij = (i − j)² / (K − 1)², the Kaggle EyePACS metric:
 * κ = 1 − Σ w·O / Σ w·E, where E is the outer product of the true and predicted class totals over N
 * (agreement expected by chance). 1 = perfect, 0 = chance, < 0 = worse than chance.
 */
export function quadraticWeightedKappa(m: ConfusionMatrix): number {
  const k = m.length;
  const n = total(m);
  const rows = m.map((row) => row.reduce((a, b) => a + b, 0));
  const cols = m[0]!.map((_, j) => m.reduce((sum, row) => sum + row[j]!, 0));
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const w = (i - j) ** 2 / (k - 1) ** 2;
      observed += w * m[i]![j]!;
      expected += (w * rows[i]! * cols[j]!) / n;
    }
  }
  return 1 - observed / expected;
}

export interface ClassScores {
  /** Examples of this class. */
  support: number;
  /** Share of this class's examples predicted as it (sensitivity). */
  recall: number;
  /** Share of the predictions of this class that are right. */
  precision: number;
}

export function perClassScores(m: ConfusionMatrix): ClassScores[] {
  return m.map((row, c) => {
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = m.reduce((sum, r) => sum + r[c]!, 0);
    return { support, recall: row[c]! / support, precision: m[c]![c]! / predicted };
  });
}

export interface OperatingPoint {
  threshold: number;
  sensitivity: number;
  specificity: number;
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
}

/** A score ≥ threshold counts as positive. */
export function operatingPoint(
  scores: readonly number[],
  positive: readonly boolean[],
  threshold: number,
): OperatingPoint {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  scores.forEach((s, i) => {
    const flagged = s >= threshold;
    if (positive[i]) {
      if (flagged) tp++;
      else fn++;
    } else if (flagged) fp++;
    else tn++;
  });
  return {
    threshold,
    sensitivity: tp / (tp + fn),
    specificity: tn / (tn + fp),
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
  };
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative,
 * ties counting half (the Mann–Whitney U statistic over n₊·n₋, with average ranks for ties).
 */
export function rocAuc(scores: readonly number[], positive: readonly boolean[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  let positiveRankSum = 0;
  let positives = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end < order.length && order[end]![0] === order[start]![0]) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let r = start; r < end; r++) {
      if (positive[order[r]![1]]) {
        positiveRankSum += averageRank;
        positives++;
      }
    }
    start = end;
  }
  const negatives = scores.length - positives;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * The highest threshold (so the best specificity) whose sensitivity is at least `target`. Choose
 * it on validation data and only apply it to test data: picked on the test set it would report the
 * sensitivity it was tuned to, not the one a new patient meets. NaN threshold without positives.
 */
export function thresholdForSensitivity(
  scores: readonly number[],
  positive: readonly boolean[],
  target: number,
): OperatingPoint {
  const positiveScores = scores.filter((_, i) => positive[i]).sort((a, b) => b - a);
  if (positiveScores.length === 0) return operatingPoint(scores, positive, NaN);
  // Flagging the top ⌈target·n₊⌉ positives is the least that reaches the target (the 1e-9 keeps
  // 0.9 · 30 = 27.000000000000004 from asking for 28).
  const needed = Math.ceil(target * positiveScores.length - 1e-9);
  const threshold = positiveScores[Math.max(needed, 1) - 1]!;
  return operatingPoint(scores, positive, threshold);
}
