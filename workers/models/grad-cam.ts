/**
 * Grad-CAM for the grade a variant gave: where in the photo the last convolutional block saw what
 * raised that grade's score. The head is global average pooling then Dense layers, so the channel
 * weights α (the gradient of the grade's score before softmax at the pooled features) have a closed
 * form: the score's column of the last kernel, taken back through each hidden layer's ReLU mask and
 * transposed kernel. The map is ReLU(Σ_k α_k·A_k) over the block's activation A. The ONNX variant
 * computes the same inside its graph (src/pipeline/onnx/grad-cam-graph.ts); the TF.js one here.
 */
import * as tf from '@tensorflow/tfjs';
import type { Grade } from '../../src/shared/grades.js';
import type { Heatmap } from '../../src/shared/protocol.js';

/** A map as the protocol carries it: ReLU, then scaled to 0–1 by its maximum (all 0 when none is positive). */
export function heatmapOf(raw: ArrayLike<number>, width: number, height: number, grade: Grade, ms: number): Heatmap {
  if (raw.length !== width * height) throw new RangeError(`a ${width}×${height} map needs ${width * height} values, got ${raw.length}`);
  let max = 0;
  for (let i = 0; i < raw.length; i++) max = Math.max(max, raw[i]!);
  const values = Array.from(raw, (v) => (max > 0 && v > 0 ? v / max : 0));
  return { grade, width, height, values, ms };
}

interface HeadLayer {
  layer: tf.layers.Layer;
  relu: boolean;
}

export interface TfjsGradCam {
  /** What LayersModel.execute fetches in one run: the block's activation A (NHWC), then the model's output. */
  readonly fetches: [features: string, output: string];
  /** ReLU(Σ_k α_k·A_k) of each image's class, [N, H, W], unscaled. Makes tensors: call it inside tf.tidy. */
  map(features: tf.Tensor4D, classes: readonly number[]): tf.Tensor3D;
}

function activationOf(layer: tf.layers.Layer): string {
  const activation = layer.getConfig()['activation'];
  return typeof activation === 'string' ? activation : 'linear';
}

function producer(layer: tf.layers.Layer): tf.layers.Layer {
  const input = layer.input;
  if (Array.isArray(input)) throw new Error(`${layer.name}: Grad-CAM needs a head of single-input layers`);
  return input.sourceLayer;
}

/** Reads the model's head: global average pooling, then Dense layers up to the output. */
export function tfjsGradCam(model: tf.LayersModel): TfjsGradCam {
  if (model.outputs.length !== 1) throw new Error('Grad-CAM needs a model with one output');
  const output = model.outputs[0]!;
  const head: HeadLayer[] = [];
  let layer = output.sourceLayer;
  while (layer.getClassName() === 'Dense') {
    head.unshift({ layer, relu: activationOf(layer) === 'relu' });
    layer = producer(layer);
  }
  if (head.length === 0 || layer.getClassName() !== 'GlobalAveragePooling2D')
    throw new Error(`Grad-CAM needs global average pooling then Dense layers before the output; ${layer.name} is neither`);
  head.forEach(({ layer: dense }, i) => {
    // Scores are taken before the output's softmax; a hidden layer's ReLU is differentiated.
    const allowed = i === head.length - 1 ? ['softmax', 'linear'] : ['relu', 'linear'];
    if (!allowed.includes(activationOf(dense)))
      throw new Error(`${dense.name}: Grad-CAM does not handle a ${activationOf(dense)} activation here`);
  });
  const features = layer.input as tf.SymbolicTensor;

  return {
    fetches: [features.name, output.name],
    map(activation, classes) {
      const [batch, height, width, channels] = activation.shape;
      // The layers' own variables (read, not copied): nothing here to dispose but what the math makes.
      const weights = head.map(({ layer: dense }) => dense.getWeights() as [tf.Tensor2D, tf.Tensor1D?]);
      // Forward through the hidden layers for their pre-activations (the ReLU masks).
      const preActivations: tf.Tensor2D[] = [];
      let x: tf.Tensor2D = tf.mean(activation, [1, 2]);
      for (let i = 0; i < head.length - 1; i++) {
        const [kernel, bias] = weights[i]!;
        const z: tf.Tensor2D = bias ? tf.add(tf.matMul(x, kernel), bias) : tf.matMul(x, kernel);
        preActivations.push(z);
        x = head[i]!.relu ? tf.relu(z) : z;
      }
      // Backward from each image's class score to the pooled features.
      const classCount = weights[head.length - 1]![0].shape[1];
      // The one-hot built here: tfjs-backend-wasm's OneHot writes int32 bits whatever dtype is asked for.
      const chosen = new Float32Array(batch * classCount);
      classes.forEach((c, n) => (chosen[n * classCount + c] = 1));
      let gradient = tf.tensor2d(chosen, [batch, classCount]);
      for (let i = head.length - 1; i >= 0; i--) {
        if (head[i]!.relu) gradient = tf.mul(gradient, tf.step(preActivations[i]!));
        gradient = tf.matMul(gradient, weights[i]![0], false, true);
      }
      const weighted = tf.matMul(
        tf.reshape(activation, [batch, height * width, channels]),
        tf.reshape(gradient, [batch, channels, 1]),
      );
      return tf.reshape(tf.relu(weighted), [batch, height, width]);
    },
  };
}
