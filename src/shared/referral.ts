import { GRADE_COUNT, isReferable, REFERABLE_FROM, type Grade } from './grades.js';

/** P(grade ≥ 2) = p2 + p3 + p4 of one image's five probabilities. */
export function referableProbability(probabilities: ArrayLike<number>): number {
  let p = 0;
  for (let g = REFERABLE_FROM; g < GRADE_COUNT; g++) p += probabilities[g] ?? 0;
  return p;
}

export type ReferralReason = 'grade' | 'probability' | null;

/**
 * Why an eye is referred, if it is: its grade is 2 or more, or, below that, its probability of
 * referable DR reaches the model's validated screening threshold (ModelDescription.referralThreshold;
 * without one, the grade alone decides). The app and the pipeline's trials both refer this way.
 */
export function referralReason(grade: Grade, referable: number, threshold?: number): ReferralReason {
  if (isReferable(grade)) return 'grade';
  return threshold !== undefined && referable >= threshold ? 'probability' : null;
}
