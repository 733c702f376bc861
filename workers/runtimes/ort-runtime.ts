import * as ort from 'onnxruntime-web';
import type { BackendAttempt, BackendChoice, OrtBackend, RuntimeReport } from '../../src/shared/protocol.js';
import { ORT_FALLBACK_CHAIN } from '../../src/shared/protocol.js';
import { onnxProbeModel, PROBE_EXPECTED, PROBE_INPUT } from '../onnx-probe-model.js';
import { describeError } from '../worker-failure.js';

export function ortChain(choice: BackendChoice): OrtBackend[] {
  // ORT-web has no WebGL EP worth using (deprecated, partial op coverage): webgl means wasm here.
  if (choice === 'webgl' || choice === 'wasm') return ['wasm'];
  return [...ORT_FALLBACK_CHAIN];
}

/** One execution provider at a time: a session given a list would fall back silently. */
async function probe(backend: OrtBackend): Promise<void> {
  const session = await ort.InferenceSession.create(onnxProbeModel(), { executionProviders: [backend] });
  try {
    const outputs = await session.run({ X: new ort.Tensor('float32', PROBE_INPUT, [1, 4]) });
    const y = outputs.Y;
    if (!y) throw new Error('probe produced no output');
    const values = Array.from(y.data as Float32Array);
    y.dispose();
    if (values.some((v, i) => v !== PROBE_EXPECTED[i])) throw new Error(`probe computed ${values.join(',')}`);
  } finally {
    await session.release();
  }
}

let wasmConfigured = false;

export interface OrtInitOptions {
  choice: BackendChoice;
  wasmPath: string;
  wasmThreads?: number | undefined;
}

export async function initOrt(options: OrtInitOptions, onAttempt: (backend: string) => void): Promise<RuntimeReport> {
  if (!wasmConfigured) {
    ort.env.wasm.wasmPaths = options.wasmPath;
    // Without cross-origin isolation there is no SharedArrayBuffer, so threads cannot start.
    ort.env.wasm.numThreads = self.crossOriginIsolated ? (options.wasmThreads ?? 0) : 1;
    wasmConfigured = true;
  }
  const attempts: BackendAttempt[] = [];
  let chosen: OrtBackend | null = null;
  for (const backend of ortChain(options.choice)) {
    onAttempt(backend);
    const started = performance.now();
    try {
      await probe(backend);
      attempts.push({ backend, ok: true, ms: performance.now() - started });
      chosen = backend;
      break;
    } catch (error) {
      attempts.push({ backend, ok: false, error: describeError(error), ms: performance.now() - started });
    }
  }
  const threads = ort.env.wasm.numThreads;
  return {
    runtime: 'ort',
    backend: chosen,
    attempts,
    version: ort.env.versions.web ?? 'unknown',
    ...(chosen === 'wasm' && threads ? { wasmThreads: threads } : {}),
  };
}

/**
 * The GPUDevice ORT's WebGPU execution provider computes on. Only meaningful once a WebGPU session
 * exists (the probe creates one): before that, ORT would create a fresh device on access.
 */
export async function ortWebgpuDevice(): Promise<GPUDevice> {
  return (await ort.env.webgpu.device) as GPUDevice;
}
