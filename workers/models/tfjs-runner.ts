import * as tf from '@tensorflow/tfjs';
import { topGrade } from '../../src/shared/grades.js';
import type { ModelManifestEntry } from '../../src/shared/model-manifest.js';
import type { RgbImage } from '../../src/shared/pixels.js';
import { toNhwcFloat32 } from '../../src/shared/preprocess.js';
import { describeError, WorkerFailure } from '../worker-failure.js';
import type { ModelFiles } from './model-files.js';
import { requireFile } from './model-files.js';
import { heatmapOf, tfjsGradCam, type TfjsGradCam } from './grad-cam.js';
import type { ExplainedPrediction, ModelRunner } from './model-runner.js';
import { APP_WARM_UP, blankImage, checkBatch, splitRows, warmUntilSteady } from './model-runner.js';
import { timedSpan } from './start-up-timing.js';

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

/** The model's Grad-CAM; a model without the contract's head is refused (and freed). */
function gradCamOf(model: tf.LayersModel, entry: ModelManifestEntry): TfjsGradCam {
  try {
    return tfjsGradCam(model);
  } catch (error) {
    model.dispose();
    throw new WorkerFailure('model-integrity', `${entry.entry}: ${describeError(error)}`);
  }
}

/** Builds the TF.js (Keras lineage, NHWC 0..255) variant on TF.js's current backend. */
export async function createTfjsRunner(entry: ModelManifestEntry, files: ModelFiles): Promise<ModelRunner> {
  if (entry.variant !== 'tfjs') throw new WorkerFailure('bad-request', `${entry.entry} is not a TF.js model`);
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifactsFrom(entry, files)));
  const backend = tf.getBackend();
  const { size, channels } = entry.input;
  const gradCam = gradCamOf(model, entry);

  function pixels(images: readonly RgbImage[]): tf.Tensor4D {
    checkBatch(entry, images);
    const input = new Float32Array(images.length * size * size * channels);
    images.forEach((image, i) => toNhwcFloat32(image, input, i * size * size * channels));
    return tf.tensor4d(input, [images.length, size, size, channels]);
  }

  async function predict(images: readonly RgbImage[]): Promise<Float32Array[]> {
    const output = tf.tidy(() => model.predict(pixels(images)) as tf.Tensor);
    try {
      return splitRows((await output.data()) as Float32Array, images.length);
    } finally {
      output.dispose();
    }
  }

  /**
   * One run fetches the probabilities and the block's activation; the map is computed from the
   * activation once the probabilities are read, so that its time is its own.
   */
  async function explain(images: readonly RgbImage[]): Promise<ExplainedPrediction[]> {
    const [features, output] = tf.tidy(() => model.execute(pixels(images), gradCam.fetches) as [tf.Tensor4D, tf.Tensor]);
    try {
      const rows = splitRows((await output.data()) as Float32Array, images.length);
      const grades = rows.map((row) => topGrade(row));
      const started = performance.now();
      const maps = tf.tidy(() => gradCam.map(features, grades));
      const [, height, width] = maps.shape;
      let raw: Float32Array;
      try {
        raw = (await maps.data()) as Float32Array;
      } finally {
        maps.dispose();
      }
      const ms = (performance.now() - started) / images.length;
      const plane = height * width;
      return rows.map((probabilities, i) => ({
        probabilities,
        heatmap: heatmapOf(raw.subarray(i * plane, (i + 1) * plane), width, height, grades[i]!, ms),
      }));
    } finally {
      features.dispose();
      output.dispose();
    }
  }

  return {
    runtime: 'tfjs',
    backend,
    entry,
    warmUp: () => warmUntilSteady(() => timedSpan('tfjs:warm-up run', () => explain([blankImage(entry)])), APP_WARM_UP),
    predict,
    explain,
    async dispose() {
      model.dispose();
    },
  };
}
