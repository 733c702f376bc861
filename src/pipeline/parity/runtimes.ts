import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { runOnnx } from '../evaluate/onnx-runner.js';
import { predictProbabilities } from '../evaluate/predict.js';
import { loadLayersModelFromDir } from '../export/tfjs-model-io.js';
import { initTrainingBackend } from '../train/backend.js';
import { imageExamples, type ImageSource } from '../train/examples.js';

/**
 * The two runtimes the app's variants stand for, in Node: the TF.js variant on stock
 * tfjs-backend-wasm (none of the training kernels, which replace Sum/Mean/Identity) and the ONNX
 * variant on onnxruntime-node. Both return row-major [N, classes] probabilities.
 */

export interface RuntimeInfo {
  tfjsBackend: string;
  tfjsWasmThreads: number;
  tfjsWasmSimd: boolean;
  ortIntraOpThreads: number;
}

export async function startTfjsWasm(): Promise<void> {
  await initTrainingBackend('wasm', { trainingKernels: false });
}

export function runtimeInfo(ortThreads: number): RuntimeInfo {
  return {
    tfjsBackend: tf.getBackend(),
    tfjsWasmThreads: getThreadsCount(),
    tfjsWasmSimd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    ortIntraOpThreads: ortThreads,
  };
}

export const DEFAULT_ORT_THREADS = availableParallelism();

/** Probabilities, and the seconds spent loading the model before the first image. */
export interface Prediction {
  values: Float32Array;
  loadSeconds: number;
}

const since = (start: number) => (performance.now() - start) / 1000;

/** TF.js layers model folder → probabilities; input NHWC float32 0..255 (normalised in-graph). */
export async function predictTfjs(
  modelDir: string,
  images: ImageSource,
  batch: number,
  onBatch?: (done: number) => void,
): Promise<Prediction> {
  const start = performance.now();
  const model = await loadLayersModelFromDir(modelDir);
  const loadSeconds = since(start);
  try {
    return {
      values: await predictProbabilities(model, imageExamples(images, images.size), batch, onBatch),
      loadSeconds,
    };
  } finally {
    model.dispose();
  }
}

/** ONNX model bytes → probabilities; input NCHW ImageNet-normalised, as the worker feeds it. */
export async function predictOnnx(
  model: Uint8Array,
  images: ImageSource,
  batch: number,
  threads: number,
  onBatch?: (done: number) => void,
): Promise<Prediction> {
  const start = performance.now();
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: threads });
  const loadSeconds = since(start);
  try {
    return { values: (await runOnnx(session, images, batch, onBatch)).values, loadSeconds };
  } finally {
    await session.release();
  }
}
