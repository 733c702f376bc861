import * as tf from '@tensorflow/tfjs';
import { INPUT_SIZE } from '../../shared/model-contract.js';
import { applyClassifierHead, GAP_LAYER } from './classifier-head.js';
import { applyImagenetNormalization, applyLayer, imageInput } from './layer-helpers.js';
import { RESNET_BN_EPSILON } from './resnet50-backbone.js';
import { SeededInitializers } from './seeded-initializers.js';

const TINY_CHANNELS = 16;
const TINY_HEAD_UNITS = [16] as const;

export interface TinyClassifierOptions {
  inputSize?: number;
  seed?: number;
}

/**
 * A ~5.7 k-parameter stand-in with the full model's contract (0..255 NHWC input, in-graph ImageNet
 * normalisation, 5-way softmax) and one of each layer pattern the exporter handles in ResNet50:
 * zero padding into a strided conv, conv + BN + ReLU, zero padding into max pooling, a "same" conv,
 * a residual add, global average pooling and a dense ReLU head. Runs in milliseconds anywhere.
 */
export function buildTinyClassifier(options: TinyClassifierOptions = {}): tf.LayersModel {
  const init = new SeededInitializers(options.seed ?? 0);
  const convBn = (input: tf.SymbolicTensor, name: string, strides: number, padding: 'valid' | 'same') => {
    const conv = tf.layers.conv2d({
      name: `${name}_conv`,
      filters: TINY_CHANNELS,
      kernelSize: 3,
      strides,
      padding,
      kernelInitializer: init.glorotUniform(),
    });
    return applyLayer(
      tf.layers.batchNormalization({ name: `${name}_bn`, epsilon: RESNET_BN_EPSILON }),
      applyLayer(conv, input),
    );
  };
  const relu = (input: tf.SymbolicTensor, name: string) =>
    applyLayer(tf.layers.activation({ name, activation: 'relu' }), input);

  const pixels = imageInput(options.inputSize ?? INPUT_SIZE);
  let x = applyLayer(
    tf.layers.zeroPadding2d({
      name: 'stem_pad',
      padding: [
        [1, 1],
        [1, 1],
      ],
    }),
    applyImagenetNormalization(pixels),
  );
  x = relu(convBn(x, 'stem', 2, 'valid'), 'stem_relu');
  x = applyLayer(
    tf.layers.zeroPadding2d({
      name: 'pool_pad',
      padding: [
        [1, 1],
        [1, 1],
      ],
    }),
    x,
  );
  const pooled = applyLayer(tf.layers.maxPooling2d({ name: 'pool', poolSize: 3, strides: 2 }), x);
  let y = relu(convBn(pooled, 'block_1', 1, 'same'), 'block_1_relu');
  y = convBn(y, 'block_2', 1, 'same');
  y = relu(applyLayer(tf.layers.add({ name: 'block_add' }), [pooled, y]), 'block_out');
  const features = applyLayer(tf.layers.globalAveragePooling2d({ name: GAP_LAYER }), y);
  const probabilities = applyClassifierHead(features, TINY_HEAD_UNITS, new SeededInitializers(options.seed ?? 0, 1));
  return tf.model({ name: 'tiny_dr_classifier', inputs: pixels, outputs: probabilities });
}
