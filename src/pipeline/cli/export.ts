/**
 * Model export CLI (canonical fp16 store → servable formats → manifest).
 *   node --import tsx src/pipeline/cli/export.ts --help
 */
import { copyFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { modelEntryFolder, type ModelManifest } from '../../shared/model-manifest.js';
import { deriveModelFormats } from '../export/derive.js';
import { deriveAllModels, MANIFEST_FILE, readManifest, verifyManifest, writeManifest } from '../export/manifest.js';
import { readTfjsModel } from '../export/tfjs-files.js';
import { exportOnnx } from '../onnx/keras-to-onnx.js';
import { runCli, UsageError } from './cli-support.js';

const HELP = `Derive the servable model formats from the canonical fp16 stores, and keep their manifest.

Usage: node --import tsx src/pipeline/cli/export.ts COMMAND [options]

Commands:
  derive [--models DIR] [--out DIR]   the build step: derive every store under --models into
                                      <out>/<id>/<version>/, copy <models>/${MANIFEST_FILE}, and fail
                                      unless every file matches its hash
  derive CANONICAL_DIR OUT_DIR        every format of one store into OUT_DIR/<variant>-<weights>/
  manifest [--models DIR] [--default ID]
                                      derive every store (in a temp folder) and write <models>/${MANIFEST_FILE};
                                      --default names the model the app grades with (kept from the
                                      previous manifest when omitted)
  verify [DIST_MODELS_DIR]            re-hash a derived folder (default --out) against its ${MANIFEST_FILE}
  onnx CANONICAL_DIR OUT_FILE [--weights fp16|fp32] [--no-grad-cam]
                                      one ONNX form of one store, as derive writes it (default fp16);
                                      --no-grad-cam leaves out the heatmap output (probabilities only),
                                      e.g. to measure what the map costs

Options:
  --models DIR   canonical stores, one folder per model with model-info.json (default models)
  --out DIR      derived models folder (default dist/models)
  --weights FORM weights of the onnx command's model: fp16 (default) or fp32
  --no-grad-cam  the onnx command's model without the Grad-CAM output
  -h, --help     show this help

Exit status: 0 done, 1 a check failed or an error, 2 bad arguments.`;

const USAGE =
  'usage: export derive [--models DIR] [--out DIR] | derive CANONICAL_DIR OUT_DIR | manifest [--models DIR] [--default ID] | verify [DIR] | onnx CANONICAL_DIR OUT_FILE [--weights FORM] [--no-grad-cam]  (--help for more)';

const seconds = (start: number) => `${((performance.now() - start) / 1000).toFixed(2)} s`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

async function deriveOne(canonicalDir: string, outDir: string): Promise<void> {
  const start = performance.now();
  const derived = await deriveModelFormats(canonicalDir, outDir);
  for (const format of derived.formats) {
    let bytes = 0;
    for (const file of format.files) bytes += (await stat(join(outDir, file))).size;
    console.log(`${format.variant}-${format.weights}: ${format.files.length} file(s), ${mib(bytes)}`);
  }
  console.log(`derived ${canonicalDir} → ${outDir} in ${seconds(start)}`);
}

/**
 * The model the app grades with when the user has not chosen one: --default when given, else the
 * previous manifest's choice while that model is still listed.
 */
function chooseDefault(
  fresh: ModelManifest,
  previous: ModelManifest | undefined,
  wanted: string | undefined,
): string | undefined {
  const ids = new Set(fresh.models.map((m) => m.id));
  if (wanted !== undefined) {
    if (!ids.has(wanted)) throw new Error(`--default ${wanted}: no such model (have ${[...ids].join(', ')})`);
    return wanted;
  }
  return previous?.defaultModel !== undefined && ids.has(previous.defaultModel) ? previous.defaultModel : undefined;
}

async function manifest(modelsDir: string, wantedDefault: string | undefined): Promise<void> {
  const start = performance.now();
  const scratch = await mkdtemp(join(tmpdir(), 'fg-export-'));
  try {
    const fresh = await deriveAllModels(modelsDir, scratch);
    const path = join(modelsDir, MANIFEST_FILE);
    const previous = await readManifest(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    const defaultModel = chooseDefault(fresh, previous, wantedDefault);
    await writeManifest(path, defaultModel === undefined ? fresh : { ...fresh, defaultModel }, previous);
    if (defaultModel !== undefined) console.log(`default model: ${defaultModel}`);
    for (const entry of fresh.models) console.log(`${modelEntryFolder(entry)}: ${entry.files.length} file(s)`);
    console.log(`wrote ${path} in ${seconds(start)}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function deriveAll(modelsDir: string, outDir: string): Promise<boolean> {
  const start = performance.now();
  const committed = await readManifest(join(modelsDir, MANIFEST_FILE));
  const fresh = await deriveAllModels(modelsDir, outDir);
  const listed = new Set(committed.models.map(modelEntryFolder));
  const unlisted = fresh.models.map(modelEntryFolder).filter((folder) => !listed.has(folder));
  if (unlisted.length > 0) {
    console.error(`not in ${modelsDir}/${MANIFEST_FILE} (run "export manifest"): ${unlisted.join(', ')}`);
    return false;
  }
  await copyFile(join(modelsDir, MANIFEST_FILE), join(outDir, MANIFEST_FILE));
  const ok = await verify(outDir);
  if (ok) console.log(`derived ${fresh.models.length} manifest entries into ${outDir} in ${seconds(start)}`);
  return ok;
}

async function verify(distModelsDir: string): Promise<boolean> {
  const mismatches = await verifyManifest(distModelsDir);
  for (const m of mismatches)
    console.error(`${m.path}: ${m.problem} mismatch (expected ${m.expected}, got ${m.actual})`);
  if (mismatches.length === 0) console.log(`${distModelsDir}: every file matches ${MANIFEST_FILE}`);
  return mismatches.length === 0;
}

async function writeOnnx(canonicalDir: string, outFile: string, weights: string, gradCam: boolean): Promise<void> {
  if (weights !== 'fp16' && weights !== 'fp32') throw new UsageError(`--weights ${weights}: expected fp16 or fp32`);
  const bytes = exportOnnx(await readTfjsModel(canonicalDir), { weights, gradCam });
  await writeFile(outFile, bytes);
  console.log(`${outFile}: ONNX ${weights}${gradCam ? ' with' : ' without'} Grad-CAM, ${mib(bytes.length)}`);
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      models: { type: 'string', default: 'models' },
      out: { type: 'string', default: join('dist', 'models') },
      default: { type: 'string' },
      weights: { type: 'string', default: 'fp16' },
      'no-grad-cam': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [command, ...args] = positionals;
  switch (command) {
    case 'derive':
      if (args.length === 2) {
        await deriveOne(args[0]!, args[1]!);
        return 0;
      }
      if (args.length === 0) return (await deriveAll(values.models, values.out)) ? 0 : 1;
      break;
    case 'manifest':
      if (args.length > 0) break;
      await manifest(values.models, values.default);
      return 0;
    case 'verify':
      if (args.length > 1) break;
      return (await verify(args[0] ?? values.out)) ? 0 : 1;
    case 'onnx':
      if (args.length !== 2) break;
      await writeOnnx(args[0]!, args[1]!, values.weights, !values['no-grad-cam']);
      return 0;
  }
  throw new UsageError(
    command === undefined ? 'a command is required' : `unknown command or arguments: ${positionals.join(' ')}`,
  );
}

runCli(() => main(process.argv.slice(2)), USAGE);
