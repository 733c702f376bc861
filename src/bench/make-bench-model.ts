/**
 * Writes a random-init, full-size ResNet50 (the product's architecture at 300 px) as a models folder
 * laid out like dist/models, for benchmarking before the trained model exists. Its weights are never
 * committed: the default output is under build/ (git-ignored).
 *
 *   node --import tsx src/bench/make-bench-model.ts [--out build/bench-models] [--seed 7]
 *   npm run bench -- --model-dir build/bench-models/models --model resnet50-random
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { ModelDescription } from '../shared/model-manifest.js';
import { saveCanonicalModel } from '../pipeline/export/canonical-store.js';
import { deriveAllModels, MANIFEST_FILE, writeManifest } from '../pipeline/export/manifest.js';
import { randomizeBatchNormStatistics } from '../pipeline/model/random-batchnorm.js';
import { buildResNet50Classifier } from '../pipeline/model/resnet50-classifier.js';
import { nonNegativeInt, runCli } from '../pipeline/cli/cli-support.js';

export const BENCH_MODEL_ID = 'resnet50-random';

const USAGE = 'usage: make-bench-model.ts [--out DIR] [--seed N] (--help for more)';

const HELP = `Write a random-init ResNet50 + head (300 px) as a dist/models-style folder for the benchmark.

Usage: node --import tsx src/bench/make-bench-model.ts [--out DIR] [--seed N]

  --out DIR    output folder (default build/bench-models): DIR/store/ holds the canonical fp16
               store, DIR/models/ the four derived forms and their ${MANIFEST_FILE}
  --seed N     weight seed (default 7)
  -h, --help   show this help

Then: npm run bench -- --model-dir DIR/models --model ${BENCH_MODEL_ID}`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    options: {
      out: { type: 'string', default: join('build', 'bench-models') },
      seed: { type: 'string', default: '7' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const seed = nonNegativeInt('seed', values.seed);
  // Building needs a backend only for the initial weights: cpu starts at once and is exact.
  tf.enableProdMode();
  await tf.setBackend('cpu');
  const description: ModelDescription = {
    id: BENCH_MODEL_ID,
    version: `seed${seed}`,
    name: `ResNet50 + head, random weights (seed ${seed}), for benchmarks`,
    trainingData: 'none (random init, for benchmarks)',
    demo: true,
  };
  const storeRoot = join(values.out, 'store');
  const modelsDir = join(values.out, 'models');
  await rm(values.out, { recursive: true, force: true });
  await mkdir(join(storeRoot, BENCH_MODEL_ID), { recursive: true });
  const model = buildResNet50Classifier({ seed });
  // Identity BatchNorm would let the ONNX exporter's BN folding go untested by the agreement check.
  randomizeBatchNormStatistics(model, seed);
  await saveCanonicalModel(model, join(storeRoot, BENCH_MODEL_ID), description);
  model.dispose();
  const manifest = await deriveAllModels(storeRoot, modelsDir);
  await writeManifest(join(modelsDir, MANIFEST_FILE), manifest);
  console.log(`wrote ${modelsDir} (${manifest.models.length} entries of ${BENCH_MODEL_ID})`);
  return 0;
}

runCli(main, USAGE);
