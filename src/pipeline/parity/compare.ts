import { GRADE_COUNT, topGrade, type Grade } from '../../shared/grades.js';

/** One image whose top-1 grade differs between two forms of a model. */
export interface Disagreement {
  image: string;
  level: Grade;
  reference: { grade: Grade; probability: number };
  candidate: { grade: Grade; probability: number };
}

/** How far a candidate form's probabilities are from a reference form's, on the same images. */
export interface Comparison {
  images: number;
  /** Share of images with the same top-1 grade (0..1). */
  top1Agreement: number;
  /** Images whose top-1 grade differs. */
  top1Changes: number;
  /** Largest |p_candidate − p_reference| over every image and grade. */
  maxAbsDiff: number;
  /** Mean |p_candidate − p_reference| over every image and grade. */
  meanAbsDiff: number;
  referenceAccuracy: number;
  candidateAccuracy: number;
  disagreements: Disagreement[];
}

const row = (values: Float32Array, i: number) => values.subarray(i * GRADE_COUNT, (i + 1) * GRADE_COUNT);

/** Top-1 grade of each row of row-major [N, 5] probabilities. */
export function topGrades(probabilities: Float32Array): Grade[] {
  return Array.from({ length: probabilities.length / GRADE_COUNT }, (_, i) => topGrade(row(probabilities, i)));
}

export function accuracy(probabilities: Float32Array, labels: readonly Grade[]): number {
  const grades = topGrades(probabilities);
  return labels.length === 0 ? Number.NaN : grades.filter((g, i) => g === labels[i]).length / labels.length;
}

/** Compares two forms' row-major [N, 5] probabilities for the same N labelled images. */
export function compareProbabilities(
  reference: Float32Array,
  candidate: Float32Array,
  labels: readonly Grade[],
  imageNames: readonly string[],
): Comparison {
  const n = labels.length;
  if (reference.length !== n * GRADE_COUNT || candidate.length !== n * GRADE_COUNT || imageNames.length !== n) {
    throw new RangeError(`expected ${n} rows of ${GRADE_COUNT} probabilities and ${n} names`);
  }
  let maxAbsDiff = 0;
  let sumAbsDiff = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = Math.abs(candidate[i]! - reference[i]!);
    // NaN must not pass as "no difference".
    maxAbsDiff = Number.isNaN(d) ? Number.NaN : Math.max(maxAbsDiff, d);
    sumAbsDiff += d;
  }
  const referenceGrades = topGrades(reference);
  const candidateGrades = topGrades(candidate);
  const disagreements: Disagreement[] = [];
  for (let i = 0; i < n; i++) {
    const [r, c] = [referenceGrades[i]!, candidateGrades[i]!];
    if (r === c) continue;
    disagreements.push({
      image: imageNames[i]!,
      level: labels[i]!,
      reference: { grade: r, probability: reference[i * GRADE_COUNT + r]! },
      candidate: { grade: c, probability: candidate[i * GRADE_COUNT + c]! },
    });
  }
  return {
    images: n,
    top1Agreement: n === 0 ? Number.NaN : (n - disagreements.length) / n,
    top1Changes: disagreements.length,
    maxAbsDiff,
    meanAbsDiff: n === 0 ? Number.NaN : sumAbsDiff / reference.length,
    referenceAccuracy: accuracy(reference, labels),
    candidateAccuracy: accuracy(candidate, labels),
    disagreements,
  };
}

/** The parity targets: what "the same model" means for two runtimes, and for a compact form. */
export const PARITY_TARGETS = {
  /** Two runtimes on the same fp32 weights: identical top-1 everywhere, probabilities within 1e-4. */
  runtimes: { minTop1Agreement: 1, maxAbsDiffBelow: 1e-4, text: 'same top-1 on 100 % of images, max |Δp| < 1e-4' },
  /** A compact (fp16) form against its fp32 form: top-1 changes on at most 1 % of images. */
  compact: { maxTop1ChangeShare: 0.01, text: 'top-1 changes on ≤ 1 % of images' },
} as const;

export type TargetKind = keyof typeof PARITY_TARGETS;

export function meetsTarget(kind: TargetKind, c: Comparison): boolean {
  if (c.images === 0 || Number.isNaN(c.maxAbsDiff)) return false;
  if (kind === 'runtimes') {
    const t = PARITY_TARGETS.runtimes;
    return c.top1Agreement >= t.minTop1Agreement && c.maxAbsDiff < t.maxAbsDiffBelow;
  }
  return c.top1Changes / c.images <= PARITY_TARGETS.compact.maxTop1ChangeShare;
}
