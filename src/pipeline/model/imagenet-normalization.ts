import { IMAGENET_MEAN, IMAGENET_STD } from '../../shared/model-contract.js';

/**
 * The TF.js variant takes 0..255 pixels and normalises inside the graph with this layer: a
 * non-trainable 1×1 DepthwiseConv2D, so tf.loadLayersModel loads it without custom classes.
 * The ONNX exporter recognises the layer by this name and drops it, because the ONNX variant's
 * caller normalises. Kept free of TF.js imports so the exporter can use it.
 */
export const IMAGENET_NORMALIZATION_LAYER = 'imagenet_normalization';

/** Depthwise kernel [1, 1, 3, 1]: x · 1/(255·std_c). */
export function imagenetNormalizationKernel(): Float32Array {
  return Float32Array.from(IMAGENET_STD, (std) => 1 / (255 * std));
}

/** Bias [3]: −mean_c/std_c, so kernel·x + bias = (x/255 − mean_c)/std_c. */
export function imagenetNormalizationBias(): Float32Array {
  return Float32Array.from(IMAGENET_MEAN, (mean, c) => -mean / IMAGENET_STD[c]!);
}
