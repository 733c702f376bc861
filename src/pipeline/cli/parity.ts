/**
 * Parity of a model's four served forms on held-out images.
 *   node --import tsx src/pipeline/cli/parity.ts --help
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { GRADE_NAMES } from '../../shared/grades.js';
import { PARITY_TARGETS } from '../parity/compare.js';
import { findManifestModel } from '../parity/manifest-model.js';
import { runParity, type ParityReport } from '../parity/run-parity.js';
import { DEFAULT_ORT_THREADS } from '../parity/runtimes.js';
import { percent, scientific, textTable } from '../parity/text-table.js';
import { positiveInt, runCli } from './cli-support.js';

const USAGE = 'usage: parity.ts [--id ID] [--models DIR] [--data DIR] [--limit N] [options] (--help for more)';

const HELP = `Check that a model's served forms agree: TF.js (tfjs-backend-wasm, NHWC 0..255) against ONNX
(onnxruntime-node, NCHW ImageNet-normalised) on fp32 weights, each fp16 form against its fp32 form,
and the fp16 canonical store against the trained float32 weights it was rounded from.

Usage: node --import tsx src/pipeline/cli/parity.ts [options]

  --id ID          model id in <models>/manifest.json (default: the app's default model)
  --models DIR     canonical stores and manifest.json (default models)
  --data DIR       held-out labelled images, Kaggle layout (default data/synthetic-test)
  --fp32 DIR       the trained float32 weights (train.ts --fp32-out; default checkpoints/<id>-fp32);
                   that comparison is left out when the folder does not exist
  --limit N        only the first N images (quick runs; TF.js wasm takes ~0.5 s per image at 300 px)
  --batch N        images per inference batch (default 8)
  --ort-threads N  onnxruntime-node intra-op threads (default ${DEFAULT_ORT_THREADS}, this machine's cores)
  --cache DIR      preprocessed 300 px images (default .cache/preprocessed)
  --out FILE       JSON report (default <store>/evaluation/parity.json)
  -h, --help       show this help

Targets:
  TF.js fp32 vs ONNX fp32:             ${PARITY_TARGETS.runtimes.text}
  fp16 forms vs fp32, store vs trained: ${PARITY_TARGETS.compact.text}

Exit status: 0 every target met, 1 a target missed or an error, 2 bad arguments.`;

function printReport(report: ParityReport): void {
  const { model, data, timing, environment: env } = report;
  console.log(`\nParity of ${model.id} v${model.version} (${model.name}) on ${data.images} images of ${data.dir}`);
  console.log(
    `Node ${env.node}, ${env.cpu} ×${env.cpuCount}; TF.js ${env.tfjs} ${env.tfjsBackend} (${env.tfjsWasmThreads} thread(s), SIMD ${env.tfjsWasmSimd ? 'on' : 'off'}); ` +
      `onnxruntime-node ${env.onnxruntimeNode} (${env.ortIntraOpThreads} thread(s))\n`,
  );
  console.log(
    textTable(
      ['form', 'runtime', 'load s', 'inference s', 'ms/image', 'accuracy'],
      timing.runs.map((r) => [
        r.form,
        r.runtime,
        r.loadSeconds.toFixed(1),
        r.inferenceSeconds.toFixed(1),
        r.msPerImage.toFixed(0),
        percent(r.accuracy),
      ]),
      [2, 3, 4, 5],
    ),
  );
  console.log();
  console.log(
    textTable(
      ['comparison', 'top-1 same', 'changed', 'max |Δp|', 'mean |Δp|', 'target', 'result'],
      report.comparisons.map((c) => [
        c.name,
        percent(c.top1Agreement, 2),
        String(c.top1Changes),
        scientific(c.maxAbsDiff),
        scientific(c.meanAbsDiff),
        c.targetText,
        c.pass ? 'PASS' : 'FAIL',
      ]),
      [1, 2, 3, 4],
    ),
  );
  for (const c of report.comparisons.filter((x) => x.disagreements.length > 0)) {
    console.log(`\n${c.name}: top-1 differs on`);
    for (const d of c.disagreements) {
      console.log(
        `  ${d.image} (true ${d.level}): ${c.reference} ${d.reference.grade} ${GRADE_NAMES[d.reference.grade]} (p ${d.reference.probability.toFixed(4)}), ` +
          `${c.candidate} ${d.candidate.grade} ${GRADE_NAMES[d.candidate.grade]} (p ${d.candidate.probability.toFixed(4)})`,
      );
    }
  }
  const source = report.float32Source;
  if (source?.status === 'absent')
    console.log(`\nNo trained float32 weights at ${source.dir}: the store-vs-trained comparison is left out.`);
  if (source?.status === 'not-the-source') console.log(`\nTrained float32 weights not compared: ${source.problem}`);
  if (!model.formsMatchManifest)
    console.log(`\nThe derived files differ from the manifest:\n  ${model.manifestMismatches.join('\n  ')}`);
  console.log(
    `\n${report.pass ? 'PASS' : 'FAIL'}: every target ${report.pass ? 'met' : 'not met'} (${timing.totalSeconds.toFixed(1)} s in all).`,
  );
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    options: {
      id: { type: 'string' },
      models: { type: 'string', default: 'models' },
      data: { type: 'string', default: join('data', 'synthetic-test') },
      fp32: { type: 'string' },
      limit: { type: 'string' },
      batch: { type: 'string', default: '8' },
      'ort-threads': { type: 'string', default: String(DEFAULT_ORT_THREADS) },
      cache: { type: 'string', default: join('.cache', 'preprocessed') },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const limit = values.limit === undefined ? undefined : positiveInt('limit', values.limit);
  const batch = positiveInt('batch', values.batch);
  const ortThreads = positiveInt('ort-threads', values['ort-threads']);
  const model = await findManifestModel(values.models, values.id);
  const id = model.description.id;
  const report = await runParity({
    modelsDir: values.models,
    id,
    dataDir: values.data,
    cacheDir: values.cache,
    ...(limit ? { limit } : {}),
    fp32Dir: values.fp32 ?? join('checkpoints', `${id}-fp32`),
    batch,
    ortThreads,
    log: (line) => console.log(line),
  });
  const out = values.out ?? join(model.storeDir, 'evaluation', 'parity.json');
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  printReport(report);
  console.log(`Report: ${out}`);
  return report.pass ? 0 : 1;
}

runCli(main, USAGE);
