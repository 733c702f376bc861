/**
 * The native reference: the same ONNX file as the browser runs, on onnxruntime-node's CPU execution
 * provider in this process, with the same fixed inputs, batch sizes and run counts. It says how far
 * the browser is from what this machine can do natively.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { BenchConfig, BenchOptions, ConfigResult, MemorySnapshot } from '../shared/bench/bench-types.js';
import { emptyConfigResult } from '../shared/bench/config-result.js';
import { FIXED_INPUT_COUNT, syntheticFundus } from '../shared/bench/synthetic-fundus.js';
import { runTimedBatch, type Predictor } from '../shared/bench/timed-batch.js';
import type { ModelManifestEntry } from '../shared/model-manifest.js';
import type { RgbImage } from '../shared/pixels.js';
import { toNchwImagenet } from '../shared/preprocess.js';

/** onnxruntime-node has no live-object counts or heap view to snapshot; the browser's leak check is the one that matters. */
const NOTHING_MEASURED: MemorySnapshot = { uaBytes: null, tensors: null, gpuBytes: null, wasmHeapBytes: null };

function sessionOptions(config: BenchConfig, options: BenchOptions): ort.InferenceSession.SessionOptions {
  // preferredOutputLocation is a WebGPU option; the CPU provider has nowhere else to put outputs.
  const { preferredOutputLocation: _gpuOnly, ...tuning } = options.ortSessionOptions;
  // 0 lets onnxruntime pick (one thread per physical core).
  return { ...tuning, intraOpNumThreads: typeof config.threads === 'number' ? config.threads : 0 };
}

function nativePredictor(session: ort.InferenceSession, entry: ModelManifestEntry): Predictor {
  const input = entry.input.name ?? session.inputNames[0]!;
  const output = entry.output.name ?? session.outputNames[0]!;
  const { size, channels } = entry.input;
  const plane = channels * size * size;
  return {
    async predict(images: readonly RgbImage[]) {
      const data = new Float32Array(images.length * plane);
      images.forEach((image, i) => toNchwImagenet(image, data, i * plane));
      const tensor = new ort.Tensor('float32', data, [images.length, channels, size, size]);
      const outputs = await session.run({ [input]: tensor }, [output]);
      try {
        const values = outputs[output]!.data as Float32Array;
        const width = values.length / images.length;
        return images.map((_, i) => values.slice(i * width, (i + 1) * width));
      } finally {
        tensor.dispose();
        for (const value of Object.values(outputs)) value.dispose();
      }
    },
  };
}

/** Reads the model from the served models folder and checks it against the manifest, as the browser does. */
async function readVerified(modelsDir: string, entry: ModelManifestEntry): Promise<Uint8Array> {
  const file = entry.files.find((f) => f.path === entry.entry);
  const bytes = await readFile(join(modelsDir, entry.entry));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (!file || sha256 !== file.sha256) throw new Error(`${entry.entry} does not match its sha256 in the manifest`);
  return bytes;
}

export async function runNativeConfig(
  config: BenchConfig,
  entry: ModelManifestEntry,
  modelsDir: string,
  options: BenchOptions,
  progress: (text: string) => void,
): Promise<ConfigResult> {
  const result = emptyConfigResult(config, `${entry.id}/${entry.version}`, options);
  result.runtimeVersion = ort.env.versions.node ?? null;
  let session: ort.InferenceSession | null = null;
  try {
    let started = performance.now();
    const bytes = await readVerified(modelsDir, entry);
    result.fetchMs = performance.now() - started;
    result.fetchBytes = bytes.length;
    started = performance.now();
    session = await ort.InferenceSession.create(bytes, sessionOptions(config, options));
    result.initMs = performance.now() - started;
    result.actualThreads = typeof config.threads === 'number' ? config.threads : null;
    result.memory.beforeLoad = NOTHING_MEASURED;
    result.memory.afterLoad = NOTHING_MEASURED;
    const inputs = Array.from({ length: FIXED_INPUT_COUNT }, (_, i) => syntheticFundus(i, entry.input.size));
    const predictor = nativePredictor(session, entry);
    for (const batch of options.batches) {
      const context = {
        runner: predictor,
        now: () => performance.now(),
        inputs,
        outputs: result.outputs,
        snapshot: async () => NOTHING_MEASURED,
        progress,
      };
      result.batches.push(await runTimedBatch({ batch, warmup: options.warmup, runs: options.runs }, context));
    }
    result.memory.afterRuns = NOTHING_MEASURED;
    result.memory.afterDispose = NOTHING_MEASURED;
    result.status = 'ok';
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    await session?.release();
  }
  return result;
}
