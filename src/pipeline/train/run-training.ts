import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { INPUT_SIZE } from '../../shared/model-contract.js';
import type { ModelDescription } from '../../shared/model-manifest.js';
import { loadKaggleDataset, type KaggleRecord } from '../data/kaggle-loader.js';
import { hashSeed } from '../data/random.js';
import { splitByPatient } from '../data/split.js';
import { spreadOverGrades } from '../data/spread-over-grades.js';
import { onnxSession, runOnnx } from '../evaluate/onnx-runner.js';
import {
  chooseReferralThreshold,
  evaluatePredictions,
  type EvaluationReport,
  type ReferralThreshold,
} from '../evaluate/report.js';
import { writeConfusionMatrix, writeTrainingCurves } from '../evaluate/report-plots.js';
import { saveCanonicalModel } from '../export/canonical-store.js';
import { referralThresholdField } from '../export/model-description.js';
import { loadLayersModelFromDir, saveLayersModel } from '../export/tfjs-model-io.js';
import { GAP_LAYER } from '../model/classifier-head.js';
import { buildResNet50Classifier, buildResNet50HeadModel, setBackboneTrainable } from '../model/resnet50-classifier.js';
import { buildTinyClassifier } from '../model/tiny-classifier.js';
import { featureExamples, imageExamples, type Examples, type ImageSource } from './examples.js';
import { cachedFeatures } from './feature-cache.js';
import { lesionTargets, type LesionStandardisation } from './lesion-targets.js';
import { transferWeights } from './model-weights.js';
import { preprocessedImages } from './preprocessed-images.js';
import { trainModel, type AuxiliaryTask, type EpochRecord, type TrainingEvents, type TrainResult } from './trainer.js';

export type ModelKind = 'resnet50' | 'tiny';
/** full: every trainable layer on images (stages A and C); head: the dense head on cached features (stage B). */
export type TrainingMode = 'full' | 'head';

export interface TrainingRunConfig {
  dataDir: string;
  validationFraction: number;
  /** Use only the first N labelled images (before the split), for quick runs. */
  limit?: number;
  /**
   * More labelled folders (Kaggle layout) used for training only, never for validation: more
   * examples without touching the split that earlier stages trained and validated on.
   */
  extraTrainDirs?: string[];
  cacheDir: string;
  model: ModelKind;
  mode: TrainingMode;
  freezeBackbone: boolean;
  resolution: number;
  /** A saved TF.js model to start from (required for mode 'head'). */
  init?: string;
  seed: number;
  epochs: number;
  batchSize: number;
  microBatch: number;
  learningRate: number;
  learningRateWarmupSteps?: number;
  patience: number;
  augment: boolean;
  /**
   * Mode full with a trainable backbone: BatchNorm statistics set from this many training images
   * (spread over the grades) before each validation (see TrainerOptions.batchNormCalibration); 0: off.
   */
  batchNormCalibrationImages: number;
  /**
   * Also regress each image's lesion counts (the data folder's lesions.csv) from the pooled
   * backbone features, with this weight on the squared error; the head is dropped after training.
   */
  auxLesionWeight?: number;
  checkpointPath: string;
  timeBudgetSeconds?: number;
  checkpointIntervalSeconds: number;
  /** The canonical store for the finished model, and its report folder. */
  outDir: string;
  reportDir: string;
  /**
   * Also the trained weights in float32 (TF.js artifacts), outside git: what the fp16 canonical
   * store rounds, for measuring what that rounding costs.
   */
  fp32OutDir: string;
  description: ModelDescription;
  /** Target sensitivity of the referral threshold chosen on validation data. */
  targetSensitivity: number;
  events?: TrainingEvents;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface TrainingSummary {
  settings: Omit<TrainingRunConfig, 'events' | 'log' | 'signal' | 'description'>;
  description: ModelDescription;
  /** train counts the extra training folders' images too (extraTrain of them). */
  data: { train: number; validation: number; perGradeTrain: number[]; extraTrain?: number };
  stopReason: TrainResult['stopReason'];
  bestEpoch: number | null;
  history: EpochRecord[];
  classWeights: number[];
  /** The auxiliary lesion-count task, when training had one (its targets' standardisation). */
  auxiliaryLesions?: LesionStandardisation & { weight: number };
  /** The exported 300 px model on the validation images. */
  validation: EvaluationReport;
  /** Chosen on validation data; apply it, never re-choose it, on test data. */
  referralThreshold: ReferralThreshold;
}

export const SUMMARY_FILE = 'training-summary.json';
export const FP32_CONVERTED_BY = 'fundus-grader trained float32 weights';

/**
 * Data → split → training (stage A/C: whole network on images; stage B: head on backbone features)
 * → the best model at 300 px in the canonical store, with a summary, training curves and the
 * validation confusion matrix. Returns the trainer's result; when it paused (time budget, Ctrl-C)
 * nothing is exported and the checkpoint holds the run.
 */
export async function runTraining(config: TrainingRunConfig): Promise<TrainResult> {
  if (config.auxLesionWeight !== undefined && (config.mode !== 'full' || config.freezeBackbone)) {
    throw new Error('the auxiliary lesion loss shapes the backbone: it needs mode full with a trainable backbone');
  }
  const extraDirs = config.extraTrainDirs ?? [];
  if (config.auxLesionWeight !== undefined && extraDirs.length > 0) {
    throw new Error(
      'the auxiliary lesion loss reads lesions.csv of --data only: it cannot be combined with extra training folders',
    );
  }
  const records = await loadKaggleDataset(config.dataDir);
  const used = config.limit ? records.slice(0, config.limit) : records;
  const split = splitByPatient(used, { seed: config.seed, validationFraction: config.validationFraction });
  config.log(
    `Data: ${used.length} images → ${split.train.length} train, ${split.validation.length} validation (patient-level split).`,
  );
  const extra = await extraTrainingRecords(config, extraDirs, split.validation);
  const trainRecords = [...split.train, ...extra];
  const trainImages = preprocessedImages(trainRecords, config.cacheDir);
  const validationImages = preprocessedImages(split.validation, config.cacheDir);
  const lesions =
    config.auxLesionWeight === undefined ? undefined : await lesionTask(config, config.auxLesionWeight, split);
  const init = config.init ? await loadLayersModelFromDir(config.init) : undefined;

  const { trained, train, validation } =
    config.mode === 'head'
      ? await headStage(config, init, trainImages, validationImages)
      : fullStage(config, init, trainImages, validationImages);
  const calibration = batchNormCalibration(config, trainRecords);
  const result = await trainModel({
    model: trained,
    train,
    validation,
    batchSize: config.batchSize,
    microBatch: config.microBatch,
    maxEpochs: config.epochs,
    patience: config.patience,
    learningRate: config.learningRate,
    ...(config.learningRateWarmupSteps ? { learningRateWarmupSteps: config.learningRateWarmupSteps } : {}),
    seed: config.seed,
    augment: config.augment && config.mode === 'full',
    frozenBatchNorm: config.freezeBackbone,
    ...(lesions ? { auxiliary: lesions.task } : {}),
    ...(calibration ? { batchNormCalibration: calibration } : {}),
    checkpointPath: config.checkpointPath,
    fingerprint: {
      kind: config.model,
      mode: config.mode,
      freezeBackbone: config.freezeBackbone,
      init: config.init ? resolve(config.init) : null,
    },
    checkpointIntervalSeconds: config.checkpointIntervalSeconds,
    ...(config.timeBudgetSeconds !== undefined ? { timeBudgetSeconds: config.timeBudgetSeconds } : {}),
    ...(config.signal ? { signal: config.signal } : {}),
    ...(config.events ? { events: config.events } : {}),
  });
  if (result.finished) {
    const final = servingModel(config, trained, init);
    await exportAndReport(config, final, result, trainRecords, extra.length, validationImages, lesions?.summary);
    final.dispose();
  }
  trained.dispose();
  init?.dispose();
  return result;
}

/**
 * The extra training folders' records. Refused when a folder is --data itself or names a file of
 * the validation split: a photo on both sides would let validation see what training saw.
 */
async function extraTrainingRecords(
  config: TrainingRunConfig,
  dirs: readonly string[],
  validation: readonly KaggleRecord[],
): Promise<KaggleRecord[]> {
  if (dirs.length === 0) return [];
  // Device and inode: a symbolic link to the data folder is the data folder, a hard link to a
  // validation photo is that photo.
  const identity = async (path: string) => {
    const { dev, ino } = await stat(path);
    return `${dev}:${ino}`;
  };
  const own = await identity(config.dataDir);
  const validationFiles = new Set(await Promise.all(validation.map((record) => identity(record.path))));
  const records: KaggleRecord[] = [];
  for (const dir of dirs) {
    if ((await identity(dir)) === own) throw new Error(`--extra-train ${dir} is the --data folder itself`);
    const found = await loadKaggleDataset(dir);
    const files = await Promise.all(found.map((record) => identity(record.path)));
    const shared = found.find((_, i) => validationFiles.has(files[i]!));
    if (shared) throw new Error(`--extra-train ${dir} lists ${shared.path}, an image of the validation split`);
    config.log(`Extra training data: ${found.length} images from ${dir} (training only).`);
    records.push(...found);
  }
  return records;
}

/** Lesion counts of the split's images as the trainer's auxiliary task on the pooled features. */
async function lesionTask(
  config: TrainingRunConfig,
  weight: number,
  split: { train: readonly KaggleRecord[]; validation: readonly KaggleRecord[] },
): Promise<{ task: AuxiliaryTask; summary: NonNullable<TrainingSummary['auxiliaryLesions']> }> {
  const targets = await lesionTargets(config.dataDir, split.train, split.validation);
  const { columns, mean, std } = targets.standardisation;
  config.log(
    `Auxiliary loss: ${columns.length} lesion counts (log1p, standardised on the training split) from ${GAP_LAYER}, weight ${weight}.`,
  );
  return {
    task: {
      featureLayer: GAP_LAYER,
      width: columns.length,
      train: targets.train,
      validation: targets.validation,
      weight,
      description: { columns, mean, std },
    },
    summary: { ...targets.standardisation, weight },
  };
}

function buildModel(config: TrainingRunConfig, inputSize: number): tf.LayersModel {
  return config.model === 'tiny'
    ? buildTinyClassifier({ inputSize, seed: config.seed })
    : buildResNet50Classifier({ inputSize, seed: config.seed });
}

function fullStage(
  config: TrainingRunConfig,
  init: tf.LayersModel | undefined,
  trainImages: ImageSource,
  validationImages: ImageSource,
) {
  const trained = buildModel(config, config.resolution);
  if (init) transferWeights(init, trained);
  if (config.freezeBackbone) setBackboneTrainable(trained, false);
  return {
    trained,
    train: imageExamples(trainImages, config.resolution),
    validation: imageExamples(validationImages, config.resolution),
  };
}

/** Unaugmented training images at the training resolution for BatchNorm statistics, when asked for. */
function batchNormCalibration(config: TrainingRunConfig, trainRecords: readonly KaggleRecord[]) {
  if (config.mode !== 'full' || config.freezeBackbone || config.batchNormCalibrationImages === 0) return undefined;
  const chosen = spreadOverGrades(trainRecords, config.batchNormCalibrationImages, config.seed);
  return {
    examples: imageExamples(preprocessedImages(chosen, config.cacheDir), config.resolution),
    lastLayer: GAP_LAYER,
  };
}

async function headStage(
  config: TrainingRunConfig,
  init: tf.LayersModel | undefined,
  trainImages: ImageSource,
  validationImages: ImageSource,
): Promise<{ trained: tf.LayersModel; train: Examples; validation: Examples }> {
  if (!init || config.model !== 'resnet50')
    throw new Error('--mode head needs --init with a trained ResNet50 classifier (stage A)');
  const features = await featureExtractor(init);
  const modelFiles = await stat(join(config.init!, 'model.json'));
  const extract = async (name: string, images: ImageSource) => {
    const key = `${resolve(config.init!)}@${modelFiles.mtimeMs}:${hashSeed(images.count, ...images.labels)}`;
    const started = performance.now();
    const out = await cachedFeatures(`${config.checkpointPath}.features-${name}`, key, () =>
      runOnnx(features, images, 8, (done) => config.log(`  features (${name}): ${done}/${images.count}`)),
    );
    config.log(
      `Features of ${images.count} ${name} images at ${INPUT_SIZE} px: ${out.cached ? 'from cache' : `${((performance.now() - started) / 1000).toFixed(0)} s`}.`,
    );
    return featureExamples(out.values, out.width, images.labels);
  };
  const train = await extract('train', trainImages);
  const validation = await extract('validation', validationImages);
  await features.release();
  return { trained: buildResNet50HeadModel({ seed: config.seed }), train, validation };
}

/** ONNX session of the backbone up to global average pooling (the head's input) at 300 px. */
async function featureExtractor(init: tf.LayersModel) {
  const atServingSize = buildResNet50Classifier({ inputSize: INPUT_SIZE });
  transferWeights(init, atServingSize);
  const backbone = tf.model({ inputs: atServingSize.inputs, outputs: atServingSize.getLayer(GAP_LAYER).output });
  try {
    return await onnxSession(backbone);
  } finally {
    atServingSize.dispose();
  }
}

/** The trained weights in a model of the product's input size (300 px). */
function servingModel(
  config: TrainingRunConfig,
  trained: tf.LayersModel,
  init: tf.LayersModel | undefined,
): tf.LayersModel {
  const final = buildModel(config, INPUT_SIZE);
  if (config.mode === 'head') {
    transferWeights(init!, final);
    const head = new Set(trained.weights.map((w) => w.originalName));
    transferWeights(trained, final, (name) => head.has(name));
  } else {
    transferWeights(trained, final);
  }
  return final;
}

async function exportAndReport(
  config: TrainingRunConfig,
  final: tf.LayersModel,
  result: TrainResult,
  trainRecords: readonly KaggleRecord[],
  extraTrain: number,
  validationImages: ImageSource,
  auxiliaryLesions: TrainingSummary['auxiliaryLesions'],
): Promise<void> {
  config.log(
    `Evaluating the ${INPUT_SIZE} px model on ${validationImages.count} validation images (onnxruntime-node)…`,
  );
  const session = await onnxSession(final);
  const { values } = await runOnnx(session, validationImages, 8);
  await session.release();
  const labels = [...validationImages.labels];
  const referralThreshold = chooseReferralThreshold(values, labels, config.targetSensitivity);
  const validation = evaluatePredictions(values, labels, referralThreshold);
  const finite = (entries: Array<[string, number]>) =>
    Object.fromEntries(entries.filter(([, v]) => Number.isFinite(v)));
  const description: ModelDescription = {
    ...config.description,
    metrics: finite([
      ['validationAccuracy', validation.accuracy],
      ['validationQuadraticKappa', validation.quadraticWeightedKappa],
      ['validationReferableAuc', validation.referable.rocAuc],
    ]),
    ...referralThresholdField(referralThreshold.threshold),
  };
  await saveCanonicalModel(final, config.outDir, description);
  await saveLayersModel(final, config.fp32OutDir, { form: 'fp32', convertedBy: FP32_CONVERTED_BY });
  await mkdir(config.reportDir, { recursive: true });
  const { events: _events, log: _log, signal: _signal, description: _description, ...settings } = config;
  const summary: TrainingSummary = {
    settings,
    description,
    data: {
      train: trainRecords.length,
      validation: validationImages.count,
      perGradeTrain: [0, 1, 2, 3, 4].map((g) => trainRecords.filter((r) => r.level === g).length),
      ...(extraTrain > 0 ? { extraTrain } : {}),
    },
    stopReason: result.stopReason,
    bestEpoch: result.bestEpoch,
    history: result.history,
    classWeights: result.classWeights,
    ...(auxiliaryLesions ? { auxiliaryLesions } : {}),
    validation,
    referralThreshold,
  };
  await writeFile(join(config.reportDir, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
  await writeTrainingCurves(config.reportDir, result.history, `${config.model} ${config.mode}`);
  await writeConfusionMatrix(
    join(config.reportDir, 'validation-confusion-matrix.png'),
    validation.confusionMatrix,
    'Validation confusion matrix',
  );
  config.log(
    `Model written to ${config.outDir}, float32 weights to ${config.fp32OutDir}; report in ${config.reportDir}.`,
  );
}
