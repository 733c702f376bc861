/**
 * Calibrate a ResNet50 (or tiny) classifier's BatchNorm statistics on real images (data-dependent
 * initialisation) and save it as a TF.js model that training can start from (--init).
 *   node --import tsx src/pipeline/cli/calibrate.ts --help
 */
import { parseArgs } from 'node:util';
import { INPUT_SIZE } from '../../shared/model-contract.js';
import { loadKaggleDataset } from '../data/kaggle-loader.js';
import { spreadOverGrades } from '../data/spread-over-grades.js';
import { loadLayersModelFromDir, saveLayersModel } from '../export/tfjs-model-io.js';
import { calibrateBatchNormOn, zeroResidualGammas } from '../model/calibrate-batchnorm.js';
import { GAP_LAYER } from '../model/classifier-head.js';
import { buildResNet50Classifier } from '../model/resnet50-classifier.js';
import { buildTinyClassifier } from '../model/tiny-classifier.js';
import { initTrainingBackend } from '../train/backend.js';
import { imageExamples } from '../train/examples.js';
import { transferWeights } from '../train/model-weights.js';
import { preprocessedImages } from '../train/preprocessed-images.js';
import { nonNegativeInt, positiveInt, runCli, UsageError } from './cli-support.js';

const USAGE =
  'usage: calibrate.ts --data DIR --out DIR [--model resnet50|tiny] [--init DIR] [options] (--help for more)';

const HELP = `Set every BatchNormalization layer's moving mean and variance from real images.

A freshly initialised ResNet50 normalises with (0, 1) whatever it sees, so in inference mode its
pooled features hardly depend on the image. This runs a batch of training images through the network
once and gives each BatchNorm layer the statistics of its input (the earlier layers already
calibrated), so every channel is unit-variance on fundus photos. The result is the starting point
of the frozen-backbone strategy (train.ts --mode head --init OUT) and a better one for training
from scratch.

Usage: node --import tsx src/pipeline/cli/calibrate.ts --data DIR --out DIR [options]

  --data DIR        Kaggle-layout folder (trainLabels.csv + images) to draw the batch from (required)
  --out DIR         where to write the calibrated model (TF.js, float32)
  --model resnet50|tiny
                    which network (default resnet50; tiny: the test model, for quick runs)
  --init DIR        calibrate this saved model instead of a fresh one
  --seed N          initial weights of a fresh ResNet50, and which images are drawn (default 1)
  --images N        batch size: images drawn, spread over the grades (default 32)
  --resolution PX   input side used for the statistics (default ${INPUT_SIZE}, the serving size)
  --cache DIR       preprocessed images (default .cache/preprocessed)
  --zero-init-residual
                    also zero γ of every residual branch's last BatchNorm (*_3_bn), so each block
                    starts as its shortcut: faster training from scratch (Goyal et al. 2017)
  -h, --help`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    options: {
      data: { type: 'string' },
      out: { type: 'string' },
      model: { type: 'string', default: 'resnet50' },
      init: { type: 'string' },
      seed: { type: 'string', default: '1' },
      images: { type: 'string', default: '32' },
      resolution: { type: 'string', default: String(INPUT_SIZE) },
      cache: { type: 'string', default: '.cache/preprocessed' },
      'zero-init-residual': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.model !== 'resnet50' && values.model !== 'tiny')
    throw new UsageError(`--model must be resnet50 or tiny, got "${values.model}"`);
  if (!values.data || !values.out) throw new UsageError('--data and --out are required (see --help)');
  const seed = nonNegativeInt('seed', values.seed);
  const count = positiveInt('images', values.images, 2);
  const resolution = positiveInt('resolution', values.resolution, 32);
  await initTrainingBackend('wasm');
  const records = await loadKaggleDataset(values.data);
  // Spread over the grades, so rare grades' lesions shape the statistics too.
  const chosen = spreadOverGrades(records, count, seed);
  const examples = imageExamples(preprocessedImages(chosen, values.cache), resolution);

  const build = values.model === 'tiny' ? buildTinyClassifier : buildResNet50Classifier;
  const model = build({ inputSize: resolution, seed });
  if (values.init) {
    const init = await loadLayersModelFromDir(values.init);
    transferWeights(init, model);
    init.dispose();
  }
  if (values['zero-init-residual'])
    console.log(`Zeroed γ of ${zeroResidualGammas(model)} residual-branch BatchNorm layers.`);
  const started = performance.now();
  const layers = await calibrateBatchNormOn(model, examples, GAP_LAYER);
  console.log(
    `Calibrated ${layers} BatchNorm layers on ${chosen.length} images at ${resolution} px in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  );
  // Saved at the serving size whatever the calibration resolution (the weights do not depend on it).
  const serving = build({ inputSize: INPUT_SIZE, seed });
  transferWeights(model, serving);
  await saveLayersModel(serving, values.out, { form: 'fp32', convertedBy: 'fundus-grader calibrate.ts' });
  model.dispose();
  serving.dispose();
  console.log(`Written to ${values.out}.`);
  return 0;
}

runCli(main, USAGE);
