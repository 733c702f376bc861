import * as tf from '@tensorflow/tfjs';
import { GRADE_COUNT } from '../../shared/grades.js';
import { applyLayer } from './layer-helpers.js';
import type { SeededInitializers } from './seeded-initializers.js';

export const GAP_LAYER = 'avg_pool';
export const OUTPUT_LAYER = 'predictions';

/** Units of the ReLU dense layers between global average pooling and the softmax. */
export const RESNET_HEAD_UNITS = [128, 128, 64, 64] as const;

/**
 * Dense ReLU stack then Dense(5) softmax, applied to pooled features. Layer names are
 * `head_dense1..N` and `predictions`, the same in the full classifier and in a standalone head model,
 * so head weights trained on extracted features copy over by name.
 */
export function applyClassifierHead(
  features: tf.SymbolicTensor,
  units: readonly number[],
  init: SeededInitializers,
): tf.SymbolicTensor {
  let y = features;
  units.forEach((n, i) => {
    y = applyLayer(
      tf.layers.dense({
        name: `head_dense${i + 1}`,
        units: n,
        activation: 'relu',
        kernelInitializer: init.glorotUniform(),
      }),
      y,
    );
  });
  return applyLayer(
    tf.layers.dense({
      name: OUTPUT_LAYER,
      units: GRADE_COUNT,
      activation: 'softmax',
      kernelInitializer: init.glorotUniform(),
    }),
    y,
  );
}
