import * as tf from '@tensorflow/tfjs';
import { applyLayer } from './layer-helpers.js';
import type { SeededInitializers } from './seeded-initializers.js';

/** Keras ResNet50 (v1) uses this BatchNormalization epsilon, not the 1e-3 default. */
export const RESNET_BN_EPSILON = 1.001e-5;

/** Name of the last backbone layer, the ReLU after conv5's last residual add. */
export const RESNET50_LAST_LAYER = 'conv5_block3_out';

/** Stages of keras.applications.ResNet50: [name, bottleneck filters, blocks, stride of block 1]. */
const RESNET50_STAGES: ReadonlyArray<readonly [string, number, number, number]> = [
  ['conv2', 64, 3, 1],
  ['conv3', 128, 4, 2],
  ['conv4', 256, 6, 2],
  ['conv5', 512, 3, 2],
];

interface ConvBnArgs {
  name: string;
  filters: number;
  kernelSize: number;
  strides?: number;
  padding?: 'valid' | 'same';
}

/**
 * keras.applications.ResNet50(include_top=False) layer for layer, with Keras's layer names so
 * Keras-trained weights map by name. Input: the normalised NHWC image tensor.
 */
export function applyResNet50Backbone(x: tf.SymbolicTensor, init: SeededInitializers): tf.SymbolicTensor {
  const conv = (input: tf.SymbolicTensor, { name, filters, kernelSize, strides = 1, padding = 'valid' }: ConvBnArgs) =>
    applyLayer(
      tf.layers.conv2d({ name, filters, kernelSize, strides, padding, useBias: true, kernelInitializer: init.glorotUniform() }),
      input,
    );
  const bn = (input: tf.SymbolicTensor, name: string) =>
    applyLayer(tf.layers.batchNormalization({ name, axis: -1, epsilon: RESNET_BN_EPSILON }), input);
  const relu = (input: tf.SymbolicTensor, name: string) => applyLayer(tf.layers.activation({ name, activation: 'relu' }), input);

  // Keras ResNet v1 bottleneck ("block1"): the stride sits on the first 1×1 conv, and the first block
  // of a stage projects the shortcut with a strided 1×1 conv.
  const bottleneck = (input: tf.SymbolicTensor, name: string, filters: number, strides: number, projectShortcut: boolean) => {
    const shortcut = projectShortcut
      ? bn(conv(input, { name: `${name}_0_conv`, filters: 4 * filters, kernelSize: 1, strides }), `${name}_0_bn`)
      : input;
    let y = relu(bn(conv(input, { name: `${name}_1_conv`, filters, kernelSize: 1, strides }), `${name}_1_bn`), `${name}_1_relu`);
    y = relu(bn(conv(y, { name: `${name}_2_conv`, filters, kernelSize: 3, padding: 'same' }), `${name}_2_bn`), `${name}_2_relu`);
    y = bn(conv(y, { name: `${name}_3_conv`, filters: 4 * filters, kernelSize: 1 }), `${name}_3_bn`);
    const sum = applyLayer(tf.layers.add({ name: `${name}_add` }), [shortcut, y]);
    return relu(sum, `${name}_out`);
  };

  let y = applyLayer(tf.layers.zeroPadding2d({ name: 'conv1_pad', padding: [[3, 3], [3, 3]] }), x);
  y = relu(bn(conv(y, { name: 'conv1_conv', filters: 64, kernelSize: 7, strides: 2 }), 'conv1_bn'), 'conv1_relu');
  y = applyLayer(tf.layers.zeroPadding2d({ name: 'pool1_pad', padding: [[1, 1], [1, 1]] }), y);
  y = applyLayer(tf.layers.maxPooling2d({ name: 'pool1_pool', poolSize: 3, strides: 2 }), y);
  for (const [stage, filters, blocks, stride] of RESNET50_STAGES) {
    for (let block = 1; block <= blocks; block++) {
      y = bottleneck(y, `${stage}_block${block}`, filters, block === 1 ? stride : 1, block === 1);
    }
  }
  return y;
}
