/**
 * The whole model pipeline, resumable: data → stage A (+ refinement) → stage B → evaluate → manifest → parity.
 *   node --import tsx src/pipeline/cli/pipeline.ts --help
 */
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { constants } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MANIFEST_FILE as DATASET_FILE, DISTRIBUTION_FILE } from '../data/synthetic/dataset.js';
import { MANIFEST_FILE } from '../export/manifest.js';
import { readModelDescription } from '../export/model-description.js';
import { MODEL_JSON } from '../export/tfjs-files.js';
import { INPUT_SIZE } from '../../shared/model-contract.js';
import { SUMMARY_FILE } from '../train/run-training.js';
import {
  EXIT_FAILURE,
  EXIT_INTERRUPTED,
  EXIT_PAUSED,
  nonNegativeInt,
  positiveInt,
  runCli,
  UsageError,
} from './cli-support.js';

const USAGE = 'usage: pipeline.ts [--dry-run] [--from STEP | --only STEP,…] [--work DIR] [options] (--help for more)';

const STEPS = [
  'data-train',
  'data-test',
  'data-extra',
  'calibrate',
  'train-a',
  'train-a2',
  'recalibrate',
  'train-b',
  'adjust-prior',
  'evaluate',
  'manifest',
  'parity',
] as const;
type StepName = (typeof STEPS)[number];

const HELP = `Run the model pipeline, resuming where it stopped:

  data-train  synthetic training set: <work>/data/train-balanced, --count images, every grade equally
              often (rare grades get new images, not copies; training still applies class weights), seed 11
  data-test   held-out test set: <work>/data/synthetic-test, --test-count images, EyePACS grade mix, seed 2
  data-extra  more training images for stage B only: <work>/data/train-extra, --extra-count images,
              balanced, seed 21 (stage B learns from cached features, so many more images cost
              minutes, not hours; the split of data-train stays as stage A used it)
  calibrate   stage A's starting point: a fresh ResNet50 whose BatchNorm statistics are set from 32
              training images (data-dependent initialisation) and whose residual branches start at
              zero (zero-init residual) → <work>/checkpoints/stage-a-init
  train-a     stage A: the whole ResNet50 from that start at --resolution on wasm, Adam 1e-3 with a
              32-step warm-up, --stage-a-epochs epochs → <work>/checkpoints/stage-a-model (+ -fp32:
              the epoch with the lowest validation loss)
  train-a2    stage A2: the whole ResNet50 from stage A's float32 weights, --refine-epochs more epochs at
              --refine-resolution px, Adam 1e-4: microaneurysms (Mild) and thin new vessels (Proliferative)
              are a pixel or two wide at 128 px; one epoch at 192 px costs ~45 minutes here and lowered
              the shipped model's validation loss after stage B from 0.759 to 0.731
              → <work>/checkpoints/stage-a2-model (+ -fp32)
  recalibrate stage A2's (stage A's with --refine-epochs 0) BatchNorm statistics re-estimated on 32
              training images at 300 px, the serving size: trained at a lower resolution, the moving
              statistics do not fit 300 px inputs → <work>/checkpoints/stage-a-300px
  train-b     stage B: 300 px backbone features of data-train's training split and data-extra, the dense
              head retrained (validation: data-train's split; referral threshold for 97 % sensitivity)
              → <work>/checkpoints/<id>-trained (fp16 store), <work>/checkpoints/<id>-fp32 (float32 weights)
  adjust-prior  the trained grader corrected for the EyePACS grade mix it will screen (balanced
              training over-calls the rare grades): logit shift of chosen strength on reweighted
              validation data, in the final bias → <models>/<id>, <work>/checkpoints/<id>-prior-fp32
  evaluate    on the test set → <models>/<id>/evaluation/ (evaluation.json, confusion matrix, curves)
  manifest    derive every store's forms, write <models>/manifest.json
  parity      TF.js vs ONNX, fp16 vs fp32, store vs trained fp32 → <models>/<id>/evaluation/parity.json

A step whose output is complete is skipped (and says so); training steps resume from their
checkpoints. When training pauses (time budget or Ctrl-C) the pipeline stops: rerun it to go on.

Usage: node --import tsx src/pipeline/cli/pipeline.ts [options]

Run control:
  --dry-run            print the plan (what would run, what is complete) and exit
  --from STEP          start at STEP (steps before it are not run)
  --only STEP[,STEP]   run only these steps
  --force              run the selected steps even when their output is complete
  --time-budget D      passed to each training step (e.g. 45m, 2h): it checkpoints and pauses when spent

Places:
  --work DIR           root of data/, checkpoints/ and .cache/ (default .)
  --models DIR         canonical stores and manifest.json (default <work>/models)
  --id ID              model id (default resnet50-dr; tiny-dr with --model tiny)
  --version V          model version (default 4, the shipped model's); a retrained model needs a new one, since a
                       published <id>/<version> folder is immutable (the manifest step refuses)

Sizes (the defaults are the shipped model's; smaller ones make quick trial runs):
  --model resnet50|tiny  tiny: the 5.7 k-parameter test model; stage B then trains its head through
                       the frozen backbone at 300 px (the head-on-features mode is ResNet50's)
  --count N            training images (default 2500)
  --extra-count N      stage B's extra training images (default 4 × --count; 0: none)
  --test-count N       test images (default 1000)
  --image-size PX      synthetic image width (default 512)
  --resolution PX      stage A input side (default 128: 1.8 images/s on one core here)
  --stage-a-epochs N   at most N stage A epochs (default 5, the shipped model's: about 100 minutes
                       here; early stopping may end it sooner); --epochs sets stages A and B
  --refine-resolution PX  stage A2's input side (default 192)
  --refine-epochs N    stage A2's epochs (default 1, the shipped model's; 0: no stage A2)
  --aux-lesions W      stage A's weight of the auxiliary lesion-count loss (train.ts --aux-lesions
                       --aux-weight W; default 5, 0 for none): at weight 1 its share of the
                       backbone's gradient is only ~2-10 % of the grade loss's in the first epoch
  --epochs N           at most N epochs per training stage (default: train.ts's)
  --parity-limit N     parity on the first N test images only (default all; TF.js wasm ~0.5 s/image)

  -h, --help           show this help

Exit status: 0 done, ${EXIT_PAUSED} paused (rerun to resume), ${EXIT_INTERRUPTED} interrupted, 1 a step failed, 2 bad arguments.`;

interface Settings {
  work: string;
  models: string;
  id: string;
  version: string;
  model: 'resnet50' | 'tiny';
  count: number;
  /** data-extra's images for stage B; 0: none. */
  extraCount: number;
  testCount: number;
  imageSize: number;
  resolution: number;
  /** Stage A's auxiliary lesion-count loss weight; 0: none. */
  auxLesions: number;
  epochs?: number;
  stageAEpochs: number;
  /** Stage A2's input side and epochs; 0 epochs: no stage A2. */
  refineResolution: number;
  refineEpochs: number;
  timeBudget?: string;
  parityLimit?: number;
}

interface Step {
  name: StepName;
  /** What the step makes, in words. */
  title: string;
  /** A CLI next to this file, and its arguments. */
  script: string;
  args: string[];
  /** Why the step can be skipped, or null when its output is missing or stale. */
  complete(): Promise<string | null>;
  /** Set when the settings leave the step nothing to make (even with --force): why. */
  nothingToDo?: string;
}

const TRAIN_SEED = 1;
/** P(grade ≥ 2) threshold of the shipped model: chosen on validation for this sensitivity. */
const REFERRAL_TARGET_SENSITIVITY = 0.97;

async function mtime(path: string): Promise<number | null> {
  return stat(path).then(
    (s) => s.mtimeMs,
    () => null,
  );
}

/** Complete when its settings file matches and the chart written last is newer than that file. */
async function datasetComplete(
  dir: string,
  wanted: { count: number; seed: number; balance: string; size: number },
): Promise<string | null> {
  const settings = await readFile(join(dir, DATASET_FILE), 'utf8').then(
    (text) => JSON.parse(text) as Record<string, unknown>,
    () => null,
  );
  if (!settings || Object.entries(wanted).some(([key, value]) => settings[key] !== value)) return null;
  const [started, finished] = [await mtime(join(dir, DATASET_FILE)), await mtime(join(dir, DISTRIBUTION_FILE))];
  return started !== null && finished !== null && finished >= started
    ? `${dir} holds its ${wanted.count} images`
    : null;
}

/** Complete once training exported the model: its summary is written after the weights. */
async function trainingComplete(outDir: string): Promise<string | null> {
  const done =
    (await mtime(join(outDir, MODEL_JSON))) !== null && (await mtime(join(outDir, 'training', SUMMARY_FILE))) !== null;
  return done ? `${outDir} holds the trained model` : null;
}

/** Complete when `output` exists and is newer than the model it was made from. */
async function newerThanModel(output: string, modelDir: string): Promise<string | null> {
  const [made, model] = [await mtime(output), await mtime(join(modelDir, MODEL_JSON))];
  return made !== null && model !== null && made > model ? `${output} is newer than the model` : null;
}

/** Parity is complete once measured, met or not: rerunning gives the same numbers. */
async function parityComplete(path: string, modelDir: string): Promise<string | null> {
  if ((await newerThanModel(path, modelDir)) === null) return null;
  const { pass } = JSON.parse(await readFile(path, 'utf8')) as { pass: boolean };
  return `${path} is newer than the model; targets ${pass ? 'met' : 'MISSED'}`;
}

async function manifestComplete(modelsDir: string, modelDir: string): Promise<string | null> {
  const path = join(modelsDir, MANIFEST_FILE);
  if ((await newerThanModel(path, modelDir)) === null) return null;
  const { id, version } = await readModelDescription(modelDir);
  const manifest = JSON.parse(await readFile(path, 'utf8')) as { models: Array<{ id: string; version: string }> };
  return manifest.models.some((m) => m.id === id && m.version === version) ? `${path} lists ${id} v${version}` : null;
}

function plan(s: Settings): Step[] {
  const trainData = join(s.work, 'data', 'train-balanced');
  const extraData = join(s.work, 'data', 'train-extra');
  const testData = join(s.work, 'data', 'synthetic-test');
  const checkpoints = join(s.work, 'checkpoints');
  const cache = join(s.work, '.cache', 'preprocessed');
  const stageAInit = join(checkpoints, 'stage-a-init');
  const stageA = join(checkpoints, 'stage-a-model');
  const stageA2 = join(checkpoints, 'stage-a2-model');
  const stageA300 = join(checkpoints, 'stage-a-300px');
  const refine = s.refineEpochs > 0;
  /** What recalibrate starts from: stage A2's model, or stage A's without it. */
  const backbone = refine ? stageA2 : stageA;
  const auxLesions = s.auxLesions > 0 ? ['--aux-lesions', '--aux-weight', String(s.auxLesions)] : [];
  const aux = s.auxLesions > 0 ? '-aux' : '';
  const modelDir = join(s.models, s.id);
  const evaluation = join(modelDir, 'evaluation');
  const trained = join(checkpoints, `${s.id}-trained`);
  const fp32 = join(checkpoints, `${s.id}-fp32`);
  const priorFp32 = join(checkpoints, `${s.id}-prior-fp32`);
  const tiny = s.model === 'tiny';
  const dataset = (out: string, count: number, seed: number, balance: string) => ({
    script: 'data.ts',
    args: [
      '--out',
      out,
      '--count',
      String(count),
      '--seed',
      String(seed),
      '--balance',
      balance,
      '--size',
      String(s.imageSize),
    ],
    complete: () => datasetComplete(out, { count, seed, balance, size: s.imageSize }),
  });
  const training = [
    ...['--data', trainData, '--model', s.model, '--seed', String(TRAIN_SEED), '--cache', cache],
    ...(s.timeBudget ? ['--time-budget', s.timeBudget] : []),
  ];
  const epochs = (n: number | undefined) => (n ? ['--epochs', String(n)] : []);
  // train.ts's own checkpoint name (<id>-<mode>-<px>px-seed<seed>.ckpt), so a run started by hand with
  // the same settings is resumed rather than restarted.
  const checkpoint = (tag: string) => join(checkpoints, `${s.id}-${tag}-seed${TRAIN_SEED}.ckpt`);
  const stageB = tiny
    ? ['--mode', 'full', '--freeze-backbone', '--checkpoint', checkpoint('full-frozen-300px')]
    : ['--mode', 'head', '--checkpoint', checkpoint('head-300px')];
  const name = tiny ? 'Tiny DR grader (synthetic demo)' : 'ResNet50 DR grader (synthetic demo)';
  return [
    {
      name: 'data-train',
      title: `training images (${s.count}, balanced grades, seed 11)`,
      ...dataset(trainData, s.count, 11, 'balanced'),
    },
    {
      name: 'data-test',
      title: `held-out test images (${s.testCount}, EyePACS mix, seed 2)`,
      ...dataset(testData, s.testCount, 2, 'eyepacs'),
    },
    s.extraCount > 0
      ? {
          name: 'data-extra',
          title: `stage B's extra training images (${s.extraCount}, balanced grades, seed 21)`,
          ...dataset(extraData, s.extraCount, 21, 'balanced'),
        }
      : {
          name: 'data-extra',
          title: 'no extra training images',
          script: 'data.ts',
          args: [],
          complete: async () => null,
          nothingToDo: '--extra-count 0',
        },
    {
      name: 'calibrate',
      title: `stage A's start: fresh ${s.model} with BatchNorm statistics from training images, zero-init residual`,
      script: 'calibrate.ts',
      args: [
        ...['--data', trainData, '--model', s.model, '--seed', String(TRAIN_SEED), '--cache', cache],
        ...['--resolution', String(s.resolution), '--zero-init-residual', '--out', stageAInit],
      ],
      complete: async () => ((await mtime(join(stageAInit, MODEL_JSON))) !== null ? `${stageAInit} exists` : null),
    },
    {
      name: 'train-a',
      title: `stage A: whole ${s.model} from the calibrated start at ${s.resolution} px`,
      script: 'train.ts',
      args: [
        ...[...training, ...epochs(s.epochs ?? s.stageAEpochs), '--mode', 'full', '--resolution', String(s.resolution)],
        // From scratch (the --init holds no learned weights): Adam's standard step, warmed up.
        ...['--init', stageAInit, '--learning-rate', '1e-3', '--learning-rate-warmup', '32', '--patience', '5'],
        ...['--id', s.id, '--out', stageA, '--fp32-out', `${stageA}-fp32`],
        ...auxLesions,
        ...['--checkpoint', checkpoint(`full-${s.resolution}px${aux}`)],
      ],
      complete: () => trainingComplete(stageA),
    },
    refine
      ? {
          name: 'train-a2',
          title: `stage A2: whole ${s.model} from stage A, ${s.refineEpochs} more epoch${s.refineEpochs > 1 ? 's' : ''} at ${s.refineResolution} px`,
          script: 'train.ts',
          args: [
            ...[
              ...training,
              '--epochs',
              String(s.refineEpochs),
              '--mode',
              'full',
              '--resolution',
              String(s.refineResolution),
            ],
            // Float32 weights: the fp16 store would round what stage A learned. Fine-tuning: a tenth of
            // stage A's step, no warm-up.
            ...['--init', `${stageA}-fp32`, '--learning-rate', '1e-4'],
            ...['--id', s.id, '--out', stageA2, '--fp32-out', `${stageA2}-fp32`],
            ...auxLesions,
            // Not train.ts's own name: a stage A run at this resolution would share it.
            ...['--checkpoint', checkpoint(`refine-${s.refineResolution}px${aux}`)],
          ],
          complete: () => trainingComplete(stageA2),
        }
      : {
          name: 'train-a2',
          title: 'no stage A2',
          script: 'train.ts',
          args: [],
          complete: async () => null,
          nothingToDo: '--refine-epochs 0',
        },
    {
      name: 'recalibrate',
      title: `stage A${refine ? '2' : ''}'s BatchNorm statistics at ${INPUT_SIZE} px`,
      script: 'calibrate.ts',
      args: [
        ...['--data', trainData, '--model', s.model, '--seed', String(TRAIN_SEED), '--cache', cache],
        ...['--init', backbone, '--resolution', String(INPUT_SIZE), '--out', stageA300],
      ],
      complete: () => newerThanModel(join(stageA300, MODEL_JSON), backbone),
    },
    {
      name: 'train-b',
      title: `stage B: ${tiny ? 'head through the frozen backbone' : 'head on backbone features'} at 300 px`,
      script: 'train.ts',
      args: [
        ...[...training, ...epochs(s.epochs), ...stageB, '--init', stageA300, '--out', trained, '--fp32-out', fp32],
        ...(s.extraCount > 0 ? ['--extra-train', extraData] : []),
        // The app refers at this threshold: a screening tool should miss few referable eyes.
        ...['--target-sensitivity', String(REFERRAL_TARGET_SENSITIVITY)],
        ...['--id', s.id, '--version', s.version, '--name', name, '--training-data', 'synthetic', '--demo'],
      ],
      complete: () => trainingComplete(trained),
    },
    {
      name: 'adjust-prior',
      title: 'correction for the EyePACS grade mix (prior shift)',
      script: 'adjust-prior.ts',
      args: ['--model', trained, '--out', modelDir, '--version', s.version, '--fp32-out', priorFp32, '--cache', cache],
      complete: () => newerThanModel(join(modelDir, MODEL_JSON), trained),
    },
    {
      name: 'evaluate',
      title: 'evaluation on the held-out test set',
      script: 'evaluate.ts',
      args: ['--model', modelDir, '--data', testData, '--cache', cache, '--out', evaluation],
      complete: () => newerThanModel(join(evaluation, 'evaluation.json'), modelDir),
    },
    {
      name: 'manifest',
      title: `${MANIFEST_FILE} of every store in ${s.models}`,
      script: 'export.ts',
      args: ['manifest', '--models', s.models, '--default', s.id],
      complete: () => manifestComplete(s.models, modelDir),
    },
    {
      name: 'parity',
      title: 'parity of the served forms',
      script: 'parity.ts',
      args: [
        ...[
          '--id',
          s.id,
          '--models',
          s.models,
          '--data',
          testData,
          '--fp32',
          priorFp32,
          '--cache',
          cache,
          '--out',
          join(evaluation, 'parity.json'),
        ],
        ...(s.parityLimit ? ['--limit', String(s.parityLimit)] : []),
      ],
      complete: () => parityComplete(join(evaluation, 'parity.json'), modelDir),
    },
  ];
}

const scriptPath = (script: string) => fileURLToPath(new URL(`./${script}`, import.meta.url));

function commandLine(step: Step): string {
  const quote = (arg: string) => (/^[\w./:=@%+-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\$`])/g, '\\$1')}"`);
  return ['node --import tsx', relative(process.cwd(), scriptPath(step.script)), ...step.args.map(quote)].join(' ');
}

/** A step's child process; resolves with its exit code, or 128 + signal number when a signal ended it. */
function runStep(step: Step, running: { child?: ReturnType<typeof spawn> }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', scriptPath(step.script), ...step.args], {
      stdio: 'inherit',
    });
    running.child = child;
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      running.child = undefined;
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

function stepList(option: string, text: string): StepName[] {
  const names = text.split(',').map((n) => n.trim());
  for (const n of names)
    if (!(STEPS as readonly string[]).includes(n))
      throw new UsageError(`--${option}: unknown step "${n}" (steps: ${STEPS.join(', ')})`);
  return names as StepName[];
}

function selectedSteps(from: string | undefined, only: string | undefined): Set<StepName> {
  if (from !== undefined && only !== undefined) throw new UsageError('use --from or --only, not both');
  if (only !== undefined) return new Set(stepList('only', only));
  const start = from === undefined ? 0 : STEPS.indexOf(stepList('from', from)[0]!);
  return new Set(STEPS.slice(start));
}

function parseSettings(): { settings: Settings; selected: Set<StepName>; dryRun: boolean; force: boolean } | null {
  const { values } = parseArgs({
    strict: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      from: { type: 'string' },
      only: { type: 'string' },
      force: { type: 'boolean', default: false },
      'time-budget': { type: 'string' },
      work: { type: 'string', default: '.' },
      models: { type: 'string' },
      id: { type: 'string' },
      version: { type: 'string', default: '4' },
      model: { type: 'string', default: 'resnet50' },
      count: { type: 'string', default: '2500' },
      'extra-count': { type: 'string' },
      'test-count': { type: 'string', default: '1000' },
      'image-size': { type: 'string', default: '512' },
      resolution: { type: 'string', default: '128' },
      'stage-a-epochs': { type: 'string', default: '5' },
      'refine-resolution': { type: 'string', default: '192' },
      'refine-epochs': { type: 'string', default: '1' },
      'aux-lesions': { type: 'string', default: '5' },
      epochs: { type: 'string' },
      'parity-limit': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  if (values.model !== 'resnet50' && values.model !== 'tiny')
    throw new UsageError(`--model must be resnet50 or tiny, got "${values.model}"`);
  const epochs = values.epochs === undefined ? undefined : positiveInt('epochs', values.epochs);
  const parityLimit =
    values['parity-limit'] === undefined ? undefined : positiveInt('parity-limit', values['parity-limit']);
  const auxLesions = Number(values['aux-lesions']);
  if (values['aux-lesions'].trim() === '' || !Number.isFinite(auxLesions) || auxLesions < 0) {
    throw new UsageError(`--aux-lesions must be a number ≥ 0, got "${values['aux-lesions']}"`);
  }
  const settings: Settings = {
    work: values.work,
    models: values.models ?? join(values.work, 'models'),
    id: values.id ?? (values.model === 'tiny' ? 'tiny-dr' : 'resnet50-dr'),
    version: values.version,
    model: values.model,
    count: positiveInt('count', values.count),
    extraCount:
      values['extra-count'] === undefined
        ? 4 * positiveInt('count', values.count)
        : nonNegativeInt('extra-count', values['extra-count']),
    testCount: positiveInt('test-count', values['test-count']),
    imageSize: positiveInt('image-size', values['image-size']),
    resolution: positiveInt('resolution', values.resolution),
    auxLesions,
    ...(epochs ? { epochs } : {}),
    stageAEpochs: positiveInt('stage-a-epochs', values['stage-a-epochs']),
    refineResolution: positiveInt('refine-resolution', values['refine-resolution']),
    refineEpochs: nonNegativeInt('refine-epochs', values['refine-epochs']),
    ...(values['time-budget'] ? { timeBudget: values['time-budget'] } : {}),
    ...(parityLimit ? { parityLimit } : {}),
  };
  return {
    settings,
    selected: selectedSteps(values.from, values.only),
    dryRun: values['dry-run'],
    force: values.force,
  };
}

const seconds = (start: number) => `${((performance.now() - start) / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  const parsed = parseSettings();
  if (!parsed) {
    console.log(HELP);
    return 0;
  }
  const { settings, selected, dryRun, force } = parsed;
  const steps = plan(settings);
  const started = performance.now();
  console.log(
    `Pipeline for ${settings.id} (${settings.model}): work ${settings.work}, models ${settings.models}${dryRun ? ' (dry run)' : ''}`,
  );

  // Ctrl-C reaches the running step too (same process group): the step decides how to stop (training
  // checkpoints and exits 75), and the pipeline starts no further step. SIGTERM is passed on.
  const running: { child?: ReturnType<typeof spawn> } = {};
  let interrupted = false;
  process.on('SIGINT', () => (interrupted = true));
  process.on('SIGTERM', () => {
    interrupted = true;
    running.child?.kill('SIGTERM');
  });

  for (const [index, step] of steps.entries()) {
    const label = `${index + 1}/${steps.length} ${step.name}: ${step.title}`;
    if (!selected.has(step.name)) {
      console.log(`${label} — not selected`);
      continue;
    }
    if (step.nothingToDo !== undefined) {
      console.log(`${label} — skipped, nothing to do (${step.nothingToDo})`);
      continue;
    }
    const done = force ? null : await step.complete();
    if (done !== null) {
      console.log(`${label} — skipped, complete (${done})`);
      continue;
    }
    if (dryRun) {
      console.log(`${label} — would run:\n    ${commandLine(step)}`);
      continue;
    }
    if (interrupted) break;
    console.log(`\n${label}\n$ ${commandLine(step)}`);
    const stepStarted = performance.now();
    const code = await runStep(step, running);
    if (code === EXIT_PAUSED) {
      console.log(`\n${step.name} paused — rerun \`npm run pipeline\` (same options) to resume.`);
      return EXIT_PAUSED;
    }
    if (code === 1 && step.name === 'parity') {
      console.error(
        `\nparity: a target was missed (see ${join(settings.models, settings.id, 'evaluation', 'parity.json')}).`,
      );
      return EXIT_FAILURE;
    }
    if (code !== 0 || interrupted) {
      console.error(
        `\n${step.name} ${interrupted ? 'interrupted' : `failed (exit ${code})`} after ${seconds(stepStarted)}; rerun to resume from it.`,
      );
      return interrupted ? EXIT_INTERRUPTED : EXIT_FAILURE;
    }
    console.log(`${step.name} done in ${seconds(stepStarted)}.`);
  }
  if (interrupted) {
    console.log('Interrupted before the next step; rerun to resume.');
    return EXIT_INTERRUPTED;
  }
  if (!dryRun)
    console.log(
      `\nPipeline complete in ${seconds(started)}: ${join(settings.models, settings.id)}, report in ${join(settings.models, settings.id, 'evaluation')}.`,
    );
  return 0;
}

runCli(main, USAGE);
