import * as tf from '@tensorflow/tfjs';
import type { ModelManifestEntry } from '../../src/shared/model-manifest.js';
import type { RgbImage } from '../../src/shared/pixels.js';
import { toNhwcFloat32 } from '../../src/shared/preprocess.js';
import { WorkerFailure } from '../worker-failure.js';
import type { ModelFiles } from './model-files.js';
import { requireFile } from './model-files.js';
import type { ModelRunner } from './model-runner.js';
import { blankImage, checkBatch, splitRows, warmUntilSteady } from './model-runner.js';

function folderOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1);
}

/** model.json plus its shards, all already verified, as the artifacts tf.io.fromMemory takes. */
function artifactsFrom(entry: ModelManifestEntry, files: ModelFiles): tf.io.ModelArtifacts {
  const json = JSON.parse(new TextDecoder().decode(requireFile(files, entry.entry))) as tf.io.ModelJSON;
  if (!json.weightsManifest) throw new WorkerFailure('model-integrity', `${entry.entry} lists no weights`);
  const folder = folderOf(entry.entry);
  const shards = json.weightsManifest.flatMap((group) => group.paths.map((path) => requireFile(files, folder + path)));
  return tf.io.getModelArtifactsForJSONSync(json, tf.io.getWeightSpecs(json.weightsManifest), shards);
}

/** Builds the TF.js (Keras lineage, NHWC 0..255) variant on TF.js's current backend. */
export async function createTfjsRunner(entry: ModelManifestEntry, files: ModelFiles): Promise<ModelRunner> {
  if (entry.variant !== 'tfjs') throw new WorkerFailure('bad-request', `${entry.entry} is not a TF.js model`);
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifactsFrom(entry, files)));
  const backend = tf.getBackend();
  const { size, channels } = entry.input;

  async function predict(images: readonly RgbImage[]): Promise<Float32Array[]> {
    checkBatch(entry, images);
    const input = new Float32Array(images.length * size * size * channels);
    images.forEach((image, i) => toNhwcFloat32(image, input, i * size * size * channels));
    const output = tf.tidy(() => model.predict(tf.tensor4d(input, [images.length, size, size, channels])) as tf.Tensor);
    try {
      return splitRows((await output.data()) as Float32Array, images.length);
    } finally {
      output.dispose();
    }
  }

  return {
    runtime: 'tfjs',
    backend,
    entry,
    warmUp: () => warmUntilSteady(() => predict([blankImage(entry)])),
    predict,
    async dispose() {
      model.dispose();
    },
  };
}
