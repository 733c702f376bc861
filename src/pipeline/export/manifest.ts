import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GRADE_NAMES } from '../../shared/grades.js';
import { CHANNELS, IMAGENET_MEAN, IMAGENET_STD, INPUT_SIZE } from '../../shared/model-contract.js';
import {
  MODEL_MANIFEST_SCHEMA_VERSION,
  modelEntryFolder,
  type ModelDescription,
  type ModelFile,
  type ModelInputSpec,
  type ModelManifest,
  type ModelManifestEntry,
  type ModelVariant,
} from '../../shared/model-manifest.js';
import { ONNX_INPUT, ONNX_OUTPUT } from '../onnx/keras-to-onnx.js';
import { deriveModelFormats } from './derive.js';
import { MODEL_DESCRIPTION_FILE, readModelDescription } from './model-description.js';

export const MANIFEST_FILE = 'manifest.json';

const INPUTS: Record<ModelVariant, ModelInputSpec> = {
  tfjs: {
    layout: 'NHWC',
    size: INPUT_SIZE,
    channels: CHANNELS,
    normalisation: {
      appliedBy: 'model',
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
      description: 'RGB pixels in 0..255; the graph applies (x/255 − mean)/std per channel itself',
    },
  },
  onnx: {
    name: ONNX_INPUT,
    layout: 'NCHW',
    size: INPUT_SIZE,
    channels: CHANNELS,
    normalisation: {
      appliedBy: 'caller',
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
      description: 'RGB pixels x in 0..255 fed as (x/255 − mean)/std per channel (ImageNet), computed by the caller',
    },
  },
};

export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const data = await readFile(path);
  return { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
}

/** Canonical stores under `modelsDir`: every folder holding a model-info.json, by id. */
export async function findCanonicalStores(modelsDir: string): Promise<string[]> {
  const entries = await readdir(modelsDir, { withFileTypes: true });
  const stores: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const dir = join(modelsDir, entry.name);
    if ((await readdir(dir)).includes(MODEL_DESCRIPTION_FILE)) stores.push(dir);
  }
  return stores;
}

/**
 * Derives every canonical store under `modelsDir` into `outModelsDir/<id>/<version>/` (the
 * dist/models layout) and returns the manifest describing the files written.
 */
export async function deriveAllModels(modelsDir: string, outModelsDir: string): Promise<ModelManifest> {
  const models: ModelManifestEntry[] = [];
  const seen = new Map<string, string>();
  for (const store of await findCanonicalStores(modelsDir)) {
    const description = await readModelDescription(store);
    const other = seen.get(description.id);
    if (other) throw new Error(`${store} and ${other} both claim model id ${description.id}`);
    seen.set(description.id, store);
    const versionDir = join(outModelsDir, description.id, description.version);
    const derived = await deriveModelFormats(store, versionDir);
    if (derived.inputSize !== INPUT_SIZE) {
      throw new Error(
        `${store}: input is ${derived.inputSize} px; the product contract is ${INPUT_SIZE} (rebuild at full size before saving)`,
      );
    }
    const distPath = (file: string) => `${description.id}/${description.version}/${file}`;
    for (const format of derived.formats) {
      const files: ModelFile[] = [];
      for (const file of format.files)
        files.push({ path: distPath(file), ...(await hashFile(join(versionDir, file))) });
      models.push(manifestEntry(description, format.variant, format.weights, distPath(format.entry), files));
    }
  }
  return { schemaVersion: MODEL_MANIFEST_SCHEMA_VERSION, models };
}

function manifestEntry(
  description: ModelDescription,
  variant: ModelVariant,
  weights: ModelManifestEntry['weights'],
  entry: string,
  files: ModelFile[],
): ModelManifestEntry {
  return {
    ...description,
    variant,
    format: variant === 'tfjs' ? 'tfjs-layers' : 'onnx',
    weights,
    entry,
    files,
    input: INPUTS[variant],
    output: variant === 'onnx' ? { name: ONNX_OUTPUT } : {},
    labels: [...GRADE_NAMES],
  };
}

export async function readManifest(path: string): Promise<ModelManifest> {
  const manifest = JSON.parse(await readFile(path, 'utf8')) as ModelManifest;
  if (manifest.schemaVersion !== MODEL_MANIFEST_SCHEMA_VERSION) {
    throw new Error(
      `${path}: schemaVersion ${String(manifest.schemaVersion)}, expected ${String(MODEL_MANIFEST_SCHEMA_VERSION)}`,
    );
  }
  return manifest;
}

/**
 * Writes the manifest, refusing to give a published id/version new file contents: its folder is
 * served as immutable, so clients that cached the old files would never see the new ones. A
 * changed model (or a changed exporter output) needs a new version in model-info.json.
 */
export async function writeManifest(path: string, manifest: ModelManifest, previous?: ModelManifest): Promise<void> {
  const signature = (entry: ModelManifestEntry) => entry.files.map((f) => `${f.path}:${f.sha256}`).join();
  for (const entry of manifest.models) {
    const before = previous?.models.find((m) => modelEntryFolder(m) === modelEntryFolder(entry));
    if (before && signature(before) !== signature(entry)) {
      throw new Error(
        `${modelEntryFolder(entry)} already published with different files: bump "version" in models/${entry.id}/${MODEL_DESCRIPTION_FILE}`,
      );
    }
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

export interface ManifestMismatch {
  path: string;
  problem: 'missing' | 'size' | 'sha256';
  expected: string;
  actual: string;
}

/** Re-hashes every file `distModelsDir/manifest.json` lists; an empty list means all match. */
export async function verifyManifest(distModelsDir: string): Promise<ManifestMismatch[]> {
  const manifest = await readManifest(join(distModelsDir, MANIFEST_FILE));
  const mismatches: ManifestMismatch[] = [];
  for (const file of manifest.models.flatMap((m) => m.files)) {
    const path = join(distModelsDir, file.path);
    const exists = await stat(path).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!exists) {
      mismatches.push({ path: file.path, problem: 'missing', expected: `${file.bytes} bytes`, actual: 'no file' });
      continue;
    }
    const actual = await hashFile(path);
    if (actual.bytes !== file.bytes) {
      mismatches.push({ path: file.path, problem: 'size', expected: String(file.bytes), actual: String(actual.bytes) });
    } else if (actual.sha256 !== file.sha256) {
      mismatches.push({ path: file.path, problem: 'sha256', expected: file.sha256, actual: actual.sha256 });
    }
  }
  return mismatches;
}
