// Helpers for browser tests that talk to a real inference worker, bundled the way the app bundles it.
import { buildConfig } from '../../src/app/build-config.js';
import { InferenceClient } from '../../workers/inference-client.js';
import type { ModelManifest, ModelManifestEntry, WeightForm } from '../../src/shared/model-manifest.js';
import type { BackendChoice, GradeParams, InitResult, InspectParams, ModelPair } from '../../src/shared/protocol.js';
import { InferenceError } from '../../src/shared/protocol.js';
import type { TestingRequestMap } from '../../workers/testing/test-protocol.js';

/** Where web-test-runner serves the derived models (tests/browser/serve-models.mjs). */
export const MODELS_URL = '/models/';

/**
 * A client of the worker the tests run (web-test-runner.config.mjs serves the test build at the
 * worker's URL): the app's requests and the test-only ones (workers/testing/test-protocol.ts).
 */
export type TestClient = InferenceClient<TestingRequestMap>;

export function startWorker(): { client: TestClient; worker: Worker } {
  const worker = new Worker(buildConfig.inferenceWorkerUrl, { type: 'module' });
  return { client: new InferenceClient<TestingRequestMap>(worker), worker };
}

export function initParams(tfjs: BackendChoice, ort: BackendChoice) {
  return {
    tfjs,
    ort,
    tfjsWasmPath: buildConfig.tfjsWasmPath,
    ortWasmPath: buildConfig.ortWasmPath,
    ortWorkerUrl: buildConfig.ortWorkerUrl,
  };
}

export async function initWorker(
  tfjs: BackendChoice,
  ort: BackendChoice,
): Promise<{ client: TestClient; report: InitResult }> {
  const { client } = startWorker();
  const report = await client.request('init', initParams(tfjs, ort));
  return { client, report };
}

export async function loadManifest(): Promise<ModelManifest> {
  const response = await fetch(`${MODELS_URL}manifest.json`);
  if (!response.ok) throw new Error(`manifest: HTTP ${response.status}`);
  return (await response.json()) as ModelManifest;
}

export function pairOf(manifest: ModelManifest, id: string, weights: WeightForm): ModelPair {
  const find = (variant: ModelManifestEntry['variant']) => {
    const entry = manifest.models.find((m) => m.id === id && m.variant === variant && m.weights === weights);
    if (!entry) throw new Error(`no ${id} ${variant} ${weights} entry in the manifest`);
    return entry;
  };
  return { tfjs: find('tfjs'), ort: find('onnx') };
}

export async function tinyModels(weights: WeightForm = 'fp16'): Promise<ModelPair> {
  return pairOf(await loadManifest(), 'tiny', weights);
}

export async function fixture(name: string): Promise<ArrayBuffer> {
  const response = await fetch(`/tests/browser/fixtures/${name}`);
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

/** A grading of the photo's bytes. */
export function gradeParams(image: ArrayBuffer, models: ModelPair): GradeParams {
  return { image, modelsUrl: MODELS_URL, models, thumbnailMaxSide: 96 };
}

/** A grading of the photo the worker kept under the id its `inspect` answered. */
export function keptGradeParams(photoId: string, models: ModelPair): GradeParams {
  return { photoId, modelsUrl: MODELS_URL, models };
}

/** An `inspect` of the photo's bytes, with the same thumbnail size as gradeParams. */
export function inspectParams(image: ArrayBuffer, previewMaxSide = 200): InspectParams {
  return { image, previewMaxSide, thumbnailMaxSide: 96 };
}

/** The rejection of a promise that must reject, as an InferenceError. */
export async function rejectionOf(promise: Promise<unknown>): Promise<InferenceError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof InferenceError)) throw new Error(`expected an InferenceError, got ${String(error)}`);
  return error;
}

/** An image drawn on a canvas and encoded: test inputs too large or too trivial to commit. */
export async function drawnImage(
  width: number,
  height: number,
  draw: (context: OffscreenCanvasRenderingContext2D) => void,
  type = 'image/png',
): Promise<ArrayBuffer> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  draw(context);
  return (await canvas.convertToBlob({ type })).arrayBuffer();
}

/** A red disc on black: the simplest picture the field-of-view detector accepts as a retina. */
export function redDisc(width: number, height: number): (context: OffscreenCanvasRenderingContext2D) => void {
  return (context) => {
    context.fillStyle = '#000';
    context.fillRect(0, 0, width, height);
    context.fillStyle = '#b5452a';
    context.beginPath();
    context.arc(width / 2, height / 2, Math.min(width, height) * 0.45, 0, 2 * Math.PI);
    context.fill();
  };
}

export const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
export const maxAbsDifference = (a: readonly number[], b: readonly number[]) =>
  Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
