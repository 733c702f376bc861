/**
 * Model export CLI (canonical fp16 store → servable formats → manifest).
 *
 *   derive [--models models] [--out dist/models]  the build step: derive every store into
 *                                                 <out>/<id>/<version>/, copy models/manifest.json,
 *                                                 and fail unless every file matches its hash
 *   derive <canonicalDir> <outDir>                every format of one store into outDir/<variant>-<weights>/
 *   manifest [--models models]                    derive every store (temp dir), write models/manifest.json
 *   verify [distModelsDir]                        re-hash dist/models against its manifest.json
 */
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { modelEntryFolder } from '../../shared/model-manifest.js';
import { deriveModelFormats } from '../export/derive.js';
import { deriveAllModels, MANIFEST_FILE, readManifest, verifyManifest, writeManifest } from '../export/manifest.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { models: { type: 'string', default: 'models' }, out: { type: 'string', default: join('dist', 'models') } },
});
const [command, ...args] = positionals;

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

async function manifest(modelsDir: string): Promise<void> {
  const start = performance.now();
  const scratch = await mkdtemp(join(tmpdir(), 'fg-export-'));
  try {
    const fresh = await deriveAllModels(modelsDir, scratch);
    const path = join(modelsDir, MANIFEST_FILE);
    const previous = await readManifest(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    await writeManifest(path, fresh, previous);
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
  for (const m of mismatches) console.error(`${m.path}: ${m.problem} mismatch (expected ${m.expected}, got ${m.actual})`);
  if (mismatches.length === 0) console.log(`${distModelsDir}: every file matches ${MANIFEST_FILE}`);
  return mismatches.length === 0;
}

switch (command) {
  case 'derive':
    if (args.length === 2) await deriveOne(args[0]!, args[1]!);
    else if (args.length === 0) process.exitCode = (await deriveAll(values.models, values.out)) ? 0 : 1;
    else throw new Error('usage: export derive [--models dir] [--out dir] | export derive <canonicalDir> <outDir>');
    break;
  case 'manifest':
    await manifest(values.models);
    break;
  case 'verify':
    if (!(await verify(args[0] ?? values.out))) process.exitCode = 1;
    break;
  default:
    console.error('usage: export derive [--models dir] [--out dir] | derive <canonicalDir> <outDir> | manifest [--models dir] | verify [dir]');
    process.exitCode = 2;
}
