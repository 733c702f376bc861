/**
 * Out-of-sample estimate of a real-photo training recipe: stratified k-fold cross-validation (or
 * one stratified hold-out fold) over a labelled folder.
 *   node --import tsx src/pipeline/cli/cross-validate.ts --help
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { GRADE_COUNT, REFERABLE_FROM, topGrade } from '../../shared/grades.js';
import { referralReason } from '../../shared/referral.js';
import { loadFundusDataset } from '../data/load-dataset.js';
import { evaluatePredictions, referableScores, chooseReferralThreshold } from '../evaluate/report.js';
import { operatingPoint } from '../evaluate/metrics.js';
import { reliability, writeReliabilityDiagram } from '../evaluate/reliability.js';
import { writeConfusionMatrix } from '../evaluate/report-plots.js';
import { loadLayersModelFromDir } from '../export/tfjs-model-io.js';
import { foldSplit, stratifiedFolds } from '../finetune/folds.js';
import { loadStoreData, PHOTO_PREPROCESSINGS, type PhotoPreprocessing } from '../finetune/load-store.js';
import { evaluationExamples, predict, RECIPES, trainRecipe, type RecipeName } from '../finetune/recipes.js';
import { initTrainingBackend } from '../train/backend.js';
import { positiveInt, positiveNumber, runCli, UsageError } from './cli-support.js';

const USAGE =
  'usage: cross-validate.ts --pretrained DIR --recipe head|last-stage --out DIR [options] (--help for more)';
const HELP = `Estimate how a real-photo training recipe generalises: every reported figure comes from
predictions on photos the model did not train on.

Usage: node --import tsx src/pipeline/cli/cross-validate.ts --pretrained DIR --recipe NAME --out DIR [options]

  --data DIR          labelled photos, IDRiD or Kaggle layout (default ../shared/datasets/idrid-grading-train)
  --pretrained DIR    the ImageNet start (pretrained.ts --out)
  --recipe NAME       ${RECIPES.join(' | ')}
  --folds K           stratified K-fold cross-validation (default 5)
  --only-folds N      run only the first N folds (1: a single stratified 1/K hold-out); the report
                      covers the photos of those folds
  --fold I            train only fold I (1-based) and stop; the report is written by the run that
                      finds every fold done (lets two processes share the folds, one core each)
  --seed N            folds, initial weights, shuffling (default 1)
  --target-sensitivity S   referral threshold target on each fold's inner validation (default 0.9)
  --last-stage-epochs N    default 8; --head-epochs N default 60
  --last-stage-learning-rate LR   Adam's rate for the last stage (default 1e-5, 10 warm-up steps)
  --preprocessing P   fov-crop (default) | local-contrast (Graham's normalisation on the crop)
  --no-augment        no dihedral variants in training
  --no-class-weights  every photo weighs the same (default: inverse grade frequency)
  --grade-cost L      add L × the expected squared grade distance (scaled to [0, 1]) to the
                      cross-entropy, so far-off grades cost more (default 0: cross-entropy alone)
  --cache DIR         preprocessed photos and backbone features (default .cache/real)
  --out DIR           fold results (resumable: finished folds are kept) and report.json
  -h, --help          show this help`;

interface FoldResult {
  /** What made this fold; a stored fold is reused only when all of it matches. */
  settings: {
    folds: number;
    seed: number;
    recipe: RecipeName;
    photos: number;
    headEpochs: number;
    lastStageEpochs: number;
    lastStageLearningRate?: number;
    augment?: boolean;
    classWeights?: boolean;
    /** Present only when > 0, so that folds stored before the option existed are still reused. */
    gradeCostWeight?: number;
    preprocessing?: PhotoPreprocessing;
  };
  fold: number;
  test: number[];
  probabilities: number[];
  threshold: number;
  headEpochs: number;
  lastStageEpochs: number;
  lastStageKept: boolean;
  seconds: number;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    options: {
      data: { type: 'string' },
      pretrained: { type: 'string' },
      recipe: { type: 'string' },
      folds: { type: 'string' },
      'only-folds': { type: 'string' },
      fold: { type: 'string' },
      seed: { type: 'string' },
      'target-sensitivity': { type: 'string' },
      'last-stage-epochs': { type: 'string' },
      'head-epochs': { type: 'string' },
      'last-stage-learning-rate': { type: 'string' },
      'no-augment': { type: 'boolean', default: false },
      preprocessing: { type: 'string' },
      'no-class-weights': { type: 'boolean', default: false },
      'grade-cost': { type: 'string' },
      cache: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.pretrained) throw new UsageError('--pretrained is required');
  if (!values.out) throw new UsageError('--out is required');
  const recipe = values.recipe as RecipeName;
  if (!RECIPES.includes(recipe)) throw new UsageError(`--recipe must be one of ${RECIPES.join(', ')}`);
  const k = values.folds !== undefined ? positiveInt('folds', values.folds, 2) : 5;
  const onlyFolds = values['only-folds'] !== undefined ? positiveInt('only-folds', values['only-folds']) : k;
  if (onlyFolds > k) throw new UsageError(`--only-folds must be at most --folds (${k})`);
  const onlyFold = values.fold !== undefined ? positiveInt('fold', values.fold) - 1 : undefined;
  if (onlyFold !== undefined && onlyFold >= onlyFolds) throw new UsageError(`--fold must be at most ${onlyFolds}`);
  const seed = values.seed !== undefined ? positiveInt('seed', values.seed, 0) : 1;
  const target =
    values['target-sensitivity'] !== undefined
      ? positiveNumber('target-sensitivity', values['target-sensitivity'])
      : 0.9;
  if (target > 1) throw new UsageError('--target-sensitivity must be at most 1');
  const lastStageEpochs =
    values['last-stage-epochs'] !== undefined ? positiveInt('last-stage-epochs', values['last-stage-epochs']) : 8;
  const headEpochs = values['head-epochs'] !== undefined ? positiveInt('head-epochs', values['head-epochs']) : 60;
  const gradeCostWeight =
    values['grade-cost'] !== undefined ? nonNegativeNumber('grade-cost', values['grade-cost']) : 0;
  const dataDir = values.data ?? '../shared/datasets/idrid-grading-train';
  const cache = values.cache ?? '.cache/real';

  const preprocessing = (values.preprocessing ?? 'fov-crop') as PhotoPreprocessing;
  if (!PHOTO_PREPROCESSINGS.includes(preprocessing))
    throw new UsageError(`--preprocessing must be one of ${PHOTO_PREPROCESSINGS.join(', ')}`);
  await initTrainingBackend('wasm');
  const records = await loadFundusDataset(dataDir);
  console.log(`${records.length} photos from ${dataDir}`);
  const pretrained = await loadLayersModelFromDir(values.pretrained);
  const data = await loadStoreData(records, pretrained, cache, (line) => console.log(line), preprocessing);
  const folds = stratifiedFolds(data.labels, k, seed);
  await mkdir(values.out, { recursive: true });

  const lastStageLearningRate =
    values['last-stage-learning-rate'] !== undefined
      ? positiveNumber('last-stage-learning-rate', values['last-stage-learning-rate'])
      : 1e-5;
  const augment = !values['no-augment'];
  const classWeights = !values['no-class-weights'];
  const settings: FoldResult['settings'] = {
    folds: k,
    seed,
    recipe,
    photos: records.length,
    headEpochs,
    lastStageEpochs,
    ...(recipe === 'last-stage' ? { lastStageLearningRate } : {}),
    augment,
    classWeights,
    ...(gradeCostWeight > 0 ? { gradeCostWeight } : {}),
    ...(preprocessing !== 'fov-crop' ? { preprocessing } : {}),
  };
  const results: FoldResult[] = [];
  for (let f = 0; f < onlyFolds; f++) {
    const path = join(values.out, `fold-${f}.json`);
    const stored = await readFile(path, 'utf8').then(
      (text) => JSON.parse(text) as FoldResult,
      () => undefined,
    );
    if (stored && JSON.stringify(stored.settings) === JSON.stringify(settings)) {
      results.push(stored);
      console.log(`fold ${f + 1}/${k}: done before`);
      continue;
    }
    if (onlyFold !== undefined && f !== onlyFold) continue;
    if (stored) console.log(`fold ${f + 1}/${k}: the stored result was made with other settings; training again`);
    const started = performance.now();
    const { train, test } = foldSplit(folds, f);
    console.log(`fold ${f + 1}/${k}: training on ${train.length}, predicting ${test.length}`);
    const trained = await trainRecipe(data, train, {
      recipe,
      seed: seed + f,
      headEpochs,
      lastStageEpochs,
      lastStageLearningRate,
      augment,
      classWeights,
      gradeCostWeight,
      checkpointPrefix: join(values.out, `fold-${f}`),
      log: (line) => console.log(line),
      events: {
        onEpoch: (r) =>
          console.log(
            `    epoch ${r.epoch}: train ${r.trainLoss.toFixed(3)} val ${r.valLoss.toFixed(3)} (${r.seconds.toFixed(0)} s)`,
          ),
      },
    });
    if (!trained.finished) throw new Error('training stopped before finishing');
    const probabilities = await predict(trained.model, evaluationExamples(data, test, trained.input));
    const threshold = chooseReferralThreshold(
      trained.validation.probabilities,
      trained.validation.labels,
      target,
    ).threshold;
    trained.model.dispose();
    const result: FoldResult = {
      settings,
      fold: f,
      test,
      probabilities: [...probabilities],
      threshold,
      headEpochs: trained.history.head.length,
      lastStageEpochs: trained.history.lastStage.length,
      lastStageKept: trained.lastStageKept,
      seconds: (performance.now() - started) / 1000,
    };
    await writeFile(path, JSON.stringify(result));
    results.push(result);
    console.log(
      `fold ${f + 1}/${k}: ${result.seconds.toFixed(0)} s, threshold ${threshold.toFixed(3)}; ${tf.memory().numTensors} tensors alive`,
    );
  }

  if (results.length < onlyFolds) {
    console.log(`${results.length} of ${onlyFolds} folds done; the report is written once every fold is`);
    return 0;
  }
  const indices = results.flatMap((r) => r.test);
  const labels = indices.map((i) => data.labels[i]!);
  const probabilities = Float32Array.from(results.flatMap((r) => r.probabilities));
  const report = evaluatePredictions(probabilities, labels);
  // Each fold's threshold was chosen on its own inner validation photos and applied to its test photos.
  const scores = referableScores(probabilities, indices.length);
  const thresholds = results.flatMap((r) => r.test.map(() => r.threshold));
  const flagged = scores.map((s, i) => (s >= thresholds[i]! ? 1 : 0));
  const referable = labels.map((l) => l >= REFERABLE_FROM);
  const atFoldThresholds = operatingPoint(flagged, referable, 1);
  // As the app refers (src/shared/referral.ts): the top grade, or the probability at the threshold.
  const referred = scores.map((s, i) => {
    const row = [...probabilities.subarray(i * GRADE_COUNT, (i + 1) * GRADE_COUNT)];
    return referralReason(topGrade(row), s, thresholds[i]) === null ? 0 : 1;
  });
  const asTheAppRefers = operatingPoint(referred, referable, 1);
  const shippingThreshold = chooseReferralThreshold(probabilities, labels, target);
  const calibration = reliability(
    scores,
    labels.map((l) => l >= REFERABLE_FROM),
  );
  const summary = {
    recipe,
    estimate:
      onlyFolds < k
        ? `stratified hold-out: ${onlyFolds} of ${k} folds predicted (${indices.length} photos), each by a model that did not train on it`
        : `stratified ${k}-fold cross-validation, out-of-fold predictions`,
    photos: indices.length,
    seed,
    ...report,
    referralAtFoldThresholds: { targetSensitivity: target, ...atFoldThresholds, threshold: undefined },
    referralAsTheAppRefersAtFoldThresholds: { ...asTheAppRefers, threshold: undefined },
    thresholdFromOutOfFold: shippingThreshold,
    referableCalibration: calibration,
    settings,
    folds: results.map(({ fold, threshold, headEpochs: h, lastStageEpochs: l, lastStageKept, seconds }) => ({
      fold,
      threshold,
      headEpochs: h,
      lastStageEpochs: l,
      lastStageKept,
      seconds,
    })),
    predictions: indices.map((i, n) => ({
      image: records[i]!.image,
      grade: data.labels[i],
      probabilities: [...probabilities.subarray(n * GRADE_COUNT, (n + 1) * GRADE_COUNT)],
    })),
  };
  await writeFile(join(values.out, 'report.json'), JSON.stringify(summary, null, 1));
  await writeConfusionMatrix(
    join(values.out, 'confusion-matrix.png'),
    report.confusionMatrix,
    `${recipe}: out-of-sample confusion (${indices.length} photos)`,
  );
  await writeReliabilityDiagram(
    join(values.out, 'reliability.png'),
    calibration,
    `${recipe}: P(grade ≥ 2), out of sample`,
  );
  console.log(
    `${summary.estimate}, ${recipe}: accuracy ${report.accuracy.toFixed(3)}, κ ${report.quadraticWeightedKappa.toFixed(3)}, referable AUC ${report.referable.rocAuc.toFixed(3)}, ` +
      `sensitivity ${atFoldThresholds.sensitivity.toFixed(3)} / specificity ${atFoldThresholds.specificity.toFixed(3)} at the folds' thresholds ` +
      `(as the app refers: ${asTheAppRefers.sensitivity.toFixed(3)} / ${asTheAppRefers.specificity.toFixed(3)})`,
  );
  return 0;
}

function nonNegativeNumber(name: string, text: string): number {
  const value = Number(text);
  if (!/^\s*(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text) || !Number.isFinite(value))
    throw new UsageError(`--${name} must be a number ≥ 0, got "${text}"`);
  return value;
}

runCli(main, USAGE);
