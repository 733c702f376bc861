import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { topGrade } from '../../shared/grades.js';
import { hashSeed } from '../data/random.js';
import { meanCrossEntropy } from '../evaluate/cross-entropy.js';
import { calibrateBatchNormOn } from '../model/calibrate-batchnorm.js';
import { Adam } from './adam.js';
import { AuxiliaryHead } from './auxiliary-head.js';
import { readCheckpointFile, writeCheckpointFile } from './checkpoint-file.js';
import { inverseFrequencyClassWeights } from './class-weights.js';
import type { Examples } from './examples.js';
import { meanSquaredError, meanWeightedGradeCost } from './loss.js';
import { disposeWeights, restoreWeights, snapshotWeights, trainableVariables } from './model-weights.js';
import { predictRows } from './predict-rows.js';
import { augmentationSeed, epochOrder, stepsPerEpoch } from './schedule.js';
import { trainStep, type StepTotals } from './train-step.js';
import { pathExists as exists } from '../path-exists.js';

export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  /**
   * The grade objective, mean over the epoch's examples: class-weighted cross-entropy, plus
   * gradeCostWeight times the class-weighted grade cost when that is on (the auxiliary loss apart).
   */
  trainLoss: number;
  trainAccuracy: number;
  /** The same objective on validation, so the two curves compare; early stopping watches it. */
  valLoss: number;
  valAccuracy: number;
  /** With an auxiliary task: its mean squared error (unweighted) on training and on validation. */
  trainAuxLoss?: number;
  valAuxLoss?: number;
  /** Training + validation time of this epoch (over all sessions if it was resumed). */
  seconds: number;
}

export type StopReason = 'max-epochs' | 'early-stopping' | 'time-budget' | 'interrupted';

export interface TrainingProgress {
  epoch: number;
  maxEpochs: number;
  step: number;
  steps: number;
  /** Examples done in the current step, and the step's size. */
  stepDone: number;
  stepSize: number;
  /** Examples of this epoch done, and an epoch's size. */
  epochDone: number;
  epochSize: number;
  /** Running means over the epoch so far (loss: the grade objective of EpochRecord.trainLoss, no auxiliary loss). */
  loss: number;
  accuracy: number;
  /** Running mean of the auxiliary task's squared error, when there is one. */
  auxLoss?: number;
}

/** Hooks for a terminal (or test) to follow training; all optional. */
export interface TrainingEvents {
  onStart?(info: {
    epoch: number;
    step: number;
    steps: number;
    maxEpochs: number;
    resumed: boolean;
    classWeights: number[];
  }): void;
  onProgress?(progress: TrainingProgress): void;
  onValidation?(done: number, total: number): void;
  onEpoch?(record: EpochRecord, improved: boolean): void;
  onCheckpoint?(path: string): void;
}

/**
 * A regression trained alongside the classifier to give the backbone a denser signal than the
 * grade (e.g. lesion counts): a linear head on `featureLayer`'s output, its mean squared error added
 * to the loss with `weight`. The head is not part of the model and is dropped after training.
 */
export interface AuxiliaryTask {
  /** A layer with a [batch, features] output, e.g. the global average pooling. */
  featureLayer: string;
  /** Targets per example; `train` and `validation` are row-major [examples, width]. */
  width: number;
  train: Float32Array;
  validation: Float32Array;
  weight: number;
  /** How the targets were made (columns, standardisation): kept in the checkpoint, must match to resume. */
  description?: Record<string, unknown>;
}

export interface TrainerOptions {
  model: tf.LayersModel;
  train: Examples;
  validation: Examples;
  /** Examples per optimizer step (default 32). */
  batchSize?: number;
  /** Examples per forward/backward pass; gradients are summed over a step (default batchSize). */
  microBatch?: number;
  /** Default 15. */
  maxEpochs?: number;
  /** Epochs without a lower validation loss before stopping (default 3). */
  patience?: number;
  learningRate: number;
  /** Optimizer steps over which the learning rate rises linearly to its value (default 0: none). */
  learningRateWarmupSteps?: number;
  seed: number;
  /** Random flips, rotations and lighting on training images (default false). */
  augment?: boolean;
  /** Forward passes in inference mode, for a frozen backbone (see BatchInputs.inferenceMode). */
  frozenBatchNorm?: boolean;
  /** Default: inverse class frequency of the training labels. */
  classWeights?: number[];
  /**
   * λ ≥ 0 of the grade cost (loss.ts's weightedGradeCostSum) added to the cross-entropy, in training
   * and in the validation loss that early stopping watches; default 0, off.
   */
  gradeCostWeight?: number;
  auxiliary?: AuxiliaryTask;
  /**
   * Before each validation, set every BatchNorm layer's moving statistics from these (unaugmented
   * training) examples, layer by layer (calibrateBatchNorm), up to `lastLayer`. Why: when a whole
   * network trains fast from scratch, the moving averages lag the weights, and inference-mode
   * validation loss then swings with that lag rather than with the model (measured on stage A:
   * 2.93 → 1.06 → 2.21 while training loss fell steadily), so the best epoch is picked by noise.
   * Training itself is unchanged: training-mode passes normalise with batch statistics.
   */
  batchNormCalibration?: { examples: Examples; lastLayer?: string };
  /** One file; training resumes from it when it exists and its settings match. */
  checkpointPath?: string;
  /** Settings besides the trainer's own that must match for a resume (e.g. model kind, resolution). */
  fingerprint?: Record<string, unknown>;
  /** Stop cleanly after the step during which this many seconds of this session have passed. */
  timeBudgetSeconds?: number;
  /** Also checkpoint after a step when this long has passed since the last checkpoint (default 600). */
  checkpointIntervalSeconds?: number;
  /** Aborting stops like the time budget (Ctrl-C). */
  signal?: AbortSignal;
  events?: TrainingEvents;
  /** Milliseconds clock (tests replace it to spend a time budget deterministically). */
  now?: () => number;
}

export interface TrainResult {
  stopReason: StopReason;
  /** True unless the time budget or a signal stopped it (then resume from the checkpoint). */
  finished: boolean;
  history: EpochRecord[];
  bestEpoch: number | null;
  bestValLoss: number | null;
  classWeights: number[];
  resumed: boolean;
}

/** Everything besides tensors that a checkpoint holds. */
interface RunState {
  format: 1;
  fingerprint: Record<string, unknown>;
  /** Epoch in progress (0-based) and steps of it done. */
  epoch: number;
  step: number;
  epochTotals: StepTotals;
  epochSeconds: number;
  history: EpochRecord[];
  best: { epoch: number; valLoss: number } | null;
  epochsWithoutImprovement: number;
  optimizerStep: number;
  /** The seed is the whole RNG state: see schedule.ts. */
  seed: number;
  stopReason: StopReason | null;
}

const MODEL = 'model/';
const FIRST_MOMENT = 'adam.m/';
const SECOND_MOMENT = 'adam.v/';
const BEST = 'best/';
const AUXILIARY = 'aux/';

/**
 * Trains `model` with Adam on class-weighted cross-entropy (plus an optional grade cost), validating
 * after every epoch, stopping early when validation loss has not improved for `patience` epochs and
 * leaving the model with the best epoch's weights. Resumable: a checkpoint holds weights, optimizer
 * state, position, history and the best weights, and a resumed run continues exactly as an
 * uninterrupted one would.
 */
export async function trainModel(options: TrainerOptions): Promise<TrainResult> {
  const run = new TrainingRun(options);
  try {
    return await run.execute();
  } finally {
    run.dispose();
  }
}

class TrainingRun {
  readonly #o: Required<Pick<TrainerOptions, 'batchSize' | 'microBatch' | 'maxEpochs' | 'patience' | 'augment'>> &
    TrainerOptions;
  readonly #optimizer: Adam;
  readonly #classWeights: number[];
  readonly #classWeightTensor: tf.Tensor1D;
  readonly #now: () => number;
  readonly #auxiliary: { head: AuxiliaryHead; task: AuxiliaryTask } | undefined;
  #state: RunState;
  #best: Map<string, tf.Tensor> | undefined;

  constructor(options: TrainerOptions) {
    const batchSize = options.batchSize ?? 32;
    this.#o = {
      ...options,
      batchSize,
      microBatch: Math.min(options.microBatch ?? batchSize, batchSize),
      maxEpochs: options.maxEpochs ?? 15,
      patience: options.patience ?? 3,
      augment: options.augment ?? false,
    };
    if (options.train.count === 0 || options.validation.count === 0)
      throw new Error('training needs at least one training and one validation example');
    this.#classWeights = options.classWeights ?? inverseFrequencyClassWeights(options.train.labels);
    const gradeCostWeight = options.gradeCostWeight ?? 0;
    if (!Number.isFinite(gradeCostWeight) || gradeCostWeight < 0)
      throw new RangeError(`grade cost weight must be a finite number ≥ 0, got ${gradeCostWeight}`);
    const aux = options.auxiliary;
    if (aux) {
      if (!(aux.weight > 0)) throw new RangeError(`auxiliary loss weight must be > 0, got ${aux.weight}`);
      for (const [name, examples] of [
        ['train', options.train],
        ['validation', options.validation],
      ] as const) {
        if (aux[name].length !== examples.count * aux.width)
          throw new RangeError(
            `${aux[name].length} auxiliary ${name} targets are not ${examples.count} rows of ${aux.width}`,
          );
      }
    }
    // The ones that can throw first, before anything holds tensors.
    this.#optimizer = new Adam({
      learningRate: options.learningRate,
      warmupSteps: options.learningRateWarmupSteps ?? 0,
    });
    this.#auxiliary = aux && { head: new AuxiliaryHead(options.model, aux.featureLayer, aux.width), task: aux };
    this.#classWeightTensor = tf.tensor1d(this.#classWeights);
    this.#now = options.now ?? (() => performance.now());
    this.#state = {
      format: 1,
      fingerprint: this.#fingerprint(),
      epoch: 0,
      step: 0,
      epochTotals: emptyTotals(),
      epochSeconds: 0,
      history: [],
      best: null,
      epochsWithoutImprovement: 0,
      optimizerStep: 0,
      seed: options.seed,
      stopReason: null,
    };
  }

  async execute(): Promise<TrainResult> {
    const o = this.#o;
    const resumed = await this.#resume();
    const steps = stepsPerEpoch(o.train.count, o.batchSize);
    const aux = this.#auxiliary;
    const variables = new Map([...trainableVariables(o.model), ...(aux?.head.variables ?? [])]);
    const sessionStart = this.#now();
    let lastCheckpoint = sessionStart;
    let segmentStart = sessionStart;
    const s = this.#state;
    o.events?.onStart?.({
      epoch: s.epoch,
      step: s.step,
      steps,
      maxEpochs: o.maxEpochs,
      resumed,
      classWeights: this.#classWeights,
    });

    while (s.stopReason === null && s.epoch < o.maxEpochs) {
      const order = epochOrder(o.seed, s.epoch, o.train.count);
      while (s.step < steps) {
        const batch = order.slice(s.step * o.batchSize, (s.step + 1) * o.batchSize);
        const epoch = s.epoch;
        const totals = await trainStep({
          model: o.model,
          optimizer: this.#optimizer,
          variables,
          examples: o.train,
          batch,
          microBatch: o.microBatch,
          classWeights: this.#classWeightTensor,
          ...(o.gradeCostWeight ? { gradeCostWeight: o.gradeCostWeight } : {}),
          inferenceMode: o.frozenBatchNorm === true,
          ...(o.augment ? { augmentSeed: (index: number) => augmentationSeed(o.seed, epoch, index) } : {}),
          ...(aux ? { auxiliary: { head: aux.head, targets: aux.task.train, weight: aux.task.weight } } : {}),
          onMicroBatch: (done) => o.events?.onProgress?.(this.#progress(steps, done, batch.length)),
        });
        s.epochTotals = {
          weightedLoss: s.epochTotals.weightedLoss + totals.weightedLoss,
          auxLoss: s.epochTotals.auxLoss + totals.auxLoss,
          correct: s.epochTotals.correct + totals.correct,
          examples: s.epochTotals.examples + totals.examples,
        };
        s.step++;
        s.optimizerStep = this.#optimizer.step;
        const now = this.#now();
        if (this.#shouldStop(now - sessionStart)) {
          s.epochSeconds += (now - segmentStart) / 1000;
          return this.#pause(resumed);
        }
        if (o.checkpointPath && now - lastCheckpoint >= (o.checkpointIntervalSeconds ?? 600) * 1000) {
          s.epochSeconds += (now - segmentStart) / 1000;
          segmentStart = now;
          await this.#save();
          lastCheckpoint = this.#now();
        }
      }
      await this.#endEpoch();
      s.epochSeconds += (this.#now() - segmentStart) / 1000;
      s.history[s.history.length - 1]!.seconds = s.epochSeconds;
      o.events?.onEpoch?.(s.history[s.history.length - 1]!, s.best?.epoch === s.epoch + 1);
      s.epoch++;
      s.step = 0;
      s.epochTotals = emptyTotals();
      s.epochSeconds = 0;
      if (s.epochsWithoutImprovement >= o.patience) s.stopReason = 'early-stopping';
      else if (s.epoch >= o.maxEpochs) s.stopReason = 'max-epochs';
      if (s.stopReason) this.#restoreBest();
      await this.#save();
      lastCheckpoint = segmentStart = this.#now();
      if (s.stopReason === null && this.#shouldStop(lastCheckpoint - sessionStart))
        return this.#result(this.#budgetReason(), resumed);
    }
    // A finished run that is started again: the model still has to end up with the best weights.
    if (s.stopReason === null) s.stopReason = 'max-epochs';
    this.#restoreBest();
    return this.#result(s.stopReason, resumed);
  }

  dispose(): void {
    this.#optimizer.dispose();
    this.#classWeightTensor.dispose();
    this.#auxiliary?.head.dispose();
    if (this.#best) disposeWeights(this.#best);
  }

  #fingerprint(): Record<string, unknown> {
    const o = this.#o;
    return {
      model: o.model.name,
      trainableWeights: o.model.trainableWeights.length,
      inputShape: o.train.inputShape,
      train: { count: o.train.count, labels: hashSeed(...o.train.labels) },
      validation: { count: o.validation.count, labels: hashSeed(...o.validation.labels) },
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      seed: o.seed,
      augment: o.augment,
      frozenBatchNorm: o.frozenBatchNorm === true,
      classWeights: this.#classWeights,
      // Present only when used, so checkpoints of runs without them still resume.
      ...(o.learningRateWarmupSteps ? { learningRateWarmupSteps: o.learningRateWarmupSteps } : {}),
      ...(o.gradeCostWeight ? { gradeCostWeight: o.gradeCostWeight } : {}),
      ...(o.auxiliary ? { auxiliary: auxiliaryFingerprint(o.auxiliary) } : {}),
      ...o.fingerprint,
    };
  }

  #progress(steps: number, stepDone: number, stepSize: number): TrainingProgress {
    const s = this.#state;
    const seen = s.epochTotals.examples;
    return {
      epoch: s.epoch,
      maxEpochs: this.#o.maxEpochs,
      step: s.step,
      steps,
      stepDone,
      stepSize,
      epochDone: seen + stepDone,
      epochSize: this.#o.train.count,
      loss: seen > 0 ? s.epochTotals.weightedLoss / seen : NaN,
      accuracy: seen > 0 ? s.epochTotals.correct / seen : NaN,
      ...(this.#auxiliary ? { auxLoss: seen > 0 ? s.epochTotals.auxLoss / seen : NaN } : {}),
    };
  }

  #shouldStop(sessionMs: number): boolean {
    const budget = this.#o.timeBudgetSeconds;
    return this.#o.signal?.aborted === true || (budget !== undefined && sessionMs >= budget * 1000);
  }

  #budgetReason(): StopReason {
    return this.#o.signal?.aborted ? 'interrupted' : 'time-budget';
  }

  async #pause(resumed: boolean): Promise<TrainResult> {
    await this.#save();
    return this.#result(this.#budgetReason(), resumed);
  }

  async #endEpoch(): Promise<void> {
    const o = this.#o;
    const s = this.#state;
    const aux = this.#auxiliary;
    if (o.batchNormCalibration && !o.frozenBatchNorm)
      await calibrateBatchNormOn(o.model, o.batchNormCalibration.examples, o.batchNormCalibration.lastLayer);
    const forward = aux
      ? (x: tf.Tensor) => {
          const { probabilities, predictions } = aux.head.predict(x);
          return [probabilities, predictions];
        }
      : (x: tf.Tensor) => [o.model.predict(x) as tf.Tensor2D];
    const outputs = await predictRows(o.validation, o.microBatch, forward, (done) =>
      o.events?.onValidation?.(done, o.validation.count),
    );
    const probabilities = outputs[0]!;
    const classes = this.#classWeights.length;
    const labels = o.validation.labels;
    let correct = 0;
    labels.forEach(
      (label, i) => (correct += topGrade(probabilities.subarray(i * classes, (i + 1) * classes)) === label ? 1 : 0),
    );
    const record: EpochRecord = {
      epoch: s.epoch + 1,
      trainLoss: s.epochTotals.weightedLoss / s.epochTotals.examples,
      trainAccuracy: s.epochTotals.correct / s.epochTotals.examples,
      valLoss: this.#validationObjective(probabilities, labels, classes),
      valAccuracy: correct / labels.length,
      ...(aux
        ? {
            trainAuxLoss: s.epochTotals.auxLoss / s.epochTotals.examples,
            valAuxLoss: meanSquaredError(outputs[1]!, aux.task.validation),
          }
        : {}),
      seconds: 0,
    };
    s.history.push(record);
    if (s.best === null || record.valLoss < s.best.valLoss) {
      s.best = { epoch: record.epoch, valLoss: record.valLoss };
      s.epochsWithoutImprovement = 0;
      if (this.#best) disposeWeights(this.#best);
      this.#best = snapshotWeights(o.model);
    } else {
      s.epochsWithoutImprovement++;
    }
  }

  /** As trainStep's weightedLoss is to a batch: weighted cross-entropy + λ · weighted grade cost. */
  #validationObjective(probabilities: Float32Array, labels: readonly number[], classes: number): number {
    const crossEntropy = meanCrossEntropy(probabilities, labels, classes, this.#classWeights);
    const lambda = this.#o.gradeCostWeight ?? 0;
    if (lambda === 0) return crossEntropy;
    return crossEntropy + lambda * meanWeightedGradeCost(probabilities, labels, classes, this.#classWeights);
  }

  #restoreBest(): void {
    if (this.#best) restoreWeights(this.#o.model, this.#best);
  }

  #result(stopReason: StopReason, resumed: boolean): TrainResult {
    const s = this.#state;
    return {
      stopReason,
      finished: stopReason === 'max-epochs' || stopReason === 'early-stopping',
      history: s.history.map((r) => ({ ...r })),
      bestEpoch: s.best?.epoch ?? null,
      bestValLoss: s.best?.valLoss ?? null,
      classWeights: this.#classWeights,
      resumed,
    };
  }

  async #save(): Promise<void> {
    const path = this.#o.checkpointPath;
    if (!path) return;
    const tensors = new Map<string, tf.Tensor>();
    for (const w of this.#o.model.weights) tensors.set(MODEL + w.originalName, w.read());
    const adam = this.#optimizer.state();
    for (const [key, t] of adam.firstMoment) tensors.set(FIRST_MOMENT + key, t);
    for (const [key, t] of adam.secondMoment) tensors.set(SECOND_MOMENT + key, t);
    for (const [key, t] of this.#best ?? []) tensors.set(BEST + key, t);
    for (const [key, t] of this.#auxiliary?.head.variables ?? []) tensors.set(AUXILIARY + key, t);
    await writeCheckpointFile(path, this.#state, tensors);
    this.#o.events?.onCheckpoint?.(path);
  }

  /** Loads the checkpoint if there is one; throws when it belongs to other settings. */
  async #resume(): Promise<boolean> {
    const path = this.#o.checkpointPath;
    if (!path || !(await exists(path))) return false;
    const { state, tensors } = await readCheckpointFile<RunState>(path);
    const expected = this.#state.fingerprint;
    const differing = Object.keys({ ...expected, ...state.fingerprint }).filter(
      (key) => JSON.stringify(expected[key]) !== JSON.stringify(state.fingerprint[key]),
    );
    if (state.format !== 1 || differing.length > 0) {
      throw new Error(
        `${path} was written by a run with other settings (${differing.join(', ') || 'format'}); delete it or choose another checkpoint to start afresh`,
      );
    }
    const group = (prefix: string) => {
      const out = new Map<string, tf.Tensor>();
      for (const [name, { shape, values }] of tensors)
        if (name.startsWith(prefix)) out.set(name.slice(prefix.length), tf.tensor(values, shape));
      return out;
    };
    const weights = group(MODEL);
    restoreWeights(this.#o.model, weights);
    disposeWeights(weights);
    const firstMoment = group(FIRST_MOMENT);
    const secondMoment = group(SECOND_MOMENT);
    this.#optimizer.restore({ step: state.optimizerStep, firstMoment, secondMoment });
    disposeWeights(firstMoment);
    disposeWeights(secondMoment);
    const best = group(BEST);
    this.#best = best.size > 0 ? best : undefined;
    const auxiliary = group(AUXILIARY);
    for (const [key, variable] of this.#auxiliary?.head.variables ?? []) {
      const value = auxiliary.get(key);
      if (!value) throw new Error(`${path} has no ${AUXILIARY}${key}`);
      variable.assign(value);
    }
    disposeWeights(auxiliary);
    // Checkpoints from before auxiliary losses existed have no auxLoss total (only runs without one resume them).
    this.#state = { ...state, epochTotals: { ...emptyTotals(), ...state.epochTotals } };
    return true;
  }
}

function emptyTotals(): StepTotals {
  return { weightedLoss: 0, auxLoss: 0, correct: 0, examples: 0 };
}

function auxiliaryFingerprint(aux: AuxiliaryTask): Record<string, unknown> {
  return {
    featureLayer: aux.featureLayer,
    width: aux.width,
    weight: aux.weight,
    // The targets themselves, so that changed lesion counts are not mixed into a resumed run.
    targets: createHash('sha256').update(aux.train).update(aux.validation).digest('hex').slice(0, 16),
    ...aux.description,
  };
}
