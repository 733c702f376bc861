/** Keras's clipping of probabilities before the log; train/loss.ts uses it on tensors. */
export const CROSS_ENTROPY_EPSILON = 1e-7;

/** −log(clip(p_label, ε, 1 − ε)) of row `row` of row-major probabilities [N, classes]. */
export function crossEntropyAt(probabilities: ArrayLike<number>, classes: number, row: number, label: number): number {
  const p = probabilities[row * classes + label]!;
  return -Math.log(Math.min(1 - CROSS_ENTROPY_EPSILON, Math.max(CROSS_ENTROPY_EPSILON, p)));
}

/** Mean of w[label_i] · CE_i over all rows (w = 1 for every class when no weights are given). */
export function meanCrossEntropy(
  probabilities: ArrayLike<number>,
  labels: readonly number[],
  classes: number,
  classWeights?: readonly number[],
): number {
  if (labels.length === 0) return NaN;
  let sum = 0;
  labels.forEach(
    (label, row) => (sum += (classWeights?.[label] ?? 1) * crossEntropyAt(probabilities, classes, row, label)),
  );
  return sum / labels.length;
}
