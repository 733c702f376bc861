import * as tf from '@tensorflow/tfjs';

/** Prefix of the head's variable keys; no layer of the classifier has this name. */
export const AUXILIARY_HEAD = 'auxiliary_head';

/** One forward pass: the classifier's probabilities and the auxiliary head's predictions. */
export interface AuxiliaryOutputs {
  probabilities: tf.Tensor2D;
  predictions: tf.Tensor2D;
}

/**
 * A linear head (a Dense layer without activation, its output scaled by 1/√features) on an inner
 * layer's output, the pooled backbone features, trained beside the classifier and never part of it. The classifier's graph is read
 * through a second model over the same layers with two outputs, which adds nothing to the
 * classifier's topology, and the head keeps its own variables, so the classifier that is exported
 * is exactly the product architecture.
 */
export class AuxiliaryHead {
  readonly width: number;
  /** By key (`auxiliary_head/kernel`, `…/bias`), to train and checkpoint beside the model's weights. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** Shares the classifier's layers: never dispose it (that would dispose their weights). */
  readonly #twoOutputs: tf.LayersModel;
  readonly #kernel: tf.Variable;
  readonly #bias: tf.Variable;
  readonly #outputScale: number;

  constructor(model: tf.LayersModel, featureLayer: string, width: number) {
    const features = model.getLayer(featureLayer).output;
    const featureWidth = Array.isArray(features) || features.shape.length !== 2 ? null : features.shape[1];
    if (Array.isArray(features) || typeof featureWidth !== 'number') {
      throw new Error(`layer ${featureLayer} of ${model.name} does not output [batch, features]`);
    }
    if (model.outputs.length !== 1)
      throw new Error(
        `${model.name} has ${model.outputs.length} outputs; the auxiliary head expects one (the class probabilities)`,
      );
    if (model.weights.some((w) => w.originalName.startsWith(`${AUXILIARY_HEAD}/`)))
      throw new Error(`${model.name} already has weights named ${AUXILIARY_HEAD}/…`);
    this.width = width;
    this.#twoOutputs = tf.model({ inputs: model.inputs, outputs: [model.outputs[0]!, features] });
    // Adam moves every kernel entry by about the learning rate per step whatever the gradient's
    // size, so an unscaled head over ResNet50's 2,048 pooled features (mean |f| ≈ 1 at init) would
    // shift its predictions by ~lr · Σ|f| ≈ 2 standard deviations per step and oscillate (measured:
    // the squared error rose from 1 to 3 in the first steps). Scaling the output by 1/√features
    // keeps a step near lr · √features · |f| ≈ 0.05, the readout scaling of width-independent
    // training. Zeros: the head starts by predicting every target's training mean (the targets
    // are standardised), and its first step sends no gradient into the backbone.
    this.#outputScale = 1 / Math.sqrt(featureWidth);
    [this.#kernel, this.#bias] = tf.tidy(() => [
      tf.variable(tf.zeros([featureWidth, width])),
      tf.variable(tf.zeros([width])),
    ]);
    this.variables = new Map([
      [`${AUXILIARY_HEAD}/kernel`, this.#kernel],
      [`${AUXILIARY_HEAD}/bias`, this.#bias],
    ]);
  }

  /** Training (`training` true: BatchNorm on batch statistics) or inference forward pass. */
  apply(x: tf.Tensor, training: boolean): AuxiliaryOutputs {
    const [probabilities, features] = this.#twoOutputs.apply(x, { training }) as [tf.Tensor2D, tf.Tensor2D];
    return { probabilities, predictions: this.#predict(features) };
  }

  /** Inference, as LayersModel.predict runs it. */
  predict(x: tf.Tensor): AuxiliaryOutputs {
    return tf.tidy(() => {
      const [probabilities, features] = this.#twoOutputs.predict(x) as [tf.Tensor2D, tf.Tensor2D];
      return { probabilities, predictions: this.#predict(features) };
    });
  }

  dispose(): void {
    tf.dispose([this.#kernel, this.#bias]);
  }

  #predict(features: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.mul(tf.matMul(features, this.#kernel), this.#outputScale), this.#bias));
  }
}
