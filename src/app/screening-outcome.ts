import type { Grade } from '../shared/grades.js';
import { GRADE_COUNT, isReferable, REFERABLE_FROM } from '../shared/grades.js';

/** What the outcome needs of one variant's answer. */
export interface VariantAnswer {
  grade: Grade;
  probabilities: readonly number[];
}

export interface ScreeningOutcome {
  /** The grade to act on: the higher of the two variants' when they differ. */
  grade: Grade;
  agree: boolean;
  /** Refer to an ophthalmologist: grade 2 or above, or P(grade ≥ 2) at the model's threshold. */
  refer: boolean;
  /** Why: the grade, the probability of referable DR below a referable grade, or nothing to refer. */
  referBy: 'grade' | 'probability' | null;
  /** P(grade ≥ 2), the higher of the two variants'. */
  referableProbability: number;
}

/** P(grade ≥ 2) = p2 + p3 + p4. */
export function referableProbability(probabilities: readonly number[]): number {
  let p = 0;
  for (let g = REFERABLE_FROM; g < GRADE_COUNT; g++) p += probabilities[g] ?? 0;
  return p;
}

/**
 * Two variants that disagree are read cautiously: the more severe grade, and the higher probability
 * of referable DR, decide. Below grade 2 an eye is still referred when that probability reaches the
 * model's validated threshold (the screening operating point); without a threshold, the grade alone.
 */
export function screeningOutcome(tfjs: VariantAnswer, ort: VariantAnswer, referralThreshold?: number): ScreeningOutcome {
  const grade = Math.max(tfjs.grade, ort.grade) as Grade;
  const probability = Math.max(referableProbability(tfjs.probabilities), referableProbability(ort.probabilities));
  const byProbability = referralThreshold !== undefined && probability >= referralThreshold;
  const referBy = isReferable(grade) ? 'grade' : byProbability ? 'probability' : null;
  return { grade, agree: tfjs.grade === ort.grade, refer: referBy !== null, referBy, referableProbability: probability };
}
