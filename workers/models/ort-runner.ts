import * as ort from 'onnxruntime-web';
import { topGrade } from '../../src/shared/grades.js';
import { ONNX_GRAD_CAM_OUTPUT } from '../../src/shared/model-contract.js';
import type { ModelManifestEntry } from '../../src/shared/model-manifest.js';
import type { RgbImage } from '../../src/shared/pixels.js';
import { toNchwImagenet } from '../../src/shared/preprocess.js';
import type { OrtBackend } from '../../src/shared/protocol.js';
import { WorkerFailure } from '../worker-failure.js';
import type { ModelFiles } from './model-files.js';
import { requireFile } from './model-files.js';
import { heatmapOf } from './grad-cam.js';
import type { ExplainedPrediction, ModelRunner } from './model-runner.js';
import { APP_WARM_UP, blankImage, checkBatch, splitRows, warmUntilSteady } from './model-runner.js';
import { timedSpan } from './start-up-timing.js';

/** ORT tensors and sessions are freed by hand; these counts let a test prove that nothing leaks. */
const live = { sessions: 0, tensors: 0 };

export function ortLiveObjects(): { sessions: number; tensors: number } {
  return { ...live };
}

/** Builds the ONNX (PyTorch lineage, NCHW ImageNet-normalised) variant on one execution provider. */
export async function createOrtRunner(entry: ModelManifestEntry, files: ModelFiles, backend: OrtBackend): Promise<ModelRunner> {
  if (entry.variant !== 'onnx') throw new WorkerFailure('bad-request', `${entry.entry} is not an ONNX model`);
  // Graph optimisation stays at its default: it folds the fp16 form's Cast nodes into the weights.
  const session = await ort.InferenceSession.create(new Uint8Array(requireFile(files, entry.entry)), { executionProviders: [backend] });
  live.sessions++;
  if (!session.outputNames.includes(ONNX_GRAD_CAM_OUTPUT)) {
    live.sessions--;
    await session.release();
    throw new WorkerFailure('model-integrity', `${entry.entry} has no ${ONNX_GRAD_CAM_OUTPUT} output (the heatmap)`);
  }
  const inputName = entry.input.name ?? session.inputNames[0]!;
  const outputName = entry.output.name ?? session.outputNames[0]!;
  const { size, channels } = entry.input;
  let released = false;
  /** Tensors of this runner's runs not yet freed: a run abandoned on a lost GPU device never frees its own. */
  let outstanding = 0;

  function count(tensors: number): void {
    outstanding += tensors;
    live.tensors += tensors;
  }

  /** One run of the session, fetching `names`; every tensor is freed once `read` has settled. */
  async function run<T>(
    images: readonly RgbImage[],
    names: string[],
    read: (outputs: Record<string, ort.Tensor>) => Promise<T>,
  ): Promise<T> {
    checkBatch(entry, images);
    const plane = channels * size * size;
    const data = new Float32Array(images.length * plane);
    images.forEach((image, i) => toNchwImagenet(image, data, i * plane));
    const input = new ort.Tensor('float32', data, [images.length, channels, size, size]);
    count(1);
    let outputs: ort.InferenceSession.OnnxValueMapType = {};
    try {
      outputs = await session.run({ [inputName]: input }, names);
      count(Object.keys(outputs).length);
      const missing = names.find((name) => !outputs[name]);
      if (missing) throw new Error(`the model produced no "${missing}" output`);
      return await read(outputs);
    } finally {
      for (const tensor of [input, ...Object.values(outputs)]) {
        tensor.dispose();
        count(-1);
      }
    }
  }

  const probabilitiesOf = async (outputs: Record<string, ort.Tensor>, rows: number) =>
    splitRows((await outputs[outputName]!.getData()) as Float32Array, rows);

  function predict(images: readonly RgbImage[]): Promise<Float32Array[]> {
    return run(images, [outputName], (outputs) => probabilitiesOf(outputs, images.length));
  }

  /**
   * The graph computes the map of its top class (the first of equal maxima, as topGrade) in the same
   * run; `ms` counts what is done with it here (reading it out, scaling), not its nodes inside the run.
   */
  function explain(images: readonly RgbImage[]): Promise<ExplainedPrediction[]> {
    return run(images, [outputName, ONNX_GRAD_CAM_OUTPUT], async (outputs) => {
      const rows = await probabilitiesOf(outputs, images.length);
      const started = performance.now();
      const cam = outputs[ONNX_GRAD_CAM_OUTPUT]!;
      const [, height, width] = cam.dims as [number, number, number];
      const raw = (await cam.getData()) as Float32Array;
      const plane = height * width;
      const maps = rows.map((row, i) => heatmapOf(raw.subarray(i * plane, (i + 1) * plane), width, height, topGrade(row), 0));
      const ms = (performance.now() - started) / images.length;
      return rows.map((probabilities, i) => ({ probabilities, heatmap: { ...maps[i]!, ms } }));
    });
  }

  return {
    runtime: 'ort',
    backend,
    entry,
    warmUp: () => warmUntilSteady(() => timedSpan('ort:warm-up run', () => explain([blankImage(entry)])), APP_WARM_UP),
    predict,
    explain,
    async dispose() {
      if (released) return;
      released = true;
      live.sessions--;
      // Once the session is gone, tensors of a run that never settled are unreachable garbage.
      live.tensors -= outstanding;
      outstanding = 0;
      await session.release();
    },
  };
}
