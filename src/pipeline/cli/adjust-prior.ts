/**
 * Correct a trained grader for the grade mix it will screen (prior shift) and write it as a new version.
 *   node --import tsx src/pipeline/cli/adjust-prior.ts --help
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ModelDescription } from '../../shared/model-manifest.js';
import { loadKaggleDataset } from '../data/kaggle-loader.js';
import { splitByPatient } from '../data/split.js';
import { EYEPACS_DISTRIBUTION } from '../data/synthetic/plan.js';
import { onnxSession, runOnnx } from '../evaluate/onnx-runner.js';
import {
  choosePriorStrength,
  gradePrior,
  shiftedProbabilities,
  type PriorStrengthTrial,
} from '../evaluate/prior-shift.js';
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
import { shiftOutputBias } from '../model/shift-output-bias.js';
import { readFloat32Source } from '../parity/float32-source.js';
import { initTrainingBackend } from '../train/backend.js';
import { preprocessedImages } from '../train/preprocessed-images.js';
import { FP32_CONVERTED_BY, SUMMARY_FILE, type TrainingSummary } from '../train/run-training.js';
import { runCli, UsageError } from './cli-support.js';

const USAGE =
  'usage: adjust-prior.ts --model DIR --out DIR [--version V] [--prior P0,…,P4] [options] (--help for more)';

const HELP = `Correct a trained DR grader for the grade mix it will screen, as a new model version.

A model trained on grade-balanced images over-calls the rare grades where most eyes are healthy.
Bayes' rule moves its logits by log(π_deploy / π_train); because a network's probabilities are not
exact posteriors, the shift is scaled by a strength in [0, 1] chosen on the validation split
reweighted to the deployment mix (highest quadratic weighted kappa among the strengths that still
predict every grade the model predicts unshifted). The shift is added to the final Dense bias, so
both exported variants carry it. The referral threshold is chosen again on the shifted validation
probabilities. Run it once, on a model straight from training.

Usage: node --import tsx src/pipeline/cli/adjust-prior.ts --model DIR --out DIR [options]

  --model DIR       canonical store from train.ts (its training/${SUMMARY_FILE} names the data,
                    the split and the float32 weights) (required)
  --out DIR         where to write the corrected canonical store (required; may be --model: rewritten
                    in place, which needs a new --version)
  --version V       the corrected model's version (default the model's own; the app caches by
                    version, so a model already published needs a new one)
  --fp32 DIR        the model's float32 weights (default: the summary's fp32OutDir)
  --fp32-out DIR    where to write the corrected float32 weights (default <fp32>-prior)
  --prior P0,…,P4   the deployment grade mix (default the EyePACS one: ${EYEPACS_DISTRIBUTION.join(',')})
  --cache DIR       preprocessed images (default: the summary's cacheDir)

Writes <out> (weights, model-info.json) and <out>/training/${SUMMARY_FILE} with a priorShift
section: the mixes, every strength tried with its reweighted validation kappa, the one chosen and the
logit offsets. Exit status: 0 done, 1 error, 2 bad arguments.`;

export interface PriorShiftRecord {
  deploymentPrior: number[];
  trainingPrior: number[];
  strength: number;
  logitOffsets: number[];
  trials: PriorStrengthTrial[];
  /** The uncorrected model on the same (balanced) validation split, for comparison. */
  before: { version: string; validation: EvaluationReport; referralThreshold: ReferralThreshold };
}

function parsePrior(text: string): number[] {
  const shares = text.split(',').map(Number);
  if (shares.length !== 5 || shares.some((p) => !(p > 0)))
    throw new UsageError(`--prior needs five shares above 0, got "${text}"`);
  return shares;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    options: {
      model: { type: 'string' },
      out: { type: 'string' },
      version: { type: 'string' },
      fp32: { type: 'string' },
      'fp32-out': { type: 'string' },
      prior: { type: 'string', default: EYEPACS_DISTRIBUTION.join(',') },
      cache: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.model || !values.out) throw new UsageError('--model DIR and --out DIR are required (see --help)');
  const deployment = parsePrior(values.prior);
  const summaryPath = join(values.model, 'training', SUMMARY_FILE);
  const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as TrainingSummary & {
    priorShift?: PriorShiftRecord;
  };
  if (summary.priorShift) {
    throw new UsageError(
      `${values.model} is already corrected (strength ${summary.priorShift.strength}); run this on the model as training left it`,
    );
  }
  const version = values.version ?? summary.description.version;
  if (resolve(values.out) === resolve(values.model) && version === summary.description.version) {
    throw new UsageError(`rewriting ${values.model} in place needs a --version other than its own (${version})`);
  }
  const fp32Dir = values.fp32 ?? summary.settings.fp32OutDir;
  const fp32Out = values['fp32-out'] ?? `${fp32Dir.replace(/\/$/, '')}-prior`;
  const source = await readFloat32Source(values.model, fp32Dir);
  if (!source.ok) throw new Error(source.problem);

  const { settings } = summary;
  const records = await loadKaggleDataset(settings.dataDir);
  const used = settings.limit ? records.slice(0, settings.limit) : records;
  const { validation } = splitByPatient(used, { seed: settings.seed, validationFraction: settings.validationFraction });
  const images = preprocessedImages(validation, values.cache ?? settings.cacheDir);
  const labels = [...images.labels];
  const trainingPrior = summary.data.perGradeTrain.map((n) => n / summary.data.train);
  console.log(
    `Validation: ${labels.length} images, grade mix [${gradePrior(labels)
      .map((p) => p.toFixed(3))
      .join(', ')}]`,
  );
  console.log(
    `Training mix [${trainingPrior.map((p) => p.toFixed(3)).join(', ')}] → deployment mix [${deployment.join(', ')}]`,
  );

  await initTrainingBackend('wasm');
  const model = await loadLayersModelFromDir(fp32Dir);
  const predict = async () => {
    const session = await onnxSession(model);
    const { values: probabilities } = await runOnnx(session, images, 8);
    await session.release();
    return probabilities;
  };
  const before = await predict();
  const choice = choosePriorStrength(before, labels, deployment, trainingPrior);
  for (const t of choice.trials) {
    console.log(
      `  strength ${t.strength.toFixed(2)}: reweighted kappa ${t.quadraticWeightedKappa.toFixed(3)}, accuracy ${(100 * t.accuracy).toFixed(1)} %, grades predicted ${t.gradesPredicted}`,
    );
  }
  console.log(
    `Chosen strength ${choice.strength}: logit offsets [${choice.offsets.map((c) => c.toFixed(3)).join(', ')}]`,
  );

  shiftOutputBias(model, choice.offsets);
  const after = await predict();
  // The folded bias must give what the correction promised, or the exported model is not the one chosen.
  const expected = shiftedProbabilities(before, choice.offsets);
  const drift = after.reduce((max, p, i) => Math.max(max, Math.abs(p - expected[i]!)), 0);
  if (drift > 1e-4)
    throw new Error(`the shifted bias gives probabilities ${drift.toExponential(2)} away from the correction`);

  const referralThreshold = chooseReferralThreshold(after, labels, settings.targetSensitivity);
  const report = evaluatePredictions(after, labels, referralThreshold);
  const chosenTrial = choice.trials.find((t) => t.strength === choice.strength)!;
  const description: ModelDescription = {
    ...summary.description,
    version,
    metrics: {
      validationAccuracy: report.accuracy,
      validationQuadraticKappa: report.quadraticWeightedKappa,
      validationReferableAuc: report.referable.rocAuc,
      deploymentMixValidationQuadraticKappa: chosenTrial.quadraticWeightedKappa,
    },
    ...referralThresholdField(referralThreshold.threshold),
  };
  await saveCanonicalModel(model, values.out, description);
  await saveLayersModel(model, fp32Out, { form: 'fp32', convertedBy: FP32_CONVERTED_BY });
  model.dispose();

  const reportDir = join(values.out, 'training');
  await mkdir(reportDir, { recursive: true });
  const priorShift: PriorShiftRecord = {
    deploymentPrior: deployment,
    trainingPrior,
    strength: choice.strength,
    logitOffsets: choice.offsets,
    trials: choice.trials,
    before: {
      version: summary.description.version,
      validation: summary.validation,
      referralThreshold: summary.referralThreshold,
    },
  };
  const corrected = {
    ...summary,
    settings: { ...settings, outDir: values.out, reportDir, fp32OutDir: fp32Out },
    description,
    validation: report,
    referralThreshold,
    priorShift,
  };
  await writeFile(join(reportDir, SUMMARY_FILE), `${JSON.stringify(corrected, null, 2)}\n`);
  await writeTrainingCurves(reportDir, summary.history, `${settings.model} ${settings.mode}`);
  await writeConfusionMatrix(
    join(reportDir, 'validation-confusion-matrix.png'),
    report.confusionMatrix,
    'Validation confusion matrix',
  );
  console.log(
    `Validation (balanced): accuracy ${(100 * report.accuracy).toFixed(1)} %, kappa ${report.quadraticWeightedKappa.toFixed(3)}; reweighted kappa ${chosenTrial.quadraticWeightedKappa.toFixed(3)}`,
  );
  console.log(`Model version ${version} written to ${resolve(values.out)}, float32 weights to ${fp32Out}.`);
  return 0;
}

runCli(main, USAGE);
