import { GRADE_COUNT, GRADE_NAMES, REFERABLE_FROM, topGrade, type Grade } from '../../shared/grades.js';
import { referableProbability, referralReason } from '../../shared/referral.js';
import { meanCrossEntropy } from './cross-entropy.js';
import {
  accuracyOf,
  confusionMatrix,
  operatingPoint,
  perClassScores,
  quadraticWeightedKappa,
  rocAuc,
  thresholdForSensitivity,
  type ConfusionMatrix,
  type OperatingPoint,
} from './metrics.js';

/** The referral threshold picked on validation data, carried to the test evaluation. */
export interface ReferralThreshold extends OperatingPoint {
  targetSensitivity: number;
  chosenOn: 'validation';
}

export interface EvaluationReport {
  examples: number;
  accuracy: number;
  /** Unweighted mean categorical cross-entropy. */
  meanLoss: number;
  quadraticWeightedKappa: number;
  /** counts[true grade][predicted grade]. */
  confusionMatrix: ConfusionMatrix;
  perGrade: Array<{ grade: number; name: string; support: number; recall: number; precision: number }>;
  /** Referable DR (grade ≥ 2) scored by P(grade ≥ 2) = p2 + p3 + p4. */
  referable: {
    positives: number;
    negatives: number;
    rocAuc: number;
    atHalf: OperatingPoint;
    /** The validation-chosen threshold applied here, when one was given. */
    atValidationThreshold?: OperatingPoint & { targetSensitivity: number };
    /**
     * Referred as the app refers (src/shared/referral.ts): top grade ≥ 2, or P(grade ≥ 2) at the
     * validation threshold when one was given. Differs from atValidationThreshold when a top grade of
     * 2+ comes with P(grade ≥ 2) below the threshold (possible whenever the threshold is above 1/3).
     */
    asTheAppRefers: Omit<OperatingPoint, 'threshold'> & { rule: 'grade' | 'grade or threshold' };
  };
}

/** P(referable) per row of row-major probabilities [N, 5]. */
export function referableScores(probabilities: ArrayLike<number>, count: number): number[] {
  return Array.from({ length: count }, (_, i) =>
    referableProbability(Array.prototype.slice.call(probabilities, i * GRADE_COUNT, (i + 1) * GRADE_COUNT) as number[]),
  );
}

const isReferableLabel = (label: number) => label >= REFERABLE_FROM;

/** Picks the referral threshold with sensitivity ≥ target on validation predictions. */
export function chooseReferralThreshold(
  probabilities: ArrayLike<number>,
  labels: readonly number[],
  targetSensitivity = 0.9,
): ReferralThreshold {
  const point = thresholdForSensitivity(
    referableScores(probabilities, labels.length),
    labels.map(isReferableLabel),
    targetSensitivity,
  );
  return { ...point, targetSensitivity, chosenOn: 'validation' };
}

export function evaluatePredictions(
  probabilities: ArrayLike<number>,
  labels: readonly number[],
  referralThreshold?: Pick<ReferralThreshold, 'threshold' | 'targetSensitivity'>,
): EvaluationReport {
  const n = labels.length;
  if (probabilities.length !== n * GRADE_COUNT)
    throw new RangeError(`${probabilities.length} probabilities for ${n} examples of ${GRADE_COUNT} grades`);
  const predicted = labels.map((_, i) =>
    topGrade(Array.prototype.slice.call(probabilities, i * GRADE_COUNT, (i + 1) * GRADE_COUNT) as number[]),
  );
  const matrix = confusionMatrix(labels, predicted, GRADE_COUNT);
  const scores = referableScores(probabilities, n);
  const positive = labels.map(isReferableLabel);
  const positives = positive.filter(Boolean).length;
  return {
    examples: n,
    accuracy: accuracyOf(matrix),
    meanLoss: meanCrossEntropy(probabilities, labels, GRADE_COUNT),
    quadraticWeightedKappa: quadraticWeightedKappa(matrix),
    confusionMatrix: matrix,
    perGrade: perClassScores(matrix).map((s, grade) => ({ grade, name: GRADE_NAMES[grade]!, ...s })),
    referable: {
      positives,
      negatives: n - positives,
      rocAuc: rocAuc(scores, positive),
      atHalf: operatingPoint(scores, positive, 0.5),
      ...(referralThreshold
        ? {
            atValidationThreshold: {
              ...operatingPoint(scores, positive, referralThreshold.threshold),
              targetSensitivity: referralThreshold.targetSensitivity,
            },
          }
        : {}),
      asTheAppRefers: asTheAppRefers(predicted, scores, positive, referralThreshold?.threshold),
    },
  };
}

function asTheAppRefers(
  predicted: readonly number[],
  scores: readonly number[],
  positive: readonly boolean[],
  threshold: number | undefined,
): EvaluationReport['referable']['asTheAppRefers'] {
  // operatingPoint on a 0/1 score of "referred": the same counting as the other operating points.
  const referred = predicted.map((grade, i) =>
    referralReason(grade as Grade, scores[i]!, threshold) === null ? 0 : 1,
  );
  const { threshold: _unused, ...point } = operatingPoint(referred, positive, 1);
  return { rule: threshold === undefined ? 'grade' : 'grade or threshold', ...point };
}
