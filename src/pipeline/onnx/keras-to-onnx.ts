import { ONNX_GRAD_CAM_OUTPUT } from '../../shared/model-contract.js';
import type { WeightForm } from '../../shared/model-manifest.js';
import type { LayersModelData, NamedWeight } from '../export/tfjs-files.js';
import {
  IMAGENET_NORMALIZATION_LAYER,
  imagenetNormalizationBias,
  imagenetNormalizationKernel,
} from '../model/imagenet-normalization.js';
import {
  configNumber,
  configPair,
  configString,
  parseKerasTopology,
  type KerasGraph,
  type KerasLayer,
} from './keras-topology.js';
import { addGradCam, type GradCamDense } from './grad-cam-graph.js';
import { OnnxGraphBuilder } from './onnx-graph-builder.js';
import { DataType, encodeModel, type Dimension, type ModelProto, type ValueInfoProto } from './onnx-proto.js';

/**
 * Keras layers model (TF.js topology JSON + weights) → ONNX inference graph, as pure data.
 *
 * The ONNX variant's contract differs from the TF.js one only at the input: NCHW, normalised by the
 * caller. So the ImageNet normalisation layer is dropped, tensors are NCHW, and kernels are
 * transposed from HWIO to OIHW. BatchNormalization is folded into the preceding convolution and
 * ZeroPadding2D into the pads of the following Conv / MaxPool, which keeps the graph to the ops
 * every onnxruntime execution provider runs fast. Handles the layer types of our classifiers and
 * fails with the layer's name on anything else.
 */

export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'probabilities';
export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;

export interface KerasToOnnxOptions {
  /**
   * fp16: weights the store holds as fp16 become FLOAT16 initializers + Cast (and BatchNorm scales
   * a Mul after it), which onnxruntime folds at load into exactly the fp32 model's weights.
   */
  weights: WeightForm;
  /**
   * Allow a [batch, channels, height, width] output (an intermediate feature map, e.g. for caching
   * a frozen backbone's lower stages); default false: the output must be [batch, classes].
   */
  featureMapOutput?: boolean;
  /**
   * Also output the Grad-CAM of the top class (ONNX_GRAD_CAM_OUTPUT, [batch, height, width]; see
   * grad-cam-graph.ts), which needs global average pooling followed by Dense layers at the end.
   * Default false: the single output of the contract, for code that only wants the probabilities.
   */
  gradCam?: boolean;
}

type Pads = [top: number, left: number, bottom: number, right: number];

/** The ONNX tensor that stands for a Keras layer's output. */
interface Value {
  name: string;
  rank: 2 | 4;
  channels: number;
  /** Known ≥ 0 (a ReLU output), which makes zero padding before max pooling foldable. */
  nonNegative: boolean;
  /** Zero padding not yet applied: the consuming Conv / MaxPool takes it as pads. */
  pads?: Pads;
}

/** A Dense layer as converted, for the Grad-CAM's backward pass. */
interface ConvertedDense {
  name: string;
  input: string;
  kernel: string;
  preActivation: string;
  activation: string;
}

const NO_PADS: Pads = [0, 0, 0, 0];

export function exportOnnx(model: LayersModelData, options: KerasToOnnxOptions): Uint8Array {
  return encodeModel(kerasToOnnx(model, options));
}

export function kerasToOnnx(model: LayersModelData, options: KerasToOnnxOptions): ModelProto {
  return new Converter(model, options).convert();
}

type Handler = (c: Converter, layer: KerasLayer) => Value;

/** Layer types the exporter handles (the model's single InputLayer is handled before the walk). */
const HANDLERS: Record<string, Handler> = {
  DepthwiseConv2D: (c, layer) => c.dropNormalization(layer),
  ZeroPadding2D: (c, layer) => c.zeroPadding(layer),
  Conv2D: (c, layer) => c.conv(layer),
  BatchNormalization: (c, layer) => {
    if (!c.foldedBatchNorms.has(layer.name)) {
      throw new Error(
        `${layer.name}: BatchNormalization is supported only directly after a linear Conv2D that feeds nothing else`,
      );
    }
    return c.input(layer);
  },
  Activation: (c, layer) => c.activation(layer, c.input(layer), configString(layer, 'activation'), c.outName(layer)),
  MaxPooling2D: (c, layer) => c.maxPool(layer),
  Add: (c, layer) => c.add(layer),
  GlobalAveragePooling2D: (c, layer) => c.globalAveragePool(layer),
  Dense: (c, layer) => c.dense(layer),
};

class Converter {
  readonly builder = new OnnxGraphBuilder();
  readonly foldedBatchNorms = new Set<string>();
  readonly #graph: KerasGraph;
  readonly #layers: Map<string, KerasLayer>;
  readonly #values = new Map<string, Value>();
  readonly #weights: Map<string, NamedWeight>;
  readonly #usedWeights = new Set<string>();
  readonly #options: KerasToOnnxOptions;
  /** Converted Dense layers and pooling layers (their input's tensor), by Keras layer name. */
  readonly #dense = new Map<string, ConvertedDense>();
  readonly #pooled = new Map<string, string>();

  constructor(model: LayersModelData, options: KerasToOnnxOptions) {
    this.#graph = parseKerasTopology(model.modelTopology);
    this.#layers = new Map(this.#graph.layers.map((l) => [l.name, l]));
    this.#weights = new Map(model.weights.map((w) => [w.name, w]));
    this.#options = options;
  }

  convert(): ModelProto {
    const inputLayer = this.#layers.get(this.#graph.input);
    if (!inputLayer || inputLayer.className !== 'InputLayer')
      throw new Error(`model input ${this.#graph.input} is not an InputLayer`);
    const [, height, width, channels] = inputLayer.config['batch_input_shape'] as Array<number | null>;
    if (typeof channels !== 'number') throw new Error(`${inputLayer.name}: batch_input_shape needs a channel count`);
    this.#values.set(inputLayer.name, { name: ONNX_INPUT, rank: 4, channels, nonNegative: false });

    for (const layer of this.#graph.layers) {
      if (layer === inputLayer) continue;
      const handler = HANDLERS[layer.className];
      if (!handler)
        throw new Error(`${layer.name}: layer type ${layer.className} is not supported by the ONNX exporter`);
      if (layer.config['data_format'] !== undefined && layer.config['data_format'] !== 'channels_last') {
        throw new Error(`${layer.name}: only channels_last layers are supported`);
      }
      this.#values.set(layer.name, handler(this, layer));
    }

    const unused = [...this.#weights.keys()].filter((name) => !this.#usedWeights.has(name));
    if (unused.length > 0) throw new Error(`weights not used by any exported layer: ${unused.join(', ')}`);
    const output = this.#value(this.#graph.output);
    const featureMap = output.rank === 4 && this.#options.featureMapOutput === true;
    if ((output.rank !== 2 && !featureMap) || output.pads)
      throw new Error(`model output ${this.#graph.output} must be a [batch, classes] tensor`);
    if (output.name !== ONNX_OUTPUT) this.builder.node('Identity', ONNX_OUTPUT, [output.name], ONNX_OUTPUT);

    const dim = (size: number | null | undefined, symbol: string) =>
      typeof size === 'number' ? { dim_value: size } : { dim_param: symbol };
    const floatOutput = (name: string, dims: Dimension[]): ValueInfoProto => ({
      name,
      type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: dims } } },
    });
    const outputs = [
      floatOutput(
        ONNX_OUTPUT,
        featureMap
          ? [dim(null, 'N'), dim(output.channels, 'C'), dim(null, 'H'), dim(null, 'W')]
          : [dim(null, 'N'), dim(output.channels, 'classes')],
      ),
    ];
    if (this.#options.gradCam === true) {
      if (featureMap) throw new Error('Grad-CAM needs a classifier output, not a feature map');
      addGradCam(this.builder, { ...this.#gradCamHead(), scores: ONNX_OUTPUT });
      outputs.push(
        floatOutput(ONNX_GRAD_CAM_OUTPUT, [dim(null, 'N'), dim(null, 'grad_cam_height'), dim(null, 'grad_cam_width')]),
      );
    }
    return {
      ir_version: ONNX_IR_VERSION,
      opset_import: [{ domain: '', version: ONNX_OPSET }],
      producer_name: 'fundus-grader keras-to-onnx',
      producer_version: '1',
      graph: {
        name: this.#graph.name,
        node: this.builder.nodes,
        initializer: this.builder.initializers,
        input: [
          {
            name: ONNX_INPUT,
            type: {
              tensor_type: {
                elem_type: DataType.FLOAT,
                shape: { dim: [dim(null, 'N'), dim(channels, 'C'), dim(height, 'H'), dim(width, 'W')] },
              },
            },
          },
        ],
        output: outputs,
      },
    };
  }

  /** The Dense layers from the model's output back to a global average pooling, and the pooling's input. */
  #gradCamHead(): { features: string; dense: GradCamDense[] } {
    const dense: ConvertedDense[] = [];
    let name = this.#graph.output;
    for (let layer = this.#dense.get(name); layer; layer = this.#dense.get(name)) {
      dense.unshift(layer);
      name = layer.input;
    }
    const features = this.#pooled.get(name);
    if (dense.length === 0 || features === undefined)
      throw new Error(`Grad-CAM needs global average pooling then Dense layers before the output; ${name} is neither`);
    return {
      features,
      dense: dense.map((layer, i) => {
        // Scores are taken before the output's softmax; a hidden layer's ReLU is differentiated.
        const allowed = i === dense.length - 1 ? ['softmax', 'linear'] : ['relu', 'linear'];
        if (!allowed.includes(layer.activation))
          throw new Error(`${layer.name}: Grad-CAM does not handle a ${layer.activation} activation here`);
        const { kernel, preActivation } = layer;
        return { name: layer.name, kernel, preActivation, relu: layer.activation === 'relu' };
      }),
    };
  }

  /** The model's final tensor gets the contract's output name directly, not through an Identity. */
  outName(layer: KerasLayer): string {
    return layer.name === this.#graph.output ? ONNX_OUTPUT : layer.name;
  }

  input(layer: KerasLayer, options: { allowPads?: boolean } = {}): Value {
    if (layer.inputs.length !== 1) throw new Error(`${layer.name}: expected one input, got ${layer.inputs.length}`);
    const value = this.#value(layer.inputs[0]!);
    if (value.pads && !options.allowPads)
      throw new Error(`${layer.name}: zero padding can only feed Conv2D or MaxPooling2D`);
    return value;
  }

  #value(layerName: string): Value {
    const value = this.#values.get(layerName);
    if (!value) throw new Error(`layer ${layerName} is used before it is defined`);
    return value;
  }

  #consumers(layerName: string): KerasLayer[] {
    return this.#graph.layers.filter((l) => l.inputs.includes(layerName));
  }

  #weight(layer: KerasLayer, key: string, shape: number[]): NamedWeight {
    const name = `${layer.name}/${key}`;
    const weight = this.#weights.get(name);
    if (!weight) throw new Error(`${layer.name}: weight ${name} is missing`);
    if (weight.shape.join() !== shape.join())
      throw new Error(`${name}: expected shape [${shape.join(',')}], got [${weight.shape.join(',')}]`);
    this.#usedWeights.add(name);
    return weight;
  }

  /** Verifies the layer is the ImageNet normalisation on the model input, then passes the input through. */
  dropNormalization(layer: KerasLayer): Value {
    const x = this.input(layer);
    const pointwise =
      configString(layer, 'activation') === 'linear' && configPair(layer, 'strides').every((s) => s === 1);
    if (layer.name !== IMAGENET_NORMALIZATION_LAYER || x.name !== ONNX_INPUT || !pointwise) {
      throw new Error(
        `${layer.name}: DepthwiseConv2D is supported only as ${IMAGENET_NORMALIZATION_LAYER} on the model input`,
      );
    }
    const expected: Array<[string, number[], Float32Array]> = [
      ['depthwise_kernel', [1, 1, x.channels, 1], imagenetNormalizationKernel()],
      ['bias', [x.channels], imagenetNormalizationBias()],
    ];
    for (const [key, shape, values] of expected) {
      const actual = this.#weight(layer, key, shape).values;
      // fp32 constants match exactly; an fp16-rounded copy (≈5e-4 off) would make the variants disagree.
      if (values.some((v, i) => Math.abs(actual[i]! - v) > 1e-6 * Math.abs(v))) {
        throw new Error(
          `${layer.name}/${key} is not the ImageNet normalisation the ONNX caller applies: [${actual.join(',')}] vs [${values.join(',')}]`,
        );
      }
    }
    return x;
  }

  zeroPadding(layer: KerasLayer): Value {
    const x = this.input(layer, { allowPads: true });
    const [[top, bottom], [left, right]] = layer.config['padding'] as [[number, number], [number, number]];
    const consumers = this.#consumers(layer.name);
    if (consumers.some((l) => l.className !== 'Conv2D' && l.className !== 'MaxPooling2D')) {
      throw new Error(
        `${layer.name}: ZeroPadding2D is supported only when it feeds Conv2D / MaxPooling2D layers alone`,
      );
    }
    return { ...x, pads: addPads(x.pads ?? NO_PADS, [top, left, bottom, right]) };
  }

  conv(layer: KerasLayer): Value {
    const x = this.input(layer, { allowPads: true });
    const kernelShape = configPair(layer, 'kernel_size');
    const strides = configPair(layer, 'strides');
    const dilations = configPair(layer, 'dilation_rate');
    const filters = configNumber(layer, 'filters');
    const [kh, kw] = kernelShape;
    const kernel = this.#weight(layer, 'kernel', [kh, kw, x.channels, filters]);
    const bias =
      layer.config['use_bias'] === false ? new Float32Array(filters) : this.#weight(layer, 'bias', [filters]).values;
    const pads = addPads(x.pads ?? NO_PADS, samePadding(layer, kernelShape, strides, dilations));
    const oihw = hwioToOihw(kernel.values, [kh, kw, x.channels, filters]);
    const dims = [filters, x.channels, kh, kw];
    const asFloat16 = this.#options.weights === 'fp16' && kernel.storedAs === 'fp16';
    const activation = configString(layer, 'activation');
    const batchNorm = activation === 'linear' ? this.#soleBatchNormConsumer(layer) : undefined;

    let kernelInput: string;
    let biasValues = bias;
    let outputLayer = layer;
    if (batchNorm) {
      const { scale, shift } = this.#batchNormAffine(batchNorm, filters);
      // Fold y = γ(conv(x) + b − μ)/√(σ²+ε) + β into the conv: w' = w·s, b' = (b − μ)·s + β.
      biasValues = bias.map((b, o) => b * scale[o]! + shift[o]!);
      if (asFloat16) {
        const unscaled = this.builder.weight(`${layer.name}/kernel`, dims, oihw, true);
        const scaleInput = this.builder.float32(`${batchNorm.name}/scale`, [filters, 1, 1, 1], scale);
        kernelInput = this.builder.node(
          'Mul',
          `${batchNorm.name}/fold`,
          [unscaled, scaleInput],
          `${layer.name}/kernel_folded`,
        );
      } else {
        kernelInput = this.builder.float32(`${layer.name}/kernel`, dims, scaleRows(oihw, scale));
      }
      this.foldedBatchNorms.add(batchNorm.name);
      outputLayer = batchNorm;
    } else {
      kernelInput = this.builder.weight(`${layer.name}/kernel`, dims, oihw, asFloat16);
    }
    const biasInput = this.builder.float32(`${layer.name}/bias`, [filters], biasValues);
    const convOutput = activation === 'linear' ? this.outName(outputLayer) : `${layer.name}/linear`;
    const out = this.builder.node('Conv', layer.name, [x.name, kernelInput, biasInput], convOutput, {
      kernel_shape: { ints: kernelShape },
      strides: { ints: strides },
      dilations: { ints: dilations },
      pads: { ints: pads },
      group: { int: 1 },
    });
    return this.activation(
      layer,
      { name: out, rank: 4, channels: filters, nonNegative: false },
      activation,
      this.outName(layer),
    );
  }

  #soleBatchNormConsumer(conv: KerasLayer): KerasLayer | undefined {
    const consumers = this.#consumers(conv.name);
    return consumers.length === 1 && consumers[0]!.className === 'BatchNormalization' ? consumers[0] : undefined;
  }

  /** Inference-time BatchNorm as y = x·scale + shift (shift = β − μ·scale), rounded to float32. */
  #batchNormAffine(layer: KerasLayer, channels: number): { scale: Float32Array; shift: Float32Array } {
    const axis = configNumber(layer, 'axis');
    if (axis !== -1 && axis !== 3) throw new Error(`${layer.name}: only channel-axis BatchNormalization is supported`);
    const epsilon = configNumber(layer, 'epsilon');
    // Keras BN without scale (γ) or center (β) has no such weight: γ = 1, β = 0.
    const gamma =
      layer.config['scale'] === false
        ? new Float32Array(channels).fill(1)
        : this.#weight(layer, 'gamma', [channels]).values;
    const beta =
      layer.config['center'] === false ? new Float32Array(channels) : this.#weight(layer, 'beta', [channels]).values;
    const mean = this.#weight(layer, 'moving_mean', [channels]).values;
    const variance = this.#weight(layer, 'moving_variance', [channels]).values;
    const scale = gamma.map((g, c) => g / Math.sqrt(variance[c]! + epsilon));
    const shift = beta.map((b, c) => b - mean[c]! * scale[c]!);
    return { scale, shift };
  }

  activation(layer: KerasLayer, x: Value, activation: string, outName: string): Value {
    if (x.pads) throw new Error(`${layer.name}: zero padding can only feed Conv2D or MaxPooling2D`);
    switch (activation) {
      case 'linear':
        return x;
      case 'relu':
        return { ...x, name: this.builder.node('Relu', `${layer.name}/relu`, [x.name], outName), nonNegative: true };
      case 'softmax':
        // Keras normalises over the last axis: channels, which is axis 1 in NCHW.
        return {
          ...x,
          name: this.builder.node('Softmax', `${layer.name}/softmax`, [x.name], outName, {
            axis: { int: x.rank === 4 ? 1 : -1 },
          }),
          nonNegative: true,
        };
      default:
        throw new Error(`${layer.name}: activation ${activation} is not supported by the ONNX exporter`);
    }
  }

  maxPool(layer: KerasLayer): Value {
    const x = this.input(layer, { allowPads: true });
    // Zero padding then max pooling equals onnxruntime's pads (which never win the max) only when
    // every value is ≥ 0, as after a ReLU: each window still holds a real value ≥ the padded zeros.
    if (x.pads && !x.nonNegative)
      throw new Error(`${layer.name}: zero padding before max pooling folds only after a ReLU`);
    const kernelShape = configPair(layer, 'pool_size');
    const strides = layer.config['strides'] == null ? kernelShape : configPair(layer, 'strides');
    const pads = addPads(x.pads ?? NO_PADS, samePadding(layer, kernelShape, strides, [1, 1]));
    const name = this.builder.node('MaxPool', layer.name, [x.name], this.outName(layer), {
      kernel_shape: { ints: kernelShape },
      strides: { ints: strides },
      pads: { ints: pads },
    });
    return { name, rank: 4, channels: x.channels, nonNegative: x.nonNegative };
  }

  add(layer: KerasLayer): Value {
    const inputs = layer.inputs.map((name) => this.#value(name));
    const [first] = inputs;
    if (!first || inputs.some((v) => v.pads || v.rank !== first.rank || v.channels !== first.channels)) {
      throw new Error(`${layer.name}: Add needs unpadded inputs of one shape`);
    }
    const name = this.builder.node(
      inputs.length === 2 ? 'Add' : 'Sum',
      layer.name,
      inputs.map((v) => v.name),
      this.outName(layer),
    );
    return { name, rank: first.rank, channels: first.channels, nonNegative: inputs.every((v) => v.nonNegative) };
  }

  globalAveragePool(layer: KerasLayer): Value {
    const x = this.input(layer);
    if (x.rank !== 4 || layer.config['keepdims'] === true)
      throw new Error(`${layer.name}: expected a 4-D input pooled to [batch, channels]`);
    const pooled = this.builder.node('GlobalAveragePool', layer.name, [x.name], `${layer.name}/nchw11`);
    const name = this.builder.node('Flatten', `${layer.name}/flatten`, [pooled], this.outName(layer), {
      axis: { int: 1 },
    });
    this.#pooled.set(layer.name, x.name);
    return { name, rank: 2, channels: x.channels, nonNegative: x.nonNegative };
  }

  dense(layer: KerasLayer): Value {
    const x = this.input(layer);
    if (x.rank !== 2) throw new Error(`${layer.name}: Dense on a ${x.rank}-D tensor is not supported (pool first)`);
    const units = configNumber(layer, 'units');
    const kernel = this.#weight(layer, 'kernel', [x.channels, units]);
    const bias =
      layer.config['use_bias'] === false ? new Float32Array(units) : this.#weight(layer, 'bias', [units]).values;
    const asFloat16 = this.#options.weights === 'fp16' && kernel.storedAs === 'fp16';
    // Keras's [in, out] kernel is Gemm's B as is (transB = 0).
    const kernelInput = this.builder.weight(`${layer.name}/kernel`, [x.channels, units], kernel.values, asFloat16);
    const biasInput = this.builder.float32(`${layer.name}/bias`, [units], bias);
    const activation = configString(layer, 'activation');
    const gemmOutput = activation === 'linear' ? this.outName(layer) : `${layer.name}/linear`;
    const out = this.builder.node('Gemm', layer.name, [x.name, kernelInput, biasInput], gemmOutput);
    this.#dense.set(layer.name, {
      name: layer.name,
      input: layer.inputs[0]!,
      kernel: kernelInput,
      preActivation: out,
      activation,
    });
    return this.activation(
      layer,
      { name: out, rank: 2, channels: units, nonNegative: false },
      activation,
      this.outName(layer),
    );
  }
}

function addPads(a: Pads, b: Pads): Pads {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]];
}

/**
 * Explicit pads for Keras 'same' padding. With stride 1 they do not depend on the input size
 * (TF puts the odd pixel at the bottom/right); strided 'same' layers are not used by our models.
 */
function samePadding(
  layer: KerasLayer,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number],
): Pads {
  const padding = configString(layer, 'padding');
  if (padding === 'valid') return NO_PADS;
  if (padding !== 'same' || strides[0] !== 1 || strides[1] !== 1) {
    throw new Error(
      `${layer.name}: padding '${padding}' with strides ${strides.join(',')} is not supported (use 'valid', or 'same' with stride 1)`,
    );
  }
  const total = kernel.map((k, i) => (k - 1) * dilations[i]!);
  const [th, tw] = total as [number, number];
  return [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
}

function hwioToOihw(values: Float32Array, [kh, kw, ci, co]: [number, number, number, number]): Float32Array {
  const out = new Float32Array(values.length);
  let src = 0;
  for (let h = 0; h < kh; h++) {
    for (let w = 0; w < kw; w++) {
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + h) * kw + w] = values[src++]!;
      }
    }
  }
  return out;
}

/** Multiplies each output channel's weights by its scale, rounding like a float32 Mul. */
function scaleRows(oihw: Float32Array, scale: Float32Array): Float32Array {
  const out = new Float32Array(oihw.length);
  const rowLength = oihw.length / scale.length;
  for (let o = 0, i = 0; o < scale.length; o++) {
    for (const end = i + rowLength; i < end; i++) out[i] = oihw[i]! * scale[o]!;
  }
  return out;
}
