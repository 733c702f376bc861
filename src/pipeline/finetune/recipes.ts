import * as tf from '@tensorflow/tfjs';
import type { Grade } from '../../shared/grades.js';
import { OUTPUT_LAYER } from '../model/classifier-head.js';
import {
  buildResNet50HeadModel,
  buildResNet50LastStageModel,
  RESNET50_CONV4_CHANNELS,
} from '../model/resnet50-classifier.js';
import type { Examples } from '../train/examples.js';
import { disposeWeights, restoreWeights, snapshotWeights, transferWeights } from '../train/model-weights.js';
import { GRADE_COUNT } from '../../shared/grades.js';
import { predictRows } from '../train/predict-rows.js';
import { trainModel, type EpochRecord, type TrainingEvents } from '../train/trainer.js';
import type { PhotoFeatures } from './feature-store.js';
import { foldSplit, stratifiedFolds } from './folds.js';
import { conv4Examples, pooledExamples } from './store-examples.js';

/**
 * The two ways of training on real photos that the cross-validation compares, both from the
 * ImageNet backbone's cached outputs (feature-store.ts):
 * - `head`: the study's approach, a frozen backbone and the dense head trained on pooled features;
 * - `last-stage`: that head, then the last ResNet stage (conv5) fine-tuned with it on cached conv4
 *   feature maps, BatchNorm kept in inference mode (ImageNet statistics; batches of a few photos
 *   would give noisy statistics).
 * Both augment with the eight dihedral variants; early stopping and the referral threshold watch an
 * inner validation split of the training photos, never the photos being predicted.
 */

export type RecipeName = 'head' | 'last-stage';
export const RECIPES: readonly RecipeName[] = ['head', 'last-stage'];

export interface RecipeOptions {
  recipe: RecipeName;
  seed: number;
  /** Share of the training photos held out for early stopping (default 0.2). */
  innerValidation?: number;
  headEpochs?: number;
  headLearningRate?: number;
  lastStageEpochs?: number;
  lastStageLearningRate?: number;
  /** Dihedral variants of the training photos (default true). */
  augment?: boolean;
  /** Inverse-frequency class weights (default true); false weighs every photo alike. */
  classWeights?: boolean;
  /**
   * λ of the grade cost added to the cross-entropy in both trainings (trainer.ts's
   * TrainerOptions.gradeCostWeight): far-off grades cost more; default 0, off.
   */
  gradeCostWeight?: number;
  /** Checkpoint folder prefix for the last stage's training (resumable); none when undefined. */
  checkpointPrefix?: string;
  timeBudgetSeconds?: number;
  events?: TrainingEvents;
  log?: (line: string) => void;
}

export interface TrainedRecipe {
  /** Ready for `predict`: a head model on pooled features, or the last-stage model on conv4 maps. */
  model: tf.LayersModel;
  input: 'pooled' | 'conv4';
  history: { head: EpochRecord[]; lastStage: EpochRecord[] };
  /** Inner-validation predictions [count × 5] and labels, for choosing a threshold. */
  validation: { probabilities: Float32Array; labels: Grade[] };
  /** False when the time budget stopped the last stage (resume with the same checkpoint). */
  finished: boolean;
  /**
   * Whether the fine-tuned last stage was kept: it is only when it lowered the inner validation loss
   * below the head's; otherwise the model keeps the ImageNet last stage and the head.
   */
  lastStageKept: boolean;
}

export interface StoreData {
  photos: readonly PhotoFeatures[];
  labels: readonly Grade[];
  conv4Size: number;
  /** The pretrained backbone model (ImageNet conv5 weights for the last stage). */
  pretrained: tf.LayersModel;
}

const pick = <T>(items: readonly T[], indices: readonly number[]): T[] => indices.map((i) => items[i]!);

function examplesFor(data: StoreData, indices: readonly number[], input: 'pooled' | 'conv4'): Examples {
  const photos = pick(data.photos, indices);
  const labels = pick(data.labels, indices);
  return input === 'pooled'
    ? pooledExamples(photos, labels)
    : conv4Examples(photos, labels, data.conv4Size, RESNET50_CONV4_CHANNELS);
}

export async function predict(model: tf.LayersModel, examples: Examples): Promise<Float32Array> {
  const [probabilities] = await predictRows(examples, 16, (x) => [model.predict(x) as tf.Tensor2D]);
  return probabilities!;
}

/** Trains `options.recipe` on the photos `trainIndices` of `data`. */
export async function trainRecipe(
  data: StoreData,
  trainIndices: readonly number[],
  options: RecipeOptions,
): Promise<TrainedRecipe> {
  const log = options.log ?? (() => {});
  const inner = stratifiedFolds(
    pick(data.labels, trainIndices),
    Math.round(1 / (options.innerValidation ?? 0.2)),
    options.seed + 1000,
  );
  const split = foldSplit(inner, 0);
  const fit = pick(trainIndices, split.train);
  const check = pick(trainIndices, split.test);

  const augment = options.augment ?? true;
  const classWeights = options.classWeights === false ? new Array<number>(GRADE_COUNT).fill(1) : undefined;
  const gradeCost = options.gradeCostWeight ? { gradeCostWeight: options.gradeCostWeight } : {};
  const head = buildResNet50HeadModel({ seed: options.seed });
  const headResult = await trainModel({
    model: head,
    train: examplesFor(data, fit, 'pooled'),
    validation: examplesFor(data, check, 'pooled'),
    batchSize: 32,
    maxEpochs: options.headEpochs ?? 60,
    patience: 10,
    learningRate: options.headLearningRate ?? 1e-3,
    seed: options.seed,
    augment,
    ...(classWeights ? { classWeights } : {}),
    ...gradeCost,
  });
  log(
    `  head: best epoch ${headResult.bestEpoch} of ${headResult.history.length}, validation loss ${headResult.bestValLoss?.toFixed(3)}`,
  );
  if (options.recipe === 'head') {
    const validation = {
      probabilities: await predict(head, examplesFor(data, check, 'pooled')),
      labels: pick(data.labels, check),
    };
    return {
      model: head,
      input: 'pooled',
      history: { head: headResult.history, lastStage: [] },
      validation,
      finished: true,
      lastStageKept: false,
    };
  }

  const top = buildResNet50LastStageModel({ conv4Size: data.conv4Size, seed: options.seed });
  transferWeights(data.pretrained, top, (name) => name.startsWith('conv5_'));
  transferWeights(head, top, (name) => name.startsWith('head_') || name.startsWith(`${OUTPUT_LAYER}/`));
  head.dispose();
  const start = snapshotWeights(top);
  const result = await trainModel({
    model: top,
    train: examplesFor(data, fit, 'conv4'),
    validation: examplesFor(data, check, 'conv4'),
    batchSize: 16,
    microBatch: 8,
    maxEpochs: options.lastStageEpochs ?? 8,
    patience: 3,
    learningRate: options.lastStageLearningRate ?? 1e-5,
    learningRateWarmupSteps: 10,
    seed: options.seed,
    augment,
    ...(classWeights ? { classWeights } : {}),
    ...gradeCost,
    frozenBatchNorm: true,
    ...(options.checkpointPrefix ? { checkpointPath: `${options.checkpointPrefix}.ckpt` } : {}),
    fingerprint: {
      recipe: 'last-stage',
      photos: trainIndices.length,
      conv4Size: data.conv4Size,
      augment,
      weighted: classWeights === undefined,
      ...gradeCost,
    },
    ...(options.timeBudgetSeconds ? { timeBudgetSeconds: options.timeBudgetSeconds } : {}),
    ...(options.events ? { events: options.events } : {}),
  });
  const lastStageKept =
    result.bestValLoss !== null && headResult.bestValLoss !== null && result.bestValLoss < headResult.bestValLoss;
  if (!lastStageKept) restoreWeights(top, start);
  disposeWeights(start);
  log(
    `  last stage: best epoch ${result.bestEpoch} of ${result.history.length}, validation loss ${result.bestValLoss?.toFixed(3)} (${result.stopReason}); ` +
      (lastStageKept
        ? 'kept'
        : `not below the head's ${headResult.bestValLoss?.toFixed(3)}: the ImageNet last stage and the head are kept`),
  );
  const validation = {
    probabilities: await predict(top, examplesFor(data, check, 'conv4')),
    labels: pick(data.labels, check),
  };
  return {
    model: top,
    input: 'conv4',
    history: { head: headResult.history, lastStage: result.history },
    validation,
    finished: result.finished,
    lastStageKept,
  };
}

/** The photos `indices` as the trained model's unaugmented inputs. */
export function evaluationExamples(data: StoreData, indices: readonly number[], input: 'pooled' | 'conv4'): Examples {
  return examplesFor(data, indices, input);
}
