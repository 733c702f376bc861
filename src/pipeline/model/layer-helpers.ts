import * as tf from '@tensorflow/tfjs';
import {
  IMAGENET_NORMALIZATION_LAYER,
  imagenetNormalizationBias,
  imagenetNormalizationKernel,
} from './imagenet-normalization.js';

/** `Layer.apply` is typed for eager and symbolic use at once; model building is always symbolic. */
export function applyLayer(layer: tf.layers.Layer, input: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
  return layer.apply(input) as tf.SymbolicTensor;
}

/** The model input: RGB pixels in 0..255, NHWC. */
export function imageInput(inputSize: number): tf.SymbolicTensor {
  if (!Number.isInteger(inputSize) || inputSize < 32)
    throw new RangeError(`inputSize must be an integer ≥ 32, got ${inputSize}`);
  return tf.input({ shape: [inputSize, inputSize, 3], name: 'input_image', dtype: 'float32' });
}

/** (x/255 − mean)/std per channel as a frozen 1×1 depthwise convolution (see imagenet-normalization.ts). */
export function applyImagenetNormalization(pixels: tf.SymbolicTensor): tf.SymbolicTensor {
  const layer = tf.layers.depthwiseConv2d({
    name: IMAGENET_NORMALIZATION_LAYER,
    kernelSize: 1,
    depthMultiplier: 1,
    useBias: true,
    trainable: false,
    // Overwritten below; zeros avoid drawing random numbers that nobody uses.
    depthwiseInitializer: 'zeros',
    biasInitializer: 'zeros',
  });
  const normalized = applyLayer(layer, pixels);
  tf.tidy(() =>
    layer.setWeights([
      tf.tensor4d(imagenetNormalizationKernel(), [1, 1, 3, 1]),
      tf.tensor1d(imagenetNormalizationBias()),
    ]),
  );
  return normalized;
}
