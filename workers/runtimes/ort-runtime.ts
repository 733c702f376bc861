import * as ort from 'onnxruntime-web';
import type { BackendAttempt, BackendChoice, OrtBackend, RuntimeReport } from '../../src/shared/protocol.js';
import { ORT_FALLBACK_CHAIN } from '../../src/shared/protocol.js';
import { onnxProbeModel, PROBE_EXPECTED, PROBE_INPUT } from '../onnx-probe-model.js';
import type { OrtInitParams } from '../ort/ort-protocol.js';
import { describeError } from '../worker-failure.js';
import { settleSoftwareSkips } from './software-gpu.js';
import { ORT_WASM_FILES, ortWasmBuildFor, ortWasmUrls, planOrtChain, type OrtWasmBuild } from './ort-wasm-build.js';

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

/** The wasm build this worker's ONNX Runtime loads; ORT reads its wasm settings once, at its first session. */
let loadedBuild: OrtWasmBuild | null = null;

/**
 * The ORT .wasm file this worker really fetched (read from its resource timing, so a test can tell
 * the builds apart by what was loaded, not by what was configured); none before the first session.
 */
function wasmFileReport(): { wasmFile?: string } {
  const known = new Set(Object.values(ORT_WASM_FILES).map((files) => files.wasm));
  const fetched = performance
    .getEntriesByType('resource')
    .map((entry) => new URL(entry.name).pathname.split('/').pop() ?? '')
    .filter((file) => known.has(file));
  return fetched.length ? { wasmFile: fetched[fetched.length - 1]! } : {};
}

export async function initOrt(options: OrtInitParams, onAttempt: (backend: string) => void): Promise<RuntimeReport> {
  const webgpuSoftware = options.choice === 'auto' ? options.webgpuSoftware : null;
  const { chain, skipped } = planOrtChain(ortChain(options.choice), {
    webgpuAvailable: options.webgpuAvailable,
    loadedBuild,
    webgpuSoftware,
  });
  if (!loadedBuild) {
    loadedBuild = ortWasmBuildFor(chain);
    ort.env.wasm.wasmPaths = ortWasmUrls(options.wasmPath, loadedBuild);
    // Without cross-origin isolation there is no SharedArrayBuffer, so threads cannot start.
    ort.env.wasm.numThreads = self.crossOriginIsolated ? (options.wasmThreads ?? 0) : 1;
  }
  const attempts: BackendAttempt[] = [...skipped];
  let chosen: OrtBackend | null = null;
  for (const backend of chain) {
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
  settleSoftwareSkips(
    skipped.filter((skip) => webgpuSoftware && skip.error === webgpuSoftware),
    chosen,
  );
  const threads = ort.env.wasm.numThreads;
  return {
    runtime: 'ort',
    backend: chosen,
    attempts,
    version: ort.env.versions.web ?? 'unknown',
    ...wasmFileReport(),
    ...(chosen === 'wasm' && threads ? { wasmThreads: threads } : {}),
  };
}

/**
 * The GPUDevice ORT's WebGPU execution provider computes on. Only meaningful once a WebGPU session
 * exists (the probe creates one): before that, ORT would create a fresh device on access.
 */
export async function ortWebgpuDevice(): Promise<GPUDevice> {
  return await ort.env.webgpu.device;
}
