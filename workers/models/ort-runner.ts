import * as ort from 'onnxruntime-web';
import type { ModelManifestEntry } from '../../src/shared/model-manifest.js';
import type { RgbImage } from '../../src/shared/pixels.js';
import { toNchwImagenet } from '../../src/shared/preprocess.js';
import type { OrtBackend } from '../../src/shared/protocol.js';
import { WorkerFailure } from '../worker-failure.js';
import type { ModelFiles } from './model-files.js';
import { requireFile } from './model-files.js';
import type { ModelRunner } from './model-runner.js';
import { blankImage, checkBatch, splitRows, warmUntilSteady } from './model-runner.js';

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

  async function predict(images: readonly RgbImage[]): Promise<Float32Array[]> {
    checkBatch(entry, images);
    const plane = channels * size * size;
    const data = new Float32Array(images.length * plane);
    images.forEach((image, i) => toNchwImagenet(image, data, i * plane));
    const input = new ort.Tensor('float32', data, [images.length, channels, size, size]);
    count(1);
    let outputs: ort.InferenceSession.OnnxValueMapType = {};
    try {
      outputs = await session.run({ [inputName]: input }, [outputName]);
      count(Object.keys(outputs).length);
      const output = outputs[outputName];
      if (!output) throw new Error(`the model produced no "${outputName}" output`);
      return splitRows((await output.getData()) as Float32Array, images.length);
    } finally {
      for (const tensor of [input, ...Object.values(outputs)]) {
        tensor.dispose();
        count(-1);
      }
    }
  }

  return {
    runtime: 'ort',
    backend,
    entry,
    warmUp: () => warmUntilSteady(() => predict([blankImage(entry)])),
    predict,
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
