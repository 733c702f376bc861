import * as ort from 'onnxruntime-web';
import type { BackendChoice, OrtBackend, RuntimeReport } from '../../src/shared/protocol.js';
import { ORT_FALLBACK_CHAIN } from '../../src/shared/protocol.js';
import { onnxProbeModel, PROBE_EXPECTED, PROBE_INPUT } from '../onnx-probe-model.js';
import type { OrtInitParams } from '../ort/ort-protocol.js';
import { planChain, walkBackendChain } from './choose-backend.js';
import type { SpeedJudging } from './gpu-speed.js';
import { ortSpeedMeasure } from './ort-speed-probe.js';
import { timedSpan } from '../models/start-up-timing.js';
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

/**
 * What initOrt takes: ORT's init params, and for the automatic choice the hardware GPU and remembered
 * verdicts its WebGPU is judged by (gpu-speed.ts). ORT's worker passes its `init` request's params here
 * whole, so the inference worker sends these (workers/inference-handlers.ts).
 */
export interface OrtRuntimeOptions extends OrtInitParams {
  judging?: SpeedJudging | null | undefined;
}

export async function initOrt(
  options: OrtRuntimeOptions,
  onAttempt: (backend: string) => void,
): Promise<RuntimeReport> {
  // A GPU left out automatically is left out before the build is chosen: the CPU-only build then loads.
  const plan = planChain(
    'ort',
    options.choice,
    ortChain(options.choice),
    { webgpu: options.webgpuSoftware },
    options.judging,
  );
  const { chain, skipped } = planOrtChain(plan.chain, { webgpuAvailable: options.webgpuAvailable, loadedBuild });
  if (!loadedBuild) {
    loadedBuild = ortWasmBuildFor(chain);
    ort.env.wasm.wasmPaths = ortWasmUrls(options.wasmPath, loadedBuild);
    // Without cross-origin isolation there is no SharedArrayBuffer, so threads cannot start.
    ort.env.wasm.numThreads = self.crossOriginIsolated ? (options.wasmThreads ?? 0) : 1;
  }
  const walked = await walkBackendChain({
    runtime: 'ort',
    chain,
    onAttempt,
    judging: plan.judging,
    bringUp: (backend: OrtBackend) => timedSpan(`ort:init ${backend}`, () => probe(backend)),
    measure: ortSpeedMeasure(),
  });
  const chosen = walked.chosen;
  settleSoftwareSkips([...plan.skipped, ...walked.dropped], chosen);
  const verdicts = [...plan.verdicts, ...walked.verdicts];
  const threads = ort.env.wasm.numThreads;
  return {
    runtime: 'ort',
    backend: chosen,
    attempts: [...plan.skipped, ...skipped, ...walked.attempts],
    version: ort.env.versions.web ?? 'unknown',
    ...wasmFileReport(),
    ...(chosen === 'wasm' && threads ? { wasmThreads: threads } : {}),
    ...(verdicts.length ? { verdicts } : {}),
  };
}

/**
 * The GPUDevice ORT's WebGPU execution provider computes on. Only meaningful once a WebGPU session
 * exists (the probe creates one): before that, ORT would create a fresh device on access.
 */
export async function ortWebgpuDevice(): Promise<GPUDevice> {
  return await ort.env.webgpu.device;
}
