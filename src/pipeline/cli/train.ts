/**
 * Train the DR grader on a Kaggle-layout folder and export the best model.
 *   node --import tsx src/pipeline/cli/train.ts --help
 */
import { access, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { INPUT_SIZE } from '../../shared/model-contract.js';
import { MANIFEST_FILE as SYNTHETIC_MANIFEST } from '../data/synthetic/dataset.js';
import { initTrainingBackend, TRAINING_BACKENDS, type TrainingBackend } from '../train/backend.js';
import { runTraining, type ModelKind, type TrainingMode } from '../train/run-training.js';
import { formatDuration, terminalProgress } from '../train/terminal-progress.js';
import {
  EXIT_INTERRUPTED,
  EXIT_PAUSED,
  nonNegativeInt,
  oneOf,
  positiveInt,
  runCli,
  UsageError,
} from './cli-support.js';

const USAGE =
  'usage: train.ts --data DIR [--model resnet50|tiny] [--mode full|head] [--init DIR] [options] (--help for more)';

const HELP = `Train the ResNet50 DR grader (or the tiny test model) with TF.js in Node.

Usage: node --import tsx src/pipeline/cli/train.ts --data DIR [options]

Stages (the model card explains the strategy):
  A  --mode full                 whole network from scratch at --resolution (default 160) on wasm
  B  --mode head --init MODEL    backbone features at 300 px (onnxruntime-node), then only the dense
                                 head on them; exports the backbone with the new head
  C  --mode full --init MODEL --resolution 300 --backend webgpu
                                 fine-tune everything at 300 px (needs a GPU)
  --freeze-backbone              (mode full) train only the head, through the frozen backbone

Data:
  --data DIR                     trainLabels.csv (image,level) + images, Kaggle layout (required)
  --validation-fraction F        share of patients held out for validation (default 0.2)
  --limit N                      use only the first N labelled images (quick runs)
  --extra-train DIR              another labelled folder (Kaggle layout) for training only, never
                                 validation; repeatable (e.g. more synthetic images for stage B
                                 without changing the split stage A used)
  --cache DIR                    preprocessed 300 px images (default .cache/preprocessed)

Model:
  --model resnet50|tiny          (default resnet50)
  --resolution PX                training input side (default 160 in mode full from scratch, else 300);
                                 weights transfer to the exported 300 px model
  --init DIR                     start from this saved TF.js model (e.g. stage A's output)
  --seed N                       initial weights, split, shuffling, augmentation (default 1)

Optimisation:
  --epochs N                     at most N epochs (default 15)
  --patience N                   stop after N epochs without a lower validation loss (default 3);
                                 the best epoch's weights are kept
  --batch-size N                 examples per optimizer step (default 32)
  --micro-batch N                examples per forward/backward pass, gradients summed over the step
                                 (default by backend and resolution: wasm 8/6/3/2 at ≤128/160/224/300 px)
  --learning-rate LR             Adam (default 1e-3; 1e-4 when fine-tuning a whole --init model)
  --learning-rate-warmup STEPS   raise the learning rate linearly over the first STEPS optimizer steps
                                 (default 0: none)
  --aux-lesions                  (mode full, synthetic data) also regress every image's 8 lesion counts
                                 (lesions.csv, log1p, standardised on the training split) from the
                                 pooled features with a linear head used only in training: a denser
                                 signal than the grade; early stopping still watches the grade loss
  --aux-weight W                 weight of that squared error in the loss (default 1)
  --no-augment                   no random flips, rotations, lighting
  --bn-calibration N             (mode full, trainable backbone) before each validation, set the
                                 BatchNorm statistics from N training images spread over the grades
                                 (default 32; 0: validate with the moving averages, which lag a
                                 network that trains fast from scratch and make the best epoch noise)
  --backend wasm|cpu|webgpu      TF.js backend (default wasm; webgpu needs navigator.gpu)

Run control:
  --checkpoint FILE              resumable state (default checkpoints/<id>-<mode>-<px>px[-aux]-seed<seed>.ckpt);
                                 rerunning the same command resumes from it
  --time-budget DURATION         e.g. 45m, 2h, 1h30m: stop after the step that spends it, checkpoint, exit ${EXIT_PAUSED}
  --checkpoint-every MINUTES     also checkpoint this often (default 10)
  --target-sensitivity S         referral threshold chosen on validation for this sensitivity (default 0.9)

Output (when training finishes):
  --out DIR                      canonical model store (default models/<id>)
  --report DIR                   summary, curves, confusion matrix (default <out>/training)
  --fp32-out DIR                 the trained weights in float32 too (TF.js format), kept out of git to
                                 measure what fp16 rounding costs (default <checkpoint's folder>/<id>-fp32,
                                 i.e. checkpoints/<id>-fp32)
  --id ID --version V --name TEXT --training-data TEXT --demo|--no-demo
                                 the model description (defaults from the model and the data folder)

Exit status: 0 finished, ${EXIT_PAUSED} paused (time budget or Ctrl-C; run the same command to resume),
1 error, 2 bad arguments.`;

function number(name: string, text: string, check: (v: number) => boolean, rule: string): number {
  const value = Number(text);
  if (text.trim() === '' || !check(value)) throw new UsageError(`--${name} must be ${rule}, got "${text}"`);
  return value;
}

/** "90m", "2h", "1h30m", "45s" → seconds. */
function parseDuration(text: string): number {
  const match = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text.trim());
  if (!match || text.trim() === '' || match.slice(1).every((p) => p === undefined)) {
    throw new UsageError(`--time-budget must be a duration like 45m, 2h or 1h30m, got "${text}"`);
  }
  const [, h = '0', m = '0', s = '0'] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

function defaultMicroBatch(
  backend: TrainingBackend,
  resolution: number,
  batchSize: number,
  mode: TrainingMode,
  model: ModelKind,
): number {
  if (mode === 'head' || model === 'tiny') return batchSize;
  // wasm32 memory (4 GiB) holds the activations of about this many images during backprop
  // (measured: ~0.3 GB per 128 px image, growing with the pixel count).
  const fits = backend === 'webgpu' ? 8 : resolution <= 128 ? 8 : resolution <= 160 ? 6 : resolution <= 224 ? 3 : 2;
  return Math.min(fits, batchSize);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    options: {
      data: { type: 'string' },
      'validation-fraction': { type: 'string', default: '0.2' },
      limit: { type: 'string' },
      'extra-train': { type: 'string', multiple: true },
      cache: { type: 'string', default: join('.cache', 'preprocessed') },
      model: { type: 'string', default: 'resnet50' },
      mode: { type: 'string', default: 'full' },
      'freeze-backbone': { type: 'boolean', default: false },
      resolution: { type: 'string' },
      init: { type: 'string' },
      seed: { type: 'string', default: '1' },
      epochs: { type: 'string', default: '15' },
      patience: { type: 'string', default: '3' },
      'batch-size': { type: 'string', default: '32' },
      'micro-batch': { type: 'string' },
      'learning-rate': { type: 'string' },
      'learning-rate-warmup': { type: 'string', default: '0' },
      'aux-lesions': { type: 'boolean', default: false },
      'aux-weight': { type: 'string' },
      'no-augment': { type: 'boolean', default: false },
      'bn-calibration': { type: 'string', default: '32' },
      backend: { type: 'string', default: 'wasm' },
      checkpoint: { type: 'string' },
      'time-budget': { type: 'string' },
      'checkpoint-every': { type: 'string', default: '10' },
      'target-sensitivity': { type: 'string', default: '0.9' },
      out: { type: 'string' },
      report: { type: 'string' },
      'fp32-out': { type: 'string' },
      id: { type: 'string' },
      version: { type: 'string', default: '1' },
      name: { type: 'string' },
      'training-data': { type: 'string' },
      demo: { type: 'boolean' },
      'no-demo': { type: 'boolean' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.data) throw new UsageError('--data DIR is required (see --help)');
  const model = oneOf<ModelKind>('model', values.model, ['resnet50', 'tiny']);
  const mode = oneOf<TrainingMode>('mode', values.mode, ['full', 'head']);
  const backend = oneOf<TrainingBackend>('backend', values.backend, TRAINING_BACKENDS);
  if (mode === 'head' && !values.init)
    throw new UsageError('--mode head needs --init (a trained model, e.g. stage A output)');
  if (mode === 'head' && values['freeze-backbone'])
    throw new UsageError('--freeze-backbone applies to --mode full; --mode head never touches the backbone');
  const auxLesions = values['aux-lesions'];
  if (values['aux-weight'] !== undefined && !auxLesions) throw new UsageError('--aux-weight needs --aux-lesions');
  if (auxLesions && (mode !== 'full' || values['freeze-backbone'])) {
    throw new UsageError(
      '--aux-lesions trains the backbone through a head on its pooled features: use it with --mode full, without --freeze-backbone',
    );
  }
  const auxWeight = auxLesions
    ? number('aux-weight', values['aux-weight'] ?? '1', (v) => v > 0 && Number.isFinite(v), 'a positive number')
    : undefined;
  const seed = nonNegativeInt('seed', values.seed);
  const resolution = values.resolution
    ? positiveInt('resolution', values.resolution, 32)
    : mode === 'full' && !values.init
      ? 160
      : INPUT_SIZE;
  if (mode === 'head' && resolution !== INPUT_SIZE)
    throw new UsageError(`--mode head extracts features at ${INPUT_SIZE} px; drop --resolution`);
  const batchSize = positiveInt('batch-size', values['batch-size']);
  // A pretrained backbone is fine-tuned gently; a random head (or a network from scratch) takes
  // Adam's standard step.
  const fineTuning = mode === 'full' && values.init !== undefined && !values['freeze-backbone'];
  const learningRate = values['learning-rate']
    ? number('learning-rate', values['learning-rate'], (v) => v > 0 && v < 1, 'in (0, 1)')
    : fineTuning
      ? 1e-4
      : 1e-3;
  const id = values.id ?? (model === 'tiny' ? 'tiny-trained' : 'resnet50-dr');
  const synthetic = await exists(join(values.data, SYNTHETIC_MANIFEST));
  const trainingData =
    values['training-data'] ?? `${synthetic ? 'synthetic' : 'Kaggle EyePACS layout'}: ${basename(values.data)}`;
  const outDir = values.out ?? join('models', id);
  const tag = `${mode}${values['freeze-backbone'] ? '-frozen' : ''}-${resolution}px${auxLesions ? '-aux' : ''}-seed${seed}`;

  await initTrainingBackend(backend);
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    console.log('\nStopping after the current step (Ctrl-C again to quit without a checkpoint)…');
    controller.abort();
  });
  const checkpointPath = values.checkpoint ?? join('checkpoints', `${id}-${tag}.ckpt`);
  const config = {
    dataDir: values.data,
    validationFraction: number(
      'validation-fraction',
      values['validation-fraction'],
      (v) => v > 0 && v < 1,
      'in (0, 1)',
    ),
    ...(values.limit ? { limit: positiveInt('limit', values.limit, 2) } : {}),
    ...(values['extra-train']?.length ? { extraTrainDirs: values['extra-train'] } : {}),
    cacheDir: values.cache,
    model,
    mode,
    freezeBackbone: values['freeze-backbone'],
    resolution,
    ...(values.init ? { init: values.init } : {}),
    seed,
    epochs: positiveInt('epochs', values.epochs),
    batchSize,
    microBatch: values['micro-batch']
      ? positiveInt('micro-batch', values['micro-batch'])
      : defaultMicroBatch(backend, resolution, batchSize, mode, model),
    learningRate,
    learningRateWarmupSteps: nonNegativeInt('learning-rate-warmup', values['learning-rate-warmup']),
    ...(auxWeight !== undefined ? { auxLesionWeight: auxWeight } : {}),
    patience: positiveInt('patience', values.patience),
    augment: !values['no-augment'],
    batchNormCalibrationImages: nonNegativeInt('bn-calibration', values['bn-calibration']),
    checkpointPath,
    ...(values['time-budget'] ? { timeBudgetSeconds: parseDuration(values['time-budget']) } : {}),
    checkpointIntervalSeconds:
      60 * number('checkpoint-every', values['checkpoint-every'], (v) => v > 0, 'a positive number of minutes'),
    outDir,
    reportDir: values.report ?? join(outDir, 'training'),
    fp32OutDir: values['fp32-out'] ?? join(dirname(checkpointPath), `${id}-fp32`),
    description: {
      id,
      version: values.version,
      name: values.name ?? (model === 'tiny' ? 'Tiny test model (trained)' : 'ResNet50 DR grader'),
      trainingData,
      demo: values.demo ?? (values['no-demo'] ? false : synthetic),
    },
    targetSensitivity: number('target-sensitivity', values['target-sensitivity'], (v) => v > 0 && v <= 1, 'in (0, 1]'),
    events: terminalProgress(),
    log: (line: string) => console.log(line),
    signal: controller.signal,
  };
  await mkdir(dirname(config.checkpointPath), { recursive: true });
  console.log(
    `${model} ${tag} on ${backend}: batch ${batchSize} (micro-batch ${config.microBatch}), Adam lr ${learningRate}` +
      `${config.learningRateWarmupSteps ? ` (warmup ${config.learningRateWarmupSteps} steps)` : ''}${auxWeight !== undefined ? `, auxiliary lesion loss × ${auxWeight}` : ''}, ` +
      `≤ ${config.epochs} epochs, patience ${config.patience}${config.timeBudgetSeconds ? `, time budget ${formatDuration(config.timeBudgetSeconds)}` : ''}.`,
  );
  const result = await runTraining(config).catch((error: unknown) => {
    // How an exhausted wasm32 heap shows itself.
    if (error instanceof Error && /memory access out of bounds|out of memory/i.test(error.message)) {
      error.message += '\nThe wasm heap (4 GiB) is full: lower --micro-batch or --resolution.';
    }
    throw error;
  });
  if (!result.finished) {
    const why = result.stopReason === 'interrupted' ? 'Interrupted' : 'Time budget spent';
    console.log(`${why}: checkpoint ${config.checkpointPath} holds the run. Run the same command again to resume.`);
    return EXIT_PAUSED;
  }
  console.log(
    `Finished (${result.stopReason}); best epoch ${result.bestEpoch} (validation loss ${result.bestValLoss?.toFixed(4)}).`,
  );
  return 0;
}

runCli(main, USAGE);
