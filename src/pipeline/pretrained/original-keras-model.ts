import * as tf from '@tensorflow/tfjs';
import type { TfjsModelFiles } from '../export/tfjs-files.js';
import { CAFFE_BGR_MEAN } from '../model/keras-imagenet-resnet50.js';

/**
 * The ImageNet package's own model as its authors run it, for checking the conversion: its
 * topology with the input size changed (the graph is convolutional up to global pooling) and its
 * output taken at the pooled features instead of fc1000.
 */

interface KerasLayerJson {
  class_name: string;
  config: { name: string; batch_input_shape?: Array<number | null> };
}

export const ORIGINAL_POOL_LAYER = 'avg_pool';

export async function loadOriginalPooledModel(files: TfjsModelFiles, inputSize: number): Promise<tf.LayersModel> {
  const json = structuredClone(files.json) as unknown as tf.io.ModelJSON;
  const topology = json.modelTopology as {
    model_config?: { config: { layers: KerasLayerJson[] } };
    config?: { layers: KerasLayerJson[] };
  };
  const layers = (topology.model_config ?? topology).config!.layers;
  const input = layers.find((l) => l.class_name === 'InputLayer');
  if (!input?.config.batch_input_shape)
    throw new Error('the ImageNet model has no InputLayer with a batch_input_shape');
  input.config.batch_input_shape = [null, inputSize, inputSize, 3];
  const weightData = new Uint8Array(files.weightBytes).buffer;
  const full = await tf.loadLayersModel({
    load: () => tf.io.getModelArtifactsForJSON(json, async (manifest) => [tf.io.getWeightSpecs(manifest), weightData]),
  });
  return tf.model({ inputs: full.inputs, outputs: full.getLayer(ORIGINAL_POOL_LAYER).output });
}

/** The package's preprocessing ("caffe"): RGB 0..255 NHWC → BGR minus the per-channel mean. */
export function caffePreprocess(rgb: tf.Tensor4D, mean: readonly number[] = CAFFE_BGR_MEAN): tf.Tensor4D {
  return tf.tidy(() => tf.sub<tf.Tensor4D>(tf.reverse(rgb, -1), tf.tensor1d([...mean])));
}
