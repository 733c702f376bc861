import * as tf from '@tensorflow/tfjs';
import { applyLayer } from './layer-helpers.js';
import type { SeededInitializers } from './seeded-initializers.js';

/** Keras ResNet50 (v1) uses this BatchNormalization epsilon, not the 1e-3 default. */
export const RESNET_BN_EPSILON = 1.001e-5;

/** The output of conv4 (the third stage), the input of the last stage. */
export const RESNET50_CONV4_OUTPUT = 'conv4_block6_out';

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

/** Keras's conv, BatchNorm and ReLU layers and its v1 bottleneck, with Keras's layer names. */
function resNetLayers(init: SeededInitializers) {
  const conv = (input: tf.SymbolicTensor, { name, filters, kernelSize, strides = 1, padding = 'valid' }: ConvBnArgs) =>
    applyLayer(
      tf.layers.conv2d({
        name,
        filters,
        kernelSize,
        strides,
        padding,
        useBias: true,
        kernelInitializer: init.glorotUniform(),
      }),
      input,
    );
  const bn = (input: tf.SymbolicTensor, name: string) =>
    applyLayer(tf.layers.batchNormalization({ name, axis: -1, epsilon: RESNET_BN_EPSILON }), input);
  const relu = (input: tf.SymbolicTensor, name: string) =>
    applyLayer(tf.layers.activation({ name, activation: 'relu' }), input);

  // Keras ResNet v1 bottleneck ("block1"): the stride sits on the first 1×1 conv, and the first block
  // of a stage projects the shortcut with a strided 1×1 conv.
  const bottleneck = (
    input: tf.SymbolicTensor,
    name: string,
    filters: number,
    strides: number,
    projectShortcut: boolean,
  ) => {
    const shortcut = projectShortcut
      ? bn(conv(input, { name: `${name}_0_conv`, filters: 4 * filters, kernelSize: 1, strides }), `${name}_0_bn`)
      : input;
    let y = relu(
      bn(conv(input, { name: `${name}_1_conv`, filters, kernelSize: 1, strides }), `${name}_1_bn`),
      `${name}_1_relu`,
    );
    y = relu(
      bn(conv(y, { name: `${name}_2_conv`, filters, kernelSize: 3, padding: 'same' }), `${name}_2_bn`),
      `${name}_2_relu`,
    );
    y = bn(conv(y, { name: `${name}_3_conv`, filters: 4 * filters, kernelSize: 1 }), `${name}_3_bn`);
    const sum = applyLayer(tf.layers.add({ name: `${name}_add` }), [shortcut, y]);
    return relu(sum, `${name}_out`);
  };
  const stage = (
    input: tf.SymbolicTensor,
    [name, filters, blocks, stride]: readonly [string, number, number, number],
  ) => {
    let y = input;
    for (let block = 1; block <= blocks; block++)
      y = bottleneck(y, `${name}_block${block}`, filters, block === 1 ? stride : 1, block === 1);
    return y;
  };
  return { conv, bn, relu, stage };
}

/**
 * keras.applications.ResNet50(include_top=False) layer for layer, with Keras's layer names so
 * Keras-trained weights map by name. Input: the normalised NHWC image tensor.
 */
export function applyResNet50Backbone(x: tf.SymbolicTensor, init: SeededInitializers): tf.SymbolicTensor {
  const { conv, bn, relu, stage } = resNetLayers(init);
  let y = applyLayer(
    tf.layers.zeroPadding2d({
      name: 'conv1_pad',
      padding: [
        [3, 3],
        [3, 3],
      ],
    }),
    x,
  );
  y = relu(bn(conv(y, { name: 'conv1_conv', filters: 64, kernelSize: 7, strides: 2 }), 'conv1_bn'), 'conv1_relu');
  y = applyLayer(
    tf.layers.zeroPadding2d({
      name: 'pool1_pad',
      padding: [
        [1, 1],
        [1, 1],
      ],
    }),
    y,
  );
  y = applyLayer(tf.layers.maxPooling2d({ name: 'pool1_pool', poolSize: 3, strides: 2 }), y);
  for (const s of RESNET50_STAGES) y = stage(y, s);
  return y;
}

/** The last stage (conv5, three bottlenecks) alone, on conv4's output, with the same layer names. */
export function applyResNet50LastStage(conv4Output: tf.SymbolicTensor, init: SeededInitializers): tf.SymbolicTensor {
  return resNetLayers(init).stage(conv4Output, RESNET50_STAGES[RESNET50_STAGES.length - 1]!);
}
