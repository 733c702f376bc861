/**
 * Which images a synthetic dataset holds: exact per-grade counts, patients with a left and a right
 * eye (named like Kaggle's EyePACS, `<patient>_left`), and the two eyes of a patient usually sharing
 * a grade. Only the plan decides names and seeds, so any image can be (re)made on its own.
 */
import { GRADE_COUNT, type Grade } from '../../../shared/grades.js';
import { hashSeed, Rng } from '../random.js';
import type { Eye } from './scene-types.js';

export type Balance = 'eyepacs' | 'balanced';

/** Kaggle EyePACS training labels, grades 0-4. */
export const EYEPACS_DISTRIBUTION = [0.735, 0.07, 0.151, 0.025, 0.02] as const;

/** Share of patients whose two eyes get neighbouring grades instead of the same one. */
const ASYMMETRIC_PATIENTS = 0.15;

export interface PlannedImage {
  /** Kaggle-style id without extension, e.g. `17_left`. */
  readonly image: string;
  readonly patientId: string;
  readonly eye: Eye;
  readonly grade: Grade;
  /** The image's own seed: the same (dataset seed, image id) always draws the same picture. */
  readonly seed: number;
}

/** Largest-remainder rounding: counts that add up to `total` exactly and follow `weights`. */
export function gradeCounts(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const counts = exact.map(Math.floor);
  const order = exact.map((e, i) => ({ i, rest: e - Math.floor(e) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (let k = 0; counts.reduce((a, b) => a + b, 0) < total; k++) counts[order[k % order.length]!.i]!++;
  return counts;
}

export function balanceWeights(balance: Balance): readonly number[] {
  return balance === 'balanced' ? new Array<number>(GRADE_COUNT).fill(1) : EYEPACS_DISTRIBUTION;
}

export function planDataset(options: { count: number; seed: number; balance: Balance }): PlannedImage[] {
  const { count, seed } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  const rng = new Rng(hashSeed('plan', seed));
  const grades: Grade[] = [];
  gradeCounts(count, balanceWeights(options.balance)).forEach((n, g) => {
    for (let i = 0; i < n; i++) grades.push(g as Grade);
  });

  // Sorted grades paired in order give mostly same-grade patients; then some patients trade one
  // eye with a patient one grade away, which keeps every grade's total exact.
  const pairs: Grade[][] = [];
  for (let i = 0; i < grades.length; i += 2) pairs.push(grades.slice(i, i + 2));
  const full = pairs.filter((p) => p.length === 2);
  for (let swaps = Math.round(full.length * ASYMMETRIC_PATIENTS * 0.5), tries = 0; swaps > 0 && tries < full.length * 4; tries++) {
    const a = rng.pick(full);
    const b = rng.pick(full);
    if (a[0] !== a[1] || b[0] !== b[1] || Math.abs(a[0]! - b[0]!) !== 1) continue;
    [a[1], b[1]] = [b[1]!, a[1]!];
    swaps--;
  }
  rng.shuffle(pairs);

  const planned: PlannedImage[] = [];
  pairs.forEach((pair, index) => {
    const patientId = String(index + 1);
    const eyes: Eye[] = rng.chance(0.5) ? ['left', 'right'] : ['right', 'left'];
    const byEye = pair.map((grade, k) => ({ eye: eyes[k]!, grade }));
    byEye.sort((x, y) => (x.eye === y.eye ? 0 : x.eye === 'left' ? -1 : 1));
    for (const { eye, grade } of byEye) {
      const image = `${patientId}_${eye}`;
      planned.push({ image, patientId, eye, grade, seed: hashSeed('image', seed, image) });
    }
  });
  return planned;
}
