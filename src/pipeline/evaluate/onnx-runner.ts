import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { toNchwImagenet } from '../../shared/preprocess.js';
import { readTfjsModel } from '../export/tfjs-files.js';
import { saveLayersModel } from '../export/tfjs-model-io.js';
import { exportOnnx } from '../onnx/keras-to-onnx.js';
import type { ImageSource } from '../train/examples.js';

/**
 * Runs a Keras-style model through the project's ONNX exporter and onnxruntime-node: on this
 * machine's CPU that is ~10× faster than TF.js wasm for a ResNet50 forward pass (native, multi-
 * threaded). Used for evaluation and for stage B's feature extraction; the ONNX graph comes from the
 * same weights, so the numbers are the TF.js model's up to float rounding.
 */
export async function onnxSession(
  model: tf.LayersModel,
  options: { featureMapOutput?: boolean } = {},
): Promise<ort.InferenceSession> {
  const dir = await mkdtemp(join(tmpdir(), 'fg-onnx-'));
  try {
    await saveLayersModel(model, dir, { form: 'fp32' });
    const bytes = exportOnnx(await readTfjsModel(dir), { weights: 'fp32', ...options });
    return await ort.InferenceSession.create(bytes, { intraOpNumThreads: availableParallelism() });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The model's output for every image (the ONNX variant's input: NCHW, ImageNet-normalised),
 * `batchSize` at a time: row-major [count, width].
 */
export async function runOnnx(
  session: ort.InferenceSession,
  images: ImageSource,
  batchSize: number,
  onBatch?: (done: number) => void,
): Promise<{ values: Float32Array; width: number }> {
  const input = session.inputNames[0]!;
  const output = session.outputNames[0]!;
  const plane = images.size * images.size * 3;
  let values: Float32Array | undefined;
  let width = 0;
  for (let start = 0; start < images.count; start += batchSize) {
    const n = Math.min(batchSize, images.count - start);
    const batch = new Float32Array(n * plane);
    for (let i = 0; i < n; i++) toNchwImagenet(await images.image(start + i), batch, i * plane);
    const result = await session.run({ [input]: new ort.Tensor('float32', batch, [n, 3, images.size, images.size]) });
    const out = result[output]!;
    width = out.dims[1]!;
    values ??= new Float32Array(images.count * width);
    values.set(out.data as Float32Array, start * width);
    out.dispose();
    onBatch?.(start + n);
  }
  return { values: values ?? new Float32Array(0), width };
}
