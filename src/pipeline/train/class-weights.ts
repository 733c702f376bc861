import { GRADE_COUNT } from '../../shared/grades.js';

/**
 * Inverse-frequency class weights w_c = N / (K · n_c) over the K classes present (scikit-learn's
 * "balanced"): every class contributes the same total weight, and the mean weight per training
 * example is 1, so the weighted loss stays on the unweighted loss's scale and the learning rate
 * means the same with or without weighting. Absent classes get 0 (no example carries it anyway).
 */
export function inverseFrequencyClassWeights(labels: readonly number[], classes: number = GRADE_COUNT): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) {
    if (!Number.isInteger(label) || label < 0 || label >= classes)
      throw new RangeError(`label ${label} outside 0..${classes - 1}`);
    counts[label]!++;
  }
  const present = counts.filter((n) => n > 0).length;
  if (present === 0) throw new RangeError('no labels to weight');
  return counts.map((n) => (n === 0 ? 0 : labels.length / (present * n)));
}
