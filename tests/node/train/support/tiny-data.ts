import * as tf from '@tensorflow/tfjs';
import type { Grade } from '../../../../src/shared/grades.js';
import type { RgbImage } from '../../../../src/shared/pixels.js';
import { hashSeed, Rng } from '../../../../src/pipeline/data/random.js';
import type { ImageSource } from '../../../../src/pipeline/train/examples.js';

/**
 * A learnable toy problem: grade g images are a disc whose brightness grows with g (plus noise),
 * on black, like a fundus photo's field of view. `flipLabels` relabels grade g as 4 − g, a
 * validation set that gets worse exactly as training gets better.
 */
export function toyImages(count: number, size: number, seed: number, flipLabels = false): ImageSource {
  const labels = Array.from({ length: count }, (_, i) => (i % 5) as Grade);
  const images = labels.map((grade, i) => {
    const rng = new Rng(hashSeed('toy', seed, i));
    const data = new Uint8Array(size * size * 3);
    const r = size / 2;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if ((x + 0.5 - r) ** 2 + (y + 0.5 - r) ** 2 > r * r) continue;
        for (let c = 0; c < 3; c++)
          data[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, 30 + 45 * grade + rng.normal(0, 12) + c * 10));
      }
    }
    return { data, width: size, height: size } satisfies RgbImage;
  });
  return {
    count,
    labels: flipLabels ? labels.map((g) => (4 - g) as Grade) : labels,
    size,
    image: async (index) => images[index]!,
  };
}

/** conv → ReLU → global average pooling → dense softmax: a model without BatchNorm. */
export function convNetWithoutBatchNorm(inputSize: number, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [inputSize, inputSize, 3] });
  const scaled = tf.layers.rescaling({ scale: 1 / 255 }).apply(input) as tf.SymbolicTensor;
  const conv = tf.layers
    .conv2d({
      filters: 8,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    })
    .apply(scaled) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(conv) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ units: 5, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) })
    .apply(pooled);
  return tf.model({ inputs: input, outputs: output as tf.SymbolicTensor });
}

/**
 * Auxiliary targets [count, width] for toyImages: ± the centred grade (which the brightness shows),
 * a different scale per column, so a linear head on pooled features can learn them.
 */
export function toyTargets(source: ImageSource, width: number): Float32Array {
  const out = new Float32Array(source.count * width);
  source.labels.forEach((grade, i) => {
    for (let j = 0; j < width; j++)
      out[i * width + j] = ((grade - 2) / Math.SQRT2) * (j % 2 === 0 ? 1 : -0.5) * (1 + j / width);
  });
  return out;
}
