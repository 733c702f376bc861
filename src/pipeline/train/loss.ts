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
