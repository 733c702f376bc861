import * as tf from '@tensorflow/tfjs';
import type { Examples } from '../train/examples.js';

/**
 * Data-dependent initialisation of BatchNormalization statistics: runs one batch of real images
 * through the network layer by layer and, at every BatchNormalization layer, sets the moving mean
 * and variance to that layer's input statistics on the batch, before the layer normalises with them.
 * Each layer therefore sees inputs that the layers before it have already normalised, as a
 * training-mode pass would.
 *
 * Why: a freshly initialised network's moving statistics are (0, 1) whatever its input, so in
 * inference mode its activations drift layer after layer until the pooled features barely depend
 * on the image (measured: across-image std 5e-3 on a random ResNet50). Calibrated, every channel is
 * unit-variance on real fundus photos, so the random backbone's features carry the image's content.
 * The same idea as LSUV (Mishkin & Matas 2016) and BN "recalibration" after training.
 *
 * Stops after `lastLayer` (by name) when given; layers after it keep their statistics.
 * Returns the number of BatchNormalization layers calibrated. `batch` is not disposed.
 */
export function calibrateBatchNorm(model: tf.LayersModel, batch: tf.Tensor4D, lastLayer?: string): number {
  const values = new Map<number, tf.Tensor>();
  const remainingUses = new Map<number, number>();
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    for (const input of layer.inboundNodes[0]?.inputTensors ?? [])
      remainingUses.set(input.id, (remainingUses.get(input.id) ?? 0) + 1);
  }
  values.set(model.inputs[0]!.id, batch);
  let calibrated = 0;
  try {
    for (const layer of model.layers) {
      const node = layer.inboundNodes[0];
      if (!node || layer.getClassName() === 'InputLayer') continue;
      const inputs = node.inputTensors.map((symbolic) => {
        const value = values.get(symbolic.id);
        if (!value) throw new Error(`${layer.name}: input ${symbolic.name} was not computed (layers out of order?)`);
        return value;
      });
      if (layer.getClassName() === 'BatchNormalization') {
        setStatisticsFrom(layer, inputs[0]!);
        calibrated++;
      }
      const output = tf.tidy(
        () => layer.apply(inputs.length === 1 ? inputs[0]! : inputs, { training: false }) as tf.Tensor,
      );
      values.set(node.outputTensors[0]!.id, output);
      for (const symbolic of node.inputTensors) {
        const left = (remainingUses.get(symbolic.id) ?? 1) - 1;
        remainingUses.set(symbolic.id, left);
        const value = values.get(symbolic.id);
        if (left === 0 && value && value !== batch) {
          value.dispose();
          values.delete(symbolic.id);
        }
      }
      if (layer.name === lastLayer) break;
    }
  } finally {
    for (const value of values.values()) if (value !== batch) value.dispose();
  }
  return calibrated;
}

/** Moving mean/variance := per-channel moments of `input` (NHWC) over batch and space. */
function setStatisticsFrom(layer: tf.layers.Layer, input: tf.Tensor): void {
  const { mean, variance } = tf.moments(input, [0, 1, 2]);
  try {
    const next = layer.weights.map((weight) => {
      const key = weight.originalName.slice(weight.originalName.lastIndexOf('/') + 1);
      if (key === 'moving_mean') return mean;
      if (key === 'moving_variance') return variance;
      if (key === 'gamma' || key === 'beta') return weight.read();
      throw new Error(`${layer.name}: unexpected BatchNormalization weight ${weight.originalName}`);
    });
    layer.setWeights(next);
  } finally {
    tf.dispose([mean, variance]);
  }
}

/**
 * Zero γ of the last BatchNormalization in every residual branch (Keras names `*_3_bn`), so each
 * bottleneck block starts as (ReLU of) its shortcut and the 50-layer network first trains like a
 * shallow one: "zero-init residual" (Goyal et al. 2017, torchvision's `zero_init_residual`), which
 * speeds up training from scratch. Returns the number of layers changed.
 */
/** calibrateBatchNorm on every example of `examples` (unaugmented images) as one batch; returns its count. */
export async function calibrateBatchNormOn(
  model: tf.LayersModel,
  examples: Examples,
  lastLayer?: string,
): Promise<number> {
  if (examples.inputShape.length !== 3)
    throw new RangeError(
      `BatchNorm calibration needs images, got examples of shape [${examples.inputShape.join(',')}]`,
    );
  const [height, width, channels] = examples.inputShape as [number, number, number];
  const size = height * width * channels;
  const pixels = new Float32Array(examples.count * size);
  for (let i = 0; i < examples.count; i++) await examples.load(i, pixels, i * size);
  const batch = tf.tensor4d(pixels, [examples.count, height, width, channels]);
  try {
    return calibrateBatchNorm(model, batch, lastLayer);
  } finally {
    batch.dispose();
  }
}

export function zeroResidualGammas(model: tf.LayersModel): number {
  let changed = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization' || !/_3_bn$/.test(layer.name)) continue;
    layer.setWeights(
      layer.weights.map((weight) =>
        weight.originalName.endsWith('/gamma') ? tf.zerosLike(weight.read()) : weight.read(),
      ),
    );
    changed++;
  }
  return changed;
}
