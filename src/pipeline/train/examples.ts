import type { Grade } from '../../shared/grades.js';
import type { RgbImage } from '../../shared/pixels.js';
import { resampleRegion } from '../../shared/resize.js';
import { augment } from '../data/augment.js';

/**
 * What the trainer and the evaluator read: numbered examples with known labels, each a float32
 * model input (an image tensor, or a pooled feature vector for head-only training), loaded on
 * demand so a dataset never has to fit in memory.
 */
export interface Examples {
  readonly count: number;
  /** Label of every example, known without loading it (class weights, stratified metrics). */
  readonly labels: readonly Grade[];
  /** One example's input shape, e.g. [160, 160, 3] or [2048]. */
  readonly inputShape: readonly number[];
  /**
   * Writes example `index` into `out` at `offset`; `augmentSeed` (training only) asks for a
   * randomly transformed copy, the same one for the same seed.
   */
  load(index: number, out: Float32Array, offset: number, augmentSeed?: number): Promise<void>;
}

/** Labelled square RGB images, all `size` × `size` (the preprocessed 300 px images, typically). */
export interface ImageSource {
  readonly count: number;
  readonly labels: readonly Grade[];
  readonly size: number;
  image(index: number): Promise<RgbImage>;
}

/**
 * Images as model inputs at `resolution`: resized with the shared preprocessing's resampler (area
 * averaging when shrinking, so 300 → 160 does not alias), then augmented, then 0..255 float32 NHWC
 * (the model normalises in-graph).
 */
export function imageExamples(source: ImageSource, resolution: number): Examples {
  const pixels = resolution * resolution * 3;
  return {
    count: source.count,
    labels: source.labels,
    inputShape: [resolution, resolution, 3],
    async load(index, out, offset, augmentSeed) {
      let image = await source.image(index);
      if (image.width !== resolution || image.height !== resolution) {
        image = resampleRegion(
          { ...image, channels: 3 },
          { x: 0, y: 0, width: image.width, height: image.height },
          resolution,
          resolution,
        );
      }
      if (augmentSeed !== undefined) image = augment(image, augmentSeed);
      const data = image.data;
      for (let i = 0; i < pixels; i++) out[offset + i] = data[i]!;
    },
  };
}

/** Precomputed feature vectors (row-major [count, width]) as examples; no augmentation applies. */
export function featureExamples(features: Float32Array, width: number, labels: readonly Grade[]): Examples {
  if (features.length !== labels.length * width)
    throw new RangeError(`${features.length} feature values do not make ${labels.length} rows of ${width}`);
  return {
    count: labels.length,
    labels,
    inputShape: [width],
    async load(index, out, offset) {
      out.set(features.subarray(index * width, (index + 1) * width), offset);
    },
  };
}
