import { join } from 'node:path';
import type { ModelDescription, ModelManifest, ModelVariant, WeightForm } from '../../shared/model-manifest.js';
import { deriveModelFormats } from '../export/derive.js';
import { findCanonicalStores, hashFile, MANIFEST_FILE, readManifest } from '../export/manifest.js';
import { readModelDescription } from '../export/model-description.js';

/** A model listed in models/manifest.json, with the canonical store it is derived from. */
export interface ManifestModel {
  description: ModelDescription;
  storeDir: string;
  manifest: ModelManifest;
}

/** The id the app grades with by default: the manifest's defaultModel, else the first listed. */
export function defaultModelId(manifest: ModelManifest): string | undefined {
  return manifest.defaultModel ?? manifest.models[0]?.id;
}

/** Finds model `id` (default: the app's default) in `<modelsDir>/manifest.json` and its canonical store. */
export async function findManifestModel(modelsDir: string, id?: string): Promise<ManifestModel> {
  const manifest = await readManifest(join(modelsDir, MANIFEST_FILE));
  const wanted = id ?? defaultModelId(manifest);
  const entry = manifest.models.find((m) => m.id === wanted);
  if (!wanted || !entry) {
    const ids = [...new Set(manifest.models.map((m) => m.id))];
    throw new Error(
      `model "${wanted ?? ''}" is not in ${join(modelsDir, MANIFEST_FILE)} (listed: ${ids.join(', ') || 'none'}); run the export manifest step first`,
    );
  }
  for (const storeDir of await findCanonicalStores(modelsDir)) {
    const description = await readModelDescription(storeDir);
    if (description.id !== entry.id) continue;
    if (description.version !== entry.version) {
      throw new Error(
        `${storeDir} holds ${entry.id} version ${description.version}; the manifest lists version ${entry.version} (run the export manifest step)`,
      );
    }
    return { description, storeDir, manifest };
  }
  throw new Error(`no canonical store with id ${entry.id} under ${modelsDir}`);
}

/** Where deriveModelFormats put one form's files. */
export function formatDir(derivedDir: string, variant: ModelVariant, weights: WeightForm): string {
  return join(derivedDir, `${variant}-${weights}`);
}

/**
 * Derives the model's four forms into `outDir` (as the build does) and lists every file whose
 * hash differs from the manifest's: an empty list means the forms measured are the ones that ship.
 */
export async function deriveListedForms(model: ManifestModel, outDir: string): Promise<string[]> {
  const { id, version } = model.description;
  const derived = await deriveModelFormats(model.storeDir, outDir);
  const listed = new Map(model.manifest.models.flatMap((m) => m.files).map((f) => [f.path, f.sha256]));
  const mismatches: string[] = [];
  for (const file of derived.formats.flatMap((f) => f.files)) {
    const path = `${id}/${version}/${file}`;
    const expected = listed.get(path);
    if (expected === undefined) mismatches.push(`${path}: not in the manifest`);
    else if ((await hashFile(join(outDir, file))).sha256 !== expected)
      mismatches.push(`${path}: sha256 differs from the manifest`);
  }
  return mismatches;
}
