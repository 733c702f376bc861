/**
 * Evaluate a trained model on a labelled Kaggle-layout folder: metrics JSON and plots.
 *   node --import tsx src/pipeline/cli/evaluate.ts --help
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadKaggleDataset } from '../data/kaggle-loader.js';
import { loadFundusDataset } from '../data/load-dataset.js';
import { onnxSession, runOnnx } from '../evaluate/onnx-runner.js';
import { predictProbabilities } from '../evaluate/predict.js';
import { evaluatePredictions } from '../evaluate/report.js';
import { CONFUSION_MATRIX_FILE, writeConfusionMatrix, writeTrainingCurves } from '../evaluate/report-plots.js';
import { loadLayersModelFromDir } from '../export/tfjs-model-io.js';
import { initTrainingBackend, TRAINING_BACKENDS, type TrainingBackend } from '../train/backend.js';
import { imageExamples } from '../train/examples.js';
import { preprocessedImages } from '../train/preprocessed-images.js';
import { SUMMARY_FILE, type TrainingSummary } from '../train/run-training.js';
import { positiveInt, runCli, UsageError } from './cli-support.js';

const USAGE = 'usage: evaluate.ts --model DIR --data DIR [--runtime onnx|tfjs] [options] (--help for more)';

const HELP = `Evaluate a trained DR grader on labelled images.

Usage: node --import tsx src/pipeline/cli/evaluate.ts --model DIR --data DIR [options]

  --model DIR              a TF.js layers model folder (e.g. the canonical store models/<id>) (required)
  --data DIR               images in Kaggle layout, held out from training (required)
  --labels FILE            labels CSV (default <data>/trainLabels.csv; Kaggle's test set ships
                           retinopathy_solution.csv, also image,level)
  --summary FILE           the training summary: referral threshold chosen on validation data and
                           the history for training curves (default <model>/training/${SUMMARY_FILE} if present)
  --runtime onnx|tfjs      onnx: the model through the project's ONNX exporter on onnxruntime-node
                           (default, ~10× faster here); tfjs: TF.js itself on --backend
  --backend wasm|cpu|webgpu  TF.js backend for --runtime tfjs (default wasm)
  --batch N                images per inference batch (default 8)
  --limit N                only the first N labelled images
  --cache DIR              preprocessed 300 px images (default .cache/preprocessed)
  --out DIR                report folder (default build/reports/<model>-on-<data>)

Writes evaluation.json (accuracy, mean loss, quadratic weighted kappa, confusion matrix, recall and
precision per grade, referable-DR sensitivity/specificity at 0.5 and at the validation threshold,
ROC AUC), ${CONFUSION_MATRIX_FILE} and, with a summary, the training curves.`;

async function readSummary(path: string, explicit: boolean): Promise<TrainingSummary | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as TrainingSummary;
  } catch (error) {
    if (!explicit && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read training summary ${path}: ${(error as Error).message}`);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    options: {
      model: { type: 'string' },
      data: { type: 'string' },
      labels: { type: 'string' },
      summary: { type: 'string' },
      runtime: { type: 'string', default: 'onnx' },
      backend: { type: 'string', default: 'wasm' },
      batch: { type: 'string', default: '8' },
      limit: { type: 'string' },
      cache: { type: 'string', default: join('.cache', 'preprocessed') },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.model || !values.data) throw new UsageError('--model DIR and --data DIR are required (see --help)');
  if (values.runtime !== 'onnx' && values.runtime !== 'tfjs')
    throw new UsageError(`--runtime must be onnx or tfjs, got "${values.runtime}"`);
  if (!(TRAINING_BACKENDS as readonly string[]).includes(values.backend))
    throw new UsageError(`--backend must be one of ${TRAINING_BACKENDS.join(', ')}`);
  const batch = positiveInt('batch', values.batch);
  const outDir =
    values.out ?? join('build', 'reports', `${basename(resolve(values.model))}-on-${basename(resolve(values.data))}`);
  const summary = await readSummary(
    values.summary ?? join(values.model, 'training', SUMMARY_FILE),
    values.summary !== undefined,
  );
  if (summary && resolve(summary.settings.dataDir) === resolve(values.data)) {
    console.warn(
      `warning: ${values.data} is the folder the model was trained on; its metrics include training images. Evaluate on a held-out folder.`,
    );
  }

  const all = values.labels
    ? await loadKaggleDataset(values.data, { labelsPath: values.labels })
    : await loadFundusDataset(values.data);
  const records = values.limit ? all.slice(0, positiveInt('limit', values.limit)) : all;
  const images = preprocessedImages(records, values.cache);
  const labels = [...images.labels];
  await initTrainingBackend(values.backend as TrainingBackend);
  const model = await loadLayersModelFromDir(values.model);
  const inputSize = model.inputs[0]!.shape[1]!;
  if (inputSize !== images.size)
    throw new Error(`the model takes ${inputSize} px inputs; the preprocessing makes ${images.size} px`);
  const started = performance.now();
  const progress = (done: number) => {
    if (process.stdout.isTTY) process.stdout.write(`\rpredicting ${done}/${records.length}`);
  };
  let probabilities: Float32Array;
  try {
    if (values.runtime === 'onnx') {
      const session = await onnxSession(model);
      probabilities = (await runOnnx(session, images, batch, progress)).values;
      await session.release();
    } else {
      probabilities = await predictProbabilities(model, imageExamples(images, inputSize), batch, progress);
    }
  } catch (error) {
    // End the progress line, so that the error starts on its own.
    if (process.stdout.isTTY) process.stdout.write('\n');
    throw error;
  }
  model.dispose();
  const seconds = (performance.now() - started) / 1000;
  console.log(`\r${records.length} images predicted in ${seconds.toFixed(1)} s (${values.runtime}).`);

  const report = evaluatePredictions(probabilities, labels, summary?.referralThreshold);
  await mkdir(outDir, { recursive: true });
  const evaluation = {
    model: resolve(values.model),
    data: resolve(values.data),
    runtime: values.runtime,
    referralThresholdFrom: summary ? 'validation data (training summary)' : 'none given: only the 0.5 operating point',
    ...report,
  };
  await writeFile(join(outDir, 'evaluation.json'), `${JSON.stringify(evaluation, null, 2)}\n`);
  await writeConfusionMatrix(
    join(outDir, CONFUSION_MATRIX_FILE),
    report.confusionMatrix,
    `Confusion matrix: ${basename(resolve(values.data))}`,
  );
  if (summary) await writeTrainingCurves(outDir, summary.history, `${summary.settings.model} ${summary.settings.mode}`);

  const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : 'n/a');
  console.log(
    `accuracy ${pct(report.accuracy)}, quadratic weighted kappa ${report.quadraticWeightedKappa.toFixed(3)}, mean loss ${report.meanLoss.toFixed(4)}`,
  );
  const ref = report.referable;
  console.log(
    `referable DR (${ref.positives} of ${report.examples}): ROC AUC ${ref.rocAuc.toFixed(3)}; at 0.5 sensitivity ${pct(ref.atHalf.sensitivity)}, specificity ${pct(ref.atHalf.specificity)}`,
  );
  if (ref.atValidationThreshold) {
    const t = ref.atValidationThreshold;
    console.log(
      `  at the validation threshold ${t.threshold.toFixed(3)}: sensitivity ${pct(t.sensitivity)}, specificity ${pct(t.specificity)}`,
    );
  }
  const app = ref.asTheAppRefers;
  console.log(
    `  as the app refers (${app.rule}): sensitivity ${pct(app.sensitivity)}, specificity ${pct(app.specificity)}`,
  );
  console.log(`Report in ${outDir}.`);
  return 0;
}

runCli(main, USAGE);
