import * as tf from '@tensorflow/tfjs';
import { OUTPUT_LAYER } from './classifier-head.js';

/**
 * Adds `offsets` to the bias of the softmax layer, so the model outputs softmax(z + offsets): how a
 * prior-shift correction becomes part of the weights, and so of both exported variants alike.
 */
export function shiftOutputBias(model: tf.LayersModel, offsets: readonly number[]): void {
  const layer = model.getLayer(OUTPUT_LAYER);
  const [kernel, bias] = layer.getWeights();
  if (!kernel || !bias || bias.shape.length !== 1 || bias.shape[0] !== offsets.length) {
    throw new Error(`layer ${OUTPUT_LAYER} has no bias of ${offsets.length} units to shift`);
  }
  const shifted = tf.tidy(() => tf.add(bias, tf.tensor1d([...offsets])));
  layer.setWeights([kernel, shifted]);
  shifted.dispose();
}
