/**
 * Grade real fundus photos with both variants of a model: a trial of the whole path, not a test.
 *   node --import tsx src/pipeline/cli/try-samples.ts --help
 */
import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { GRADE_NAMES } from '../../shared/grades.js';
import { findManifestModel } from '../parity/manifest-model.js';
import { DEFAULT_ORT_THREADS } from '../parity/runtimes.js';
import { trySamples, type SampleTrial } from '../parity/sample-trial.js';
import { textTable } from '../parity/text-table.js';
import { positiveInt, runCli, UsageError } from './cli-support.js';

const DEFAULT_SAMPLES = join('..', 'shared', 'samples', 'eyepacs');

const USAGE = 'usage: try-samples.ts [--samples DIR] [--id ID] [--weights fp16|fp32] [options] (--help for more)';

const HELP = `Grade real fundus photos (Kaggle EyePACS layout) with both variants of a model: the Kaggle
loader at full camera resolution, the shared preprocessing, then TF.js (tfjs-backend-wasm) and ONNX
(onnxruntime-node). A trial of the whole path on real camera images, not a test.

Usage: node --import tsx src/pipeline/cli/try-samples.ts [options]

  --samples DIR    trainLabels.csv (image,level) + photos (default ${DEFAULT_SAMPLES});
                   when the folder is missing there is nothing to try and the exit status is 0
  --id ID          model id in <models>/manifest.json (default: the app's default model)
  --models DIR     canonical stores and manifest.json (default models)
  --weights FORM   fp16 (what the app ships by default) or fp32 (default fp16)
  --ort-threads N  onnxruntime-node intra-op threads (default ${DEFAULT_ORT_THREADS})
  --out FILE       JSON results (default build/reports/try-samples-<id>.json; keep it out of git)
  -h, --help       show this help`;

const yesNo = (v: boolean) => (v ? 'yes' : 'no');

function printTrial(trial: SampleTrial): void {
  const { model, summary } = trial;
  const grade = (g: { grade: number; probability: number }) =>
    `${g.grade} ${GRADE_NAMES[g.grade]!} (${g.probability.toFixed(2)})`;
  console.log(
    `\n${model.name} (${model.id} v${model.version}, ${model.weights}) on ${summary.images} photos from ${trial.samplesDir}`,
  );
  if (model.demo) console.log('A demo model, not for clinical use: its grades of real photos are no diagnosis.');
  console.log(
    textTable(
      [
        'image',
        'pixels',
        'true',
        'field of view',
        'TF.js wasm',
        'ORT node',
        'same',
        'max |Δp|',
        'referred (as the app) / referable',
      ],
      trial.images.map((r) => [
        r.image,
        `${r.width}×${r.height}`,
        `${r.level} ${GRADE_NAMES[r.level]}`,
        `${r.fov.verdict} (${r.fov.confidence.toFixed(2)})`,
        grade(r.tfjs),
        grade(r.onnx),
        yesNo(r.agree),
        r.maxAbsDiff.toExponential(1),
        `${r.referable.tfjs === r.referable.onnx ? yesNo(r.referable.tfjs) : `TF.js ${yesNo(r.referable.tfjs)}, ORT ${yesNo(r.referable.onnx)}`} / ${yesNo(r.referable.truth)}`,
      ]),
    ),
  );
  const { preprocessSeconds, tfjsSeconds, onnxSeconds } = trial.timing;
  console.log(
    `\nVariants agree on ${summary.variantsAgree}/${summary.images}; true grade: TF.js ${summary.tfjsCorrect}/${summary.images}, ORT ${summary.onnxCorrect}/${summary.images}; ` +
      `field of view found on ${summary.fovFound}/${summary.images}.`,
  );
  console.log(
    `Decode + preprocess ${preprocessSeconds.toFixed(1)} s, TF.js ${tfjsSeconds.toFixed(1)} s, ORT ${onnxSeconds.toFixed(1)} s (each including model load).`,
  );
  if (!model.formsMatchManifest)
    console.log('Warning: the derived model files differ from the manifest (run the export manifest step).');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    options: {
      samples: { type: 'string', default: DEFAULT_SAMPLES },
      id: { type: 'string' },
      models: { type: 'string', default: 'models' },
      weights: { type: 'string', default: 'fp16' },
      'ort-threads': { type: 'string', default: String(DEFAULT_ORT_THREADS) },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.weights !== 'fp16' && values.weights !== 'fp32')
    throw new UsageError(`--weights must be fp16 or fp32, got "${values.weights}"`);
  const ortThreads = positiveInt('ort-threads', values['ort-threads']);
  const present = await access(values.samples).then(
    () => true,
    () => false,
  );
  if (!present) {
    console.log(
      `No sample folder at ${values.samples}: nothing to try. (Point --samples at a Kaggle-layout folder of real photos.)`,
    );
    return 0;
  }
  const { description } = await findManifestModel(values.models, values.id);
  console.log(`Preprocessing the photos in ${values.samples}…`);
  const trial = await trySamples({
    modelsDir: values.models,
    id: description.id,
    samplesDir: values.samples,
    weights: values.weights,
    batch: 4,
    ortThreads,
    log: (line) => console.log(line),
  });
  printTrial(trial);
  const out = values.out ?? join('build', 'reports', `try-samples-${description.id}.json`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(trial, null, 2)}\n`);
  console.log(`Results: ${out}`);
  return 0;
}

runCli(main, USAGE);
