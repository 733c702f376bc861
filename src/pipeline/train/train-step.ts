import * as tf from '@tensorflow/tfjs';
import type { Adam } from './adam.js';
import type { AuxiliaryHead } from './auxiliary-head.js';
import type { Examples } from './examples.js';
import { squaredErrorSum, weightedCrossEntropySum, weightedGradeCostSum } from './loss.js';
import { microBatches } from './schedule.js';

/** Sums over a step's examples, for the epoch's running loss and accuracy. */
export interface StepTotals {
  /**
   * Σ w[label] · (cross-entropy + gradeCostWeight · grade cost): the grade objective being minimised
   * (the cross-entropy alone when the grade cost is off), without the auxiliary loss.
   */
  weightedLoss: number;
  /** Σ of each example's mean squared error on the auxiliary targets (0 without them). */
  auxLoss: number;
  correct: number;
  examples: number;
}

export interface BatchInputs {
  model: tf.LayersModel;
  /** The variables to train, by weight name (see model-weights.ts). */
  variables: ReadonlyMap<string, tf.Variable>;
  examples: Examples;
  /** Example indices of this step (one batch). */
  batch: readonly number[];
  microBatch: number;
  classWeights: tf.Tensor1D;
  /**
   * λ of the grade cost term (loss.ts's weightedGradeCostSum) added to the cross-entropy, so that
   * grades far from the truth cost more than near ones; default 0, off.
   */
  gradeCostWeight?: number;
  /** Augmentation seed per example index, or none. */
  augmentSeed?: (index: number) => number;
  /**
   * Run the forward pass in inference mode (BatchNorm on its moving statistics, which stay put):
   * Keras's behaviour for frozen layers, which TF.js's BatchNorm does not copy (it normalises with
   * batch statistics and updates them whenever training is on). Right when only layers without
   * BatchNorm train, e.g. the head over a frozen backbone.
   */
  inferenceMode?: boolean;
  /** After each micro-batch: examples of this step done so far. */
  onMicroBatch?: (done: number) => void;
  /** A regression trained alongside the classifier (see trainer.ts's AuxiliaryTask). */
  auxiliary?: {
    head: AuxiliaryHead;
    /** Row-major [examples.count, head.width]. */
    targets: Float32Array;
    weight: number;
  };
}

/**
 * The gradient of the batch's loss (Σ w·CE + λ · Σ w·cost + weight · Σ MSE_aux) / batchSize (by
 * variable key; λ = gradeCostWeight, no cost term when it is 0), computed `microBatch` examples at a
 * time and summed. Without BatchNorm this equals the full batch's gradient; BatchNorm normalises
 * with each micro-batch's own statistics, so there it is an approximation.
 */
export async function accumulateGradients(
  inputs: BatchInputs,
): Promise<{ gradients: Map<string, tf.Tensor>; totals: StepTotals }> {
  const { model, variables, examples, batch, classWeights, auxiliary } = inputs;
  const gradeCostWeight = inputs.gradeCostWeight ?? 0;
  const byEngineName = new Map([...variables].map(([key, v]) => [v.name, key]));
  const varList = [...variables.values()];
  const width = examples.inputShape.reduce((a, b) => a * b, 1);
  const gradients = new Map<string, tf.Tensor>();
  const totals: StepTotals = { weightedLoss: 0, auxLoss: 0, correct: 0, examples: 0 };
  try {
    for (const indices of microBatches(batch, inputs.microBatch)) {
      const input = new Float32Array(indices.length * width);
      for (const [i, index] of indices.entries())
        await examples.load(index, input, i * width, inputs.augmentSeed?.(index));
      const labelValues = Int32Array.from(indices, (i) => examples.labels[i]!);
      const x = tf.tensor(input, [indices.length, ...examples.inputShape]);
      const labels = tf.tensor1d(labelValues, 'int32');
      const targets =
        auxiliary &&
        tf.tensor2d(rows(auxiliary.targets, auxiliary.head.width, indices), [indices.length, auxiliary.head.width]);
      const training = !inputs.inferenceMode;
      const gradeLoss = (probabilities: tf.Tensor2D): tf.Scalar => {
        const crossEntropy = weightedCrossEntropySum(probabilities, labels, classWeights);
        if (gradeCostWeight === 0) return crossEntropy;
        return tf.add(crossEntropy, tf.mul(weightedGradeCostSum(probabilities, labels, classWeights), gradeCostWeight));
      };
      let predicted: tf.Tensor | undefined;
      let gradeSum: tf.Scalar | undefined;
      let auxSum: tf.Scalar | undefined;
      const { value, grads } = tf.variableGrads(() => {
        let probabilities: tf.Tensor2D;
        let loss: tf.Scalar;
        if (auxiliary) {
          const outputs = auxiliary.head.apply(x, training);
          probabilities = outputs.probabilities;
          gradeSum = tf.keep(gradeLoss(probabilities));
          auxSum = tf.keep(squaredErrorSum(outputs.predictions, targets!));
          loss = tf.add(gradeSum, tf.mul(auxSum, auxiliary.weight));
        } else {
          probabilities = model.apply(x, { training }) as tf.Tensor2D;
          loss = gradeSum = tf.keep(gradeLoss(probabilities));
        }
        predicted = tf.keep(tf.argMax(probabilities, 1));
        return tf.div(loss, batch.length);
      }, varList);
      tf.dispose([x, labels, targets]);
      for (const [engineName, gradient] of Object.entries(grads)) {
        const key = byEngineName.get(engineName)!;
        const previous = gradients.get(key);
        gradients.set(key, previous ? tf.add(previous, gradient) : gradient);
        if (previous) tf.dispose([previous, gradient]);
      }
      const predictedValues = await predicted!.data();
      totals.weightedLoss += (await gradeSum!.data())[0]!;
      if (auxSum) totals.auxLoss += (await auxSum.data())[0]!;
      totals.correct += labelValues.filter((label, i) => predictedValues[i] === label).length;
      totals.examples += indices.length;
      tf.dispose([value, predicted!, gradeSum!, auxSum]);
      inputs.onMicroBatch?.(totals.examples);
    }
  } catch (error) {
    tf.dispose([...gradients.values()]);
    throw error;
  }
  return { gradients, totals };
}

/** Rows `indices` of a row-major matrix with `width` columns. */
function rows(matrix: Float32Array, width: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * width);
  indices.forEach((index, i) => out.set(matrix.subarray(index * width, (index + 1) * width), i * width));
  return out;
}

/** One optimizer step on one batch (see accumulateGradients). */
export async function trainStep(inputs: BatchInputs & { optimizer: Adam }): Promise<StepTotals> {
  const { gradients, totals } = await accumulateGradients(inputs);
  try {
    inputs.optimizer.apply(inputs.variables, gradients);
  } finally {
    tf.dispose([...gradients.values()]);
  }
  return totals;
}
