import type { RgbImage } from '../../src/shared/pixels.js';
import type { RuntimeName } from '../../src/shared/protocol.js';
import type { ModelManifestEntry } from '../../src/shared/model-manifest.js';

/**
 * One model variant, built on one backend from verified bytes. Reusable outside the app's worker
 * (the benchmark drives these directly): no UI, no protocol, no global state beyond the runtime's own.
 */
export interface ModelRunner {
  readonly runtime: RuntimeName;
  readonly backend: string;
  readonly entry: ModelManifestEntry;
  /** Runs a blank image once (shader compilation, kernel selection); returns the time it took in ms. */
  warmUp(): Promise<number>;
  /** Class probabilities for each image, in the manifest's label order. Images must be input.size square. */
  predict(images: readonly RgbImage[]): Promise<Float32Array[]>;
  /** Frees every tensor, buffer and session the runner holds; the runner is unusable afterwards. */
  dispose(): Promise<void>;
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
