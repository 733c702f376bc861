import type { TensorLayout } from './model-contract.js';

/**
 * dist/models/manifest.json: every servable model file, with hashes. The pipeline writes it when a
 * model is exported (models/manifest.json, committed); the build re-derives the files from the
 * canonical weight store and checks them against it; the app reads it to pick and fetch a model.
 * Each entry is one model in one variant and weight form, under
 * dist/models/<id>/<version>/<variant>-<weights>/, a folder that never changes once published.
 */

export const MODEL_MANIFEST_SCHEMA_VERSION = 1;

/** Which runtime the entry is for. */
export type ModelVariant = 'tfjs' | 'onnx';
export type ModelFormat = 'tfjs-layers' | 'onnx';
/** fp32: full-precision weights. fp16: half-size download, expanded to float32 when loaded. */
export type WeightForm = 'fp32' | 'fp16';

export interface ModelFile {
  /** Relative to dist/models/. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface InputNormalisation {
  /** 'model': feed 0..255 pixels, the graph normalises. 'caller': feed (x/255 − mean)/std. */
  appliedBy: 'model' | 'caller';
  mean: readonly number[];
  std: readonly number[];
  description: string;
}

export interface ModelInputSpec {
  /** The feed name (ONNX); a TF.js model takes its single input by position. */
  name?: string;
  layout: TensorLayout;
  /** Square side in pixels. */
  size: number;
  channels: number;
  normalisation: InputNormalisation;
}

export interface ModelOutputSpec {
  /** The fetch name (ONNX). The output is [N, labels.length] softmax probabilities. */
  name?: string;
}

/** Evaluation results by metric name (e.g. accuracy, quadraticKappa), absent for untrained models. */
export type ModelMetrics = Readonly<Record<string, number>>;

/** What a model is, shared by all its variants. */
export interface ModelDescription {
  id: string;
  version: string;
  name: string;
  /** Where the training images came from, e.g. 'synthetic'. */
  trainingData: string;
  metrics?: ModelMetrics;
  /** True when the model is not fit for real screening (synthetic or no training). */
  demo: boolean;
  /**
   * Refer also when P(grade ≥ 2) reaches this: the operating point chosen on validation data for the
   * training's target sensitivity. The graded grade alone (most probable) misses referable eyes whose
   * probability is spread over grades 2–4. Absent: refer on the grade only.
   */
  referralThreshold?: number;
  /**
   * What the model is and is not, in plain words, shown with every grade (banner and result), e.g.
   * 'Research model trained on … Not a medical device; not for clinical use.'. Absent: the app falls
   * back to its generic demo notice when `demo` is true, and shows none otherwise.
   */
  notice?: string;
  /** Attribution of the training data that its licence requires, shown with the model's details. */
  credit?: string;
}

export interface ModelManifestEntry extends ModelDescription {
  variant: ModelVariant;
  format: ModelFormat;
  weights: WeightForm;
  /** The file to open (model.json or model.onnx), relative to dist/models/. */
  entry: string;
  files: ModelFile[];
  input: ModelInputSpec;
  output: ModelOutputSpec;
  /** Class names in output order. */
  labels: string[];
}

export interface ModelManifest {
  schemaVersion: typeof MODEL_MANIFEST_SCHEMA_VERSION;
  /** The id the app grades with unless the user picks another; absent = the first model listed. */
  defaultModel?: string;
  models: ModelManifestEntry[];
}

/** Folder of one entry's files, relative to dist/models/. */
export function modelEntryFolder(entry: Pick<ModelManifestEntry, 'id' | 'version' | 'variant' | 'weights'>): string {
  return `${entry.id}/${entry.version}/${entry.variant}-${entry.weights}`;
}

export function findModelEntry(
  manifest: ModelManifest,
  id: string,
  variant: ModelVariant,
  weights: WeightForm,
): ModelManifestEntry | undefined {
  return manifest.models.find((m) => m.id === id && m.variant === variant && m.weights === weights);
}
