import type { ModelManifest, ModelManifestEntry, WeightForm } from '../shared/model-manifest.js';
import { MODEL_MANIFEST_SCHEMA_VERSION } from '../shared/model-manifest.js';
import type { ModelPair } from '../shared/protocol.js';

/** One model as the settings list it: both variants exist for each weight form listed. */
export interface CatalogModel {
  id: string;
  version: string;
  name: string;
  demo: boolean;
  trainingData: string;
  /** See ModelDescription.notice. */
  notice?: string;
  /** See ModelDescription.credit. */
  credit?: string;
  /** Download size of both variants, per weight form. */
  bytes: Partial<Record<WeightForm, number>>;
}

export async function fetchManifest(modelsUrl: string): Promise<ModelManifest> {
  const response = await fetch(`${modelsUrl}manifest.json`);
  if (!response.ok) throw new Error(`the model list could not be loaded (HTTP ${response.status})`);
  const manifest = (await response.json()) as ModelManifest;
  if (manifest.schemaVersion !== MODEL_MANIFEST_SCHEMA_VERSION || !Array.isArray(manifest.models)) {
    throw new Error(
      `the model list has schema ${String(manifest.schemaVersion)}; this app reads ${MODEL_MANIFEST_SCHEMA_VERSION}`,
    );
  }
  return manifest;
}

const find = (manifest: ModelManifest, id: string, variant: ModelManifestEntry['variant'], weights: WeightForm) =>
  manifest.models.find((m) => m.id === id && m.variant === variant && m.weights === weights);

/** Both variants of `id` in `weights`, or null when the manifest lacks either. */
export function pickModels(manifest: ModelManifest, id: string, weights: WeightForm): ModelPair | null {
  const tfjs = find(manifest, id, 'tfjs', weights);
  const ort = find(manifest, id, 'onnx', weights);
  return tfjs && ort ? { tfjs, ort } : null;
}

export function listModels(manifest: ModelManifest): CatalogModel[] {
  const models = new Map<string, CatalogModel>();
  for (const entry of manifest.models) {
    const model = models.get(entry.id) ?? {
      id: entry.id,
      version: entry.version,
      name: entry.name,
      demo: entry.demo,
      trainingData: entry.trainingData,
      ...(entry.notice !== undefined ? { notice: entry.notice } : {}),
      ...(entry.credit !== undefined ? { credit: entry.credit } : {}),
      bytes: {},
    };
    models.set(entry.id, model);
    const pair = pickModels(manifest, entry.id, entry.weights);
    if (pair) model.bytes[entry.weights] = [...pair.tfjs.files, ...pair.ort.files].reduce((sum, f) => sum + f.bytes, 0);
  }
  return [...models.values()].filter((m) => Object.keys(m.bytes).length > 0);
}

/** The manifest's `defaultModel` when it names a usable model, else the first usable one listed. */
export function defaultModelId(manifest: ModelManifest): string | null {
  const usable = listModels(manifest);
  return usable.find((m) => m.id === manifest.defaultModel)?.id ?? usable[0]?.id ?? null;
}

/** The pair to load: the wanted model and form when the manifest has them, else the closest fallback. */
export function resolveModels(manifest: ModelManifest, wanted: string | null, weights: WeightForm): ModelPair | null {
  const id = wanted && listModels(manifest).some((m) => m.id === wanted) ? wanted : defaultModelId(manifest);
  if (!id) return null;
  return pickModels(manifest, id, weights) ?? pickModels(manifest, id, weights === 'fp16' ? 'fp32' : 'fp16');
}
