/**
 * The referral decision of one screening, made once: by the worker where the grading result is made
 * (workers/grading/screen-photo.ts) and carried in GradeResult.outcome, and by the record reader for
 * records saved before results carried it (src/app/records/screening-record.ts). Nothing else decides.
 */
import type { Grade } from './grades.js';
import { referableProbability, referralReason, type ReferralReason } from './referral.js';

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
  referBy: ReferralReason;
  /** P(grade ≥ 2), the higher of the two variants'. */
  referableProbability: number;
}

/**
 * Two variants that disagree are read cautiously: the more severe grade, and the higher probability
 * of referable DR, decide (see referralReason for the rule).
 */
export function screeningOutcome(
  tfjs: VariantAnswer,
  ort: VariantAnswer,
  referralThreshold?: number,
): ScreeningOutcome {
  const grade = Math.max(tfjs.grade, ort.grade) as Grade;
  const probability = Math.max(referableProbability(tfjs.probabilities), referableProbability(ort.probabilities));
  const referBy = referralReason(grade, probability, referralThreshold);
  return {
    grade,
    agree: tfjs.grade === ort.grade,
    refer: referBy !== null,
    referBy,
    referableProbability: probability,
  };
}
