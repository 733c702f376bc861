/**
 * The shipped real-photo model: a recipe trained on every photo, assembled into the full 300 px
 * classifier and written as the canonical store, with the cross-validation's out-of-sample figures
 * and referral threshold.
 *   node --import tsx src/pipeline/cli/train-real.ts --help
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { ModelDescription } from '../../shared/model-manifest.js';
import { loadFundusDataset } from '../data/load-dataset.js';
import { saveCanonicalModel } from '../export/canonical-store.js';
import { referralThresholdField } from '../export/model-description.js';
import { loadLayersModelFromDir, saveLayersModel } from '../export/tfjs-model-io.js';
import { loadStoreData, PHOTO_PREPROCESSINGS, type PhotoPreprocessing } from '../finetune/load-store.js';
import { evaluationExamples, predict, RECIPES, trainRecipe, type RecipeName } from '../finetune/recipes.js';
import { OUTPUT_LAYER } from '../model/classifier-head.js';
import { localContrastNormalise } from '../../shared/local-contrast.js';
import { initTrainingBackend } from '../train/backend.js';
import { transferWeights } from '../train/model-weights.js';
import { preprocessedImages } from '../train/preprocessed-images.js';
import { positiveInt, runCli, UsageError } from './cli-support.js';

const USAGE =
  'usage: train-real.ts --pretrained DIR --cross-validation DIR --out DIR --fp32-out DIR [options] (--help for more)';
const HELP = `Train the real-photo model on every photo and write it as a canonical store.

Usage: node --import tsx src/pipeline/cli/train-real.ts [options]

  --data DIR              labelled photos (default ../shared/datasets/idrid-grading-train)
  --pretrained DIR        the ImageNet start (pretrained.ts --out)
  --cross-validation DIR  cross-validate.ts --out of the same recipe: its report.json gives the
                          recipe, the out-of-sample metrics and the referral threshold; read when
                          training ends, so training may start while the cross-validation runs
  --recipe NAME           ${RECIPES.join(' | ')} (default: the cross-validation's)
  --preprocessing P       ${PHOTO_PREPROCESSINGS.join(' | ')} (default: the cross-validation's, else fov-crop);
                          the recipe's other settings (augmentation, class weights, grade cost,
                          epochs) come from the cross-validation, which must have been run with
                          the same recipe and preprocessing
  --out DIR               the canonical store (fp16) with model-info.json
  --fp32-out DIR          the same weights in float32, outside git
  --id ID --version V     default resnet50-dr, 6
  --seed N                default 1
  --cache DIR             preprocessed photos and backbone features (default .cache/real)
  -h, --help              show this help`;

interface CrossValidationReport {
  recipe: RecipeName;
  settings: {
    augment?: boolean;
    classWeights?: boolean;
    /** Absent: 0 (no grade cost). */
    gradeCostWeight?: number;
    preprocessing?: PhotoPreprocessing;
    lastStageLearningRate?: number;
    headEpochs: number;
    lastStageEpochs: number;
  };
  estimate: string;
  photos: number;
  accuracy: number;
  quadraticWeightedKappa: number;
  referable: { rocAuc: number };
  referralAtFoldThresholds: { sensitivity: number; specificity: number; targetSensitivity: number };
  thresholdFromOutOfFold: { threshold: number; sensitivity: number; specificity: number };
  folds: Array<{ lastStageEpochs: number; headEpochs: number }>;
}

export const IDRID_NOTICE =
  'Research model trained on 413 photographs from one clinic and one camera type (IDRiD). Not a medical device; not for clinical use.';
export const IDRID_CREDIT =
  'IDRiD dataset © Prasanna Porwal, Samiksha Pachade and Manesh Kokare, CC BY 4.0 — Porwal et al., "Indian Diabetic Retinopathy Image Dataset (IDRiD)", Data 3(3), 25 (2018).';

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    options: {
      data: { type: 'string' },
      pretrained: { type: 'string' },
      'cross-validation': { type: 'string' },
      recipe: { type: 'string' },
      preprocessing: { type: 'string' },
      out: { type: 'string' },
      'fp32-out': { type: 'string' },
      id: { type: 'string' },
      version: { type: 'string' },
      seed: { type: 'string' },
      cache: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  for (const required of ['pretrained', 'cross-validation', 'out', 'fp32-out'] as const) {
    if (!values[required]) throw new UsageError(`--${required} is required`);
  }
  const seed = values.seed !== undefined ? positiveInt('seed', values.seed, 0) : 1;
  const cvPath = join(values['cross-validation']!, 'report.json');
  const readReport = async () => {
    const report = JSON.parse(await readFile(cvPath, 'utf8')) as CrossValidationReport;
    if (!RECIPES.includes(report.recipe)) throw new Error(`${cvPath}: unknown recipe ${String(report.recipe)}`);
    return report;
  };
  if (values.recipe !== undefined && !RECIPES.includes(values.recipe as RecipeName))
    throw new UsageError(`--recipe must be one of ${RECIPES.join(', ')}`);
  const early =
    values.recipe === undefined || values.preprocessing === undefined
      ? await readReport().catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return undefined;
          throw error;
        })
      : undefined;
  const recipe = (values.recipe as RecipeName | undefined) ?? early?.recipe;
  if (recipe === undefined) throw new Error(`${cvPath} does not exist, and no --recipe was given`);
  const preprocessing = (values.preprocessing ?? early?.settings.preprocessing ?? 'fov-crop') as PhotoPreprocessing;
  if (!PHOTO_PREPROCESSINGS.includes(preprocessing))
    throw new UsageError(`--preprocessing must be one of ${PHOTO_PREPROCESSINGS.join(', ')}`);
  const dataDir = values.data ?? '../shared/datasets/idrid-grading-train';

  await initTrainingBackend('wasm');
  const records = await loadFundusDataset(dataDir);
  const pretrained = await loadLayersModelFromDir(values.pretrained!);
  const data = await loadStoreData(
    records,
    pretrained,
    values.cache ?? '.cache/real',
    (line) => console.log(line),
    preprocessing,
  );
  const all = records.map((_, i) => i);
  console.log(`training ${recipe} on all ${all.length} photos`);
  const used = {
    augment: early?.settings.augment ?? true,
    classWeights: early?.settings.classWeights ?? true,
    gradeCostWeight: early?.settings.gradeCostWeight ?? 0,
    ...(early?.settings.lastStageLearningRate !== undefined
      ? { lastStageLearningRate: early.settings.lastStageLearningRate }
      : {}),
    ...(early ? { headEpochs: early.settings.headEpochs, lastStageEpochs: early.settings.lastStageEpochs } : {}),
  };
  const trained = await trainRecipe(data, all, {
    recipe,
    seed,
    ...used,
    checkpointPrefix: join(values['fp32-out']!, '..', `${values.id ?? 'resnet50-dr'}-real-final`),
    log: (line) => console.log(line),
    events: {
      onEpoch: (r) =>
        console.log(
          `    epoch ${r.epoch}: train ${r.trainLoss.toFixed(3)} val ${r.valLoss.toFixed(3)} (${r.seconds.toFixed(0)} s)`,
        ),
    },
  });
  if (!trained.finished) throw new Error('training stopped before finishing');

  // The full classifier: ImageNet layers up to conv4, the trained last stage (if any) and head.
  const trainedLayer = (name: string) =>
    name.startsWith('head_') ||
    name.startsWith(`${OUTPUT_LAYER}/`) ||
    (trained.input === 'conv4' && name.startsWith('conv5_'));
  transferWeights(trained.model, pretrained, trainedLayer);

  // The assembled model must reproduce the trained one on real photos (the same weights, whole graph).
  const check = all.slice(0, 8);
  const expected = await predict(trained.model, evaluationExamples(data, check, trained.input));
  const crops = preprocessedImages(
    check.map((i) => records[i]!),
    join(values.cache ?? '.cache/real', 'preprocessed'),
  );
  const images = {
    image: async (n: number) =>
      preprocessing === 'local-contrast' ? localContrastNormalise(await crops.image(n)) : crops.image(n),
  };
  let maxDifference = 0;
  for (let n = 0; n < check.length; n++) {
    const rgb = await images.image(n);
    const p = tf.tidy(() =>
      (
        pretrained.predict(tf.tensor4d(Float32Array.from(rgb.data), [1, rgb.height, rgb.width, 3])) as tf.Tensor
      ).dataSync(),
    );
    for (let c = 0; c < p.length; c++)
      maxDifference = Math.max(maxDifference, Math.abs(p[c]! - expected[n * p.length + c]!));
  }
  console.log(`assembled model vs trained parts on ${check.length} photos: max |Δp| ${maxDifference.toExponential(2)}`);
  if (maxDifference > 1e-3) throw new Error(`the assembled model differs from the trained one by ${maxDifference}`);

  const cv = await readReport();
  const cvPreprocessing = cv.settings.preprocessing ?? 'fov-crop';
  if (cv.recipe !== recipe || cvPreprocessing !== preprocessing) {
    throw new Error(`${cvPath} cross-validated ${cv.recipe} on ${cvPreprocessing}, not ${recipe} on ${preprocessing}`);
  }
  if (
    (cv.settings.augment ?? true) !== used.augment ||
    (cv.settings.classWeights ?? true) !== used.classWeights ||
    (cv.settings.gradeCostWeight ?? 0) !== used.gradeCostWeight
  ) {
    throw new Error(
      `${cvPath} was made with other training settings than this run's (${JSON.stringify(used)}); run it first`,
    );
  }
  if (preprocessing !== 'fov-crop')
    throw new Error(`the app crops the field of view only; a ${preprocessing} model cannot ship yet`);
  const description: ModelDescription = {
    id: values.id ?? 'resnet50-dr',
    version: values.version ?? '6',
    name: 'ResNet50 DR grader (IDRiD research model)',
    trainingData: `IDRiD: ${records.length} graded photographs, one clinic, one camera (Kowa VX-10α); ImageNet-pretrained ResNet50`,
    metrics: {
      crossValidatedAccuracy: cv.accuracy,
      crossValidatedQuadraticKappa: cv.quadraticWeightedKappa,
      crossValidatedReferableAuc: cv.referable.rocAuc,
      crossValidatedReferableSensitivity: cv.referralAtFoldThresholds.sensitivity,
      crossValidatedReferableSpecificity: cv.referralAtFoldThresholds.specificity,
    },
    demo: false,
    ...referralThresholdField(cv.thresholdFromOutOfFold.threshold),
    notice: IDRID_NOTICE,
    credit: IDRID_CREDIT,
  };
  await saveCanonicalModel(pretrained, values.out!, description);
  await saveLayersModel(pretrained, values['fp32-out']!, { form: 'fp32' });
  const reportDir = join(values.out!, 'training');
  await mkdir(reportDir, { recursive: true });
  await writeFile(
    join(reportDir, 'real-photo-training.json'),
    JSON.stringify(
      {
        recipe: cv.recipe,
        seed,
        photos: all.length,
        crossValidation: cvPath,
        history: trained.history,
        assembledMaxDifference: maxDifference,
      },
      null,
      1,
    ),
  );
  console.log(`wrote ${values.out} (${description.id} v${description.version}) and ${values['fp32-out']}`);
  return 0;
}

runCli(main, USAGE);
