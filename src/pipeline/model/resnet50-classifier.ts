import * as tf from '@tensorflow/tfjs';
import { INPUT_SIZE } from '../../shared/model-contract.js';
import { applyClassifierHead, GAP_LAYER, RESNET_HEAD_UNITS } from './classifier-head.js';
import { IMAGENET_NORMALIZATION_LAYER } from './imagenet-normalization.js';
import { applyImagenetNormalization, applyLayer, imageInput } from './layer-helpers.js';
import { applyResNet50Backbone, applyResNet50LastStage, RESNET50_CONV4_OUTPUT } from './resnet50-backbone.js';
import { SeededInitializers } from './seeded-initializers.js';

/** ResNet50's pooled feature width, the head's input. */
export const RESNET50_FEATURES = 2048;

const BACKBONE_STREAM = 0;
const HEAD_STREAM = 1;

export interface ResNet50ClassifierOptions {
  /**
   * Square input side in pixels (default 300, the product contract). The graph is fully
   * convolutional up to global average pooling, so weights trained at a lower resolution load
   * unchanged into a 300 px model.
   */
  inputSize?: number;
  /** Seed for the initial weights (default 0): same seed, bit-identical weights. */
  seed?: number;
  /** Mark every backbone layer non-trainable (see setBackboneTrainable). */
  freezeBackbone?: boolean;
}

/**
 * 0..255 RGB NHWC input → ImageNet normalisation layer → Keras ResNet50 (include_top=False) →
 * GlobalAveragePooling2D → Dense 128 → 128 → 64 → 64 (ReLU) → Dense 5 softmax.
 */
export function buildResNet50Classifier(options: ResNet50ClassifierOptions = {}): tf.LayersModel {
  const seed = options.seed ?? 0;
  const pixels = imageInput(options.inputSize ?? INPUT_SIZE);
  const features = applyResNet50Backbone(
    applyImagenetNormalization(pixels),
    new SeededInitializers(seed, BACKBONE_STREAM),
  );
  const pooled = applyLayer(tf.layers.globalAveragePooling2d({ name: GAP_LAYER }), features);
  const probabilities = applyClassifierHead(pooled, RESNET_HEAD_UNITS, new SeededInitializers(seed, HEAD_STREAM));
  const model = tf.model({ name: 'resnet50_dr_classifier', inputs: pixels, outputs: probabilities });
  if (options.freezeBackbone) setBackboneTrainable(model, false);
  return model;
}

/**
 * The head alone on a [N, 2048] feature input, with the same layer names and (for the same seed)
 * the same initial weights as inside buildResNet50Classifier, for training on extracted features.
 */
export function buildResNet50HeadModel(options: { seed?: number } = {}): tf.LayersModel {
  const features = tf.input({ shape: [RESNET50_FEATURES], name: 'pooled_features' });
  const probabilities = applyClassifierHead(
    features,
    RESNET_HEAD_UNITS,
    new SeededInitializers(options.seed ?? 0, HEAD_STREAM),
  );
  return tf.model({ name: 'resnet50_dr_head', inputs: features, outputs: probabilities });
}

/** conv4's output width, the last stage's input. */
export const RESNET50_CONV4_CHANNELS = 1024;

/**
 * The classifier from conv4's output on: the last stage, pooling and head, with the same layer
 * names and (for the same seed) the same initial head weights as buildResNet50Classifier. For
 * fine-tuning the last stage on cached conv4 feature maps; weights copy over by name.
 */
export function buildResNet50LastStageModel(options: { conv4Size: number; seed?: number }): tf.LayersModel {
  const seed = options.seed ?? 0;
  const conv4 = tf.input({
    shape: [options.conv4Size, options.conv4Size, RESNET50_CONV4_CHANNELS],
    name: 'conv4_features',
  });
  const features = applyResNet50LastStage(conv4, new SeededInitializers(seed, BACKBONE_STREAM));
  const pooled = applyLayer(tf.layers.globalAveragePooling2d({ name: GAP_LAYER }), features);
  const probabilities = applyClassifierHead(pooled, RESNET_HEAD_UNITS, new SeededInitializers(seed, HEAD_STREAM));
  return tf.model({ name: 'resnet50_dr_last_stage', inputs: conv4, outputs: probabilities });
}

/** Truncates a ResNet50 classifier at `layerName` (e.g. conv4's output or the pooled features), sharing its weights. */
export function resNet50Truncated(model: tf.LayersModel, layerName: string = RESNET50_CONV4_OUTPUT): tf.LayersModel {
  return tf.model({
    name: `${model.name}_to_${layerName}`,
    inputs: model.inputs,
    outputs: model.getLayer(layerName).output,
  });
}

/**
 * Sets `trainable` on every layer before global average pooling (the normalisation layer stays
 * frozen). Note that TF.js's
 * BatchNormalization still normalises with batch statistics (and updates its moving averages)
 * whenever it runs with training=true, e.g. inside fit(), even when non-trainable: unlike Keras,
 * freezing does not switch it to inference mode.
 */
export function setBackboneTrainable(model: tf.LayersModel, trainable: boolean): void {
  for (const layer of model.layers) {
    if (layer.name === GAP_LAYER) return;
    if (layer.name !== IMAGENET_NORMALIZATION_LAYER) layer.trainable = trainable;
  }
  throw new Error(`model has no ${GAP_LAYER} layer`);
}
