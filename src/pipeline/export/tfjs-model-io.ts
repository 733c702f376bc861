import * as tf from '@tensorflow/tfjs';
import { readTfjsModelFiles, writeTfjsModel, type NamedWeight, type WriteTfjsOptions } from './tfjs-files.js';

/**
 * Saving and loading LayersModels through files without tfjs-node (which cannot be installed
 * here): save captures the artifacts with tf.io.withSaveHandler and writes them with tfjs-files;
 * load hands tf.loadLayersModel the files through an in-memory IOHandler.
 */

export async function saveLayersModel(
  model: tf.LayersModel,
  dir: string,
  options: WriteTfjsOptions,
): Promise<string[]> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured?.modelTopology || !captured.weightSpecs || captured.weightData === undefined) {
    throw new Error(`saving ${model.name} produced no topology or weights`);
  }
  const data = tf.io.concatenateArrayBuffers(captured.weightData);
  let offset = 0;
  const weights: NamedWeight[] = captured.weightSpecs.map((spec) => {
    if (spec.dtype !== 'float32')
      throw new Error(`weight ${spec.name} is ${spec.dtype}; only float32 weights are supported`);
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(data.slice(offset, offset + 4 * count));
    offset += 4 * count;
    return { name: spec.name, shape: spec.shape, values, storedAs: 'fp32' };
  });
  return writeTfjsModel(
    dir,
    { modelTopology: captured.modelTopology, generatedBy: captured.generatedBy ?? 'TensorFlow.js', weights },
    options,
  );
}

export async function loadLayersModelFromDir(dir: string): Promise<tf.LayersModel> {
  const { json, weightBytes } = await readTfjsModelFiles(dir);
  const weightData = new Uint8Array(weightBytes).buffer;
  const handler: tf.io.IOHandler = {
    load: () =>
      tf.io.getModelArtifactsForJSON(json as unknown as tf.io.ModelJSON, async (manifest) => [
        tf.io.getWeightSpecs(manifest),
        weightData,
      ]),
  };
  return tf.loadLayersModel(handler);
}
