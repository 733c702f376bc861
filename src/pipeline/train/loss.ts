import * as tf from '@tensorflow/tfjs';
import { CROSS_ENTROPY_EPSILON as EPSILON } from '../evaluate/cross-entropy.js';

/**
 * Per-example categorical cross-entropy of softmax probabilities [N, K] against integer labels
 * [N] (int32), as Keras computes it from probabilities: −log(clip(p_label, ε, 1 − ε)).
 */
export function crossEntropyPerExample(probabilities: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, probabilities.shape[1]);
    const logP = tf.log(tf.clipByValue(probabilities, EPSILON, 1 - EPSILON));
    return tf.neg(tf.sum(tf.mul(oneHot, logP), 1)) as tf.Tensor1D;
  });
}

/** Σ_i w[label_i] · CE_i: a batch's share of the class-weighted loss before dividing by the batch size. */
export function weightedCrossEntropySum(
  probabilities: tf.Tensor2D,
  labels: tf.Tensor1D,
  classWeights: tf.Tensor1D,
): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mul(crossEntropyPerExample(probabilities, labels), tf.gather(classWeights, labels))));
}

/** Σ_i mean_j (prediction_ij − target_ij)²: a batch's share of the mean squared error before dividing by the batch size. */
export function squaredErrorSum(predictions: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mean(tf.squaredDifference(predictions, targets), 1)));
}

/** Mean of (prediction − target)² over all values: the mean over examples of each one's mean squared error. */
export function meanSquaredError(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  if (predictions.length !== targets.length)
    throw new RangeError(`${predictions.length} predictions for ${targets.length} targets`);
  let sum = 0;
  for (let i = 0; i < targets.length; i++) sum += (predictions[i]! - targets[i]!) ** 2;
  return sum / targets.length;
}

/**
 * Σ_i w[label_i] · Σ_k p_ik · ((k − label_i)/(K − 1))²: a batch's share of the class-weighted
 * expected squared grade distance (each term in [0, 1]) before dividing by the batch size.
 * Cross-entropy charges a miss on the true grade's probability alone, whatever grade took the mass;
 * quadratic weighted kappa, the score that matters, charges a grade-4 eye called 0 sixteen times a
 * neighbour's miss, and this term charges the same way.
 */
export function weightedGradeCostSum(
  probabilities: tf.Tensor2D,
  labels: tf.Tensor1D,
  classWeights: tf.Tensor1D,
): tf.Scalar {
  const classes = probabilities.shape[1];
  if (classes < 2) throw new RangeError(`a grade cost needs at least 2 classes, got ${classes}`);
  return tf.tidy(() => {
    const grades = tf.range(0, classes, 1, 'float32').reshape([1, classes]);
    const truth = tf.cast(labels, 'float32').reshape([-1, 1]);
    const distance = tf.square(tf.div(tf.sub(grades, truth), classes - 1));
    const expectedCost = tf.sum(tf.mul(probabilities, distance), 1);
    return tf.sum(tf.mul(expectedCost, tf.gather(classWeights, labels)));
  });
}

/**
 * Mean over rows of w[label_i] · Σ_k p_ik · ((k − label_i)/(K − 1))² for row-major probabilities
 * [N, classes], normalised like meanCrossEntropy (divided by N, not by Σ w) so that the two add up to
 * the objective training minimises.
 */
export function meanWeightedGradeCost(
  probabilities: ArrayLike<number>,
  labels: readonly number[],
  classes: number,
  classWeights?: readonly number[],
): number {
  if (classes < 2) throw new RangeError(`a grade cost needs at least 2 classes, got ${classes}`);
  if (labels.length === 0) return NaN;
  let sum = 0;
  labels.forEach((label, row) => {
    let cost = 0;
    for (let k = 0; k < classes; k++) cost += probabilities[row * classes + k]! * ((k - label) / (classes - 1)) ** 2;
    sum += (classWeights?.[label] ?? 1) * cost;
  });
  return sum / labels.length;
}
