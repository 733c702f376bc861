import type { RgbImage } from '../../src/shared/pixels.js';
import type { Heatmap, RuntimeName } from '../../src/shared/protocol.js';
import type { ModelManifestEntry } from '../../src/shared/model-manifest.js';

/** One image's class probabilities and the Grad-CAM of its top grade (workers/models/grad-cam.ts). */
export interface ExplainedPrediction {
  probabilities: Float32Array;
  heatmap: Heatmap;
}

/**
 * One model variant, built on one backend from verified bytes. Reusable outside the app's worker
 * (the benchmark drives these directly): no UI, no protocol, no global state beyond the runtime's own.
 */
export interface ModelRunner {
  readonly runtime: RuntimeName;
  readonly backend: string;
  readonly entry: ModelManifestEntry;
  /**
   * Runs a blank image through explain() as APP_WARM_UP says (shader compilation, kernel selection,
   * memory, the wasm code the engine optimises next); returns the time it took in ms.
   */
  warmUp(): Promise<number>;
  /** Class probabilities for each image, in the manifest's label order. Images must be input.size square. */
  predict(images: readonly RgbImage[]): Promise<Float32Array[]>;
  /** predict() plus each image's Grad-CAM for its own top grade, from the same run of the model. */
  explain(images: readonly RgbImage[]): Promise<ExplainedPrediction[]>;
  /** Frees every tensor, buffer and session the runner holds; the runner is unusable afterwards. */
  dispose(): Promise<void>;
}

export interface WarmUpOptions {
  /** At most this many runs (default 4). */
  maxRuns?: number;
  /** Steady: a run no more than this fraction faster than the one before it (default 0.2). */
  tolerance?: number;
  /** A run this fast (ms) is warm whatever came before (default 20): small models settle at once. */
  fastEnoughMs?: number;
  now?: () => number;
}

/**
 * How the app warms a model up: one run. The first run does what only a first run does (WebGPU's
 * shaders compiled, wasm functions compiled on their first call, buffers allocated, weights packed) and
 * runs every kernel often enough that V8 queues its hot wasm functions for optimisation, which then
 * compiles on background threads whether or not more runs follow. More warm-up runs only waited for
 * that compilation, while competing with it for the cores: on a reload from the cache (2 cores) they
 * were 1.2–2.3 s of the 3.9–8.4 s to "Model ready", and the first gradings after it were no faster for
 * them (docs/performance.md, "Ready from the cache").
 */
export const APP_WARM_UP: WarmUpOptions = { maxRuns: 1 };

/**
 * Runs `run` until it stops getting faster, at most `maxRuns` times; returns the total time in ms. Runs
 * get faster while V8 swaps optimised code in for its baseline wasm code, and while GPU shaders compile
 * (TF.js's ResNet50 on wasm, 2 cores: 1587 → 649 → 507 → 508 ms).
 */
export async function warmUntilSteady(run: () => Promise<unknown>, options: WarmUpOptions = {}): Promise<number> {
  const { maxRuns = 4, tolerance = 0.2, fastEnoughMs = 20, now = () => performance.now() } = options;
  const started = now();
  let previous = Infinity;
  for (let i = 0; i < maxRuns; i++) {
    const runStarted = now();
    await run();
    const ms = now() - runStarted;
    if (ms <= fastEnoughMs || ms >= previous * (1 - tolerance)) break;
    previous = ms;
  }
  return now() - started;
}

export function blankImage(entry: ModelManifestEntry): RgbImage {
  const side = entry.input.size;
  return { data: new Uint8Array(side * side * entry.input.channels), width: side, height: side };
}

export function checkBatch(entry: ModelManifestEntry, images: readonly RgbImage[]): void {
  if (images.length === 0) throw new RangeError('empty batch');
  for (const image of images) {
    if (image.width !== entry.input.size || image.height !== entry.input.size) {
      throw new RangeError(`the model takes ${entry.input.size}×${entry.input.size} images, got ${image.width}×${image.height}`);
    }
  }
}

/** Splits [N × classes] output into one array per image. */
export function splitRows(values: Float32Array, rows: number): Float32Array[] {
  const width = values.length / rows;
  return Array.from({ length: rows }, (_, i) => values.slice(i * width, (i + 1) * width));
}
