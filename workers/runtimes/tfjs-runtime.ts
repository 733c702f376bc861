import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { deviceCores, liftTfjsThreadCap } from './tfjs-thread-cap.js';
import type { BackendChoice, RuntimeReport, TfjsBackend } from '../../src/shared/protocol.js';
import { TFJS_FALLBACK_CHAIN } from '../../src/shared/protocol.js';
import { planChain, walkBackendChain, withoutUnavailableWebgpu, type ChainPlan } from './choose-backend.js';
import type { SpeedJudging } from './gpu-speed.js';
import { settleSoftwareSkips, type SoftwareGpuReasons } from './software-gpu.js';
import { tfjsSpeedMeasure } from './tfjs-speed-probe.js';
import { timedSpan } from '../models/start-up-timing.js';

export function tfjsChain(choice: BackendChoice): TfjsBackend[] {
  if (choice === 'auto') return [...TFJS_FALLBACK_CHAIN];
  const start = TFJS_FALLBACK_CHAIN.indexOf(choice);
  // A forced backend still falls back to the ones after it, so a device without it keeps working.
  return start < 0 ? [...TFJS_FALLBACK_CHAIN] : TFJS_FALLBACK_CHAIN.slice(start);
}

/** Runs a small matmul and checks the numbers: setBackend() alone can succeed on a broken device. */
async function probe(): Promise<void> {
  const result = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 0, 1], [2, 2])));
  try {
    const values = await result.data();
    if (values[0] !== 1 || values[3] !== 4) throw new Error(`probe computed ${Array.from(values).join(',')}`);
  } finally {
    result.dispose();
  }
}

let wasmConfigured = false;

export interface TfjsInitOptions {
  choice: BackendChoice;
  wasmPath: string;
  wasmThreads?: number | undefined;
  /**
   * Why WebGPU or WebGL runs in software here (software-gpu.ts): with the automatic choice such a
   * backend is skipped, and the skip reported like a failed attempt. A forced backend is still tried.
   */
  software?: SoftwareGpuReasons | undefined;
  /**
   * The hardware GPUs and remembered verdicts (gpu-speed.ts): with the automatic choice a GPU backend is
   * kept only when it is not slower than wasm. A forced backend is never judged.
   */
  judging?: SpeedJudging | null | undefined;
  /** False when the browser offers no WebGPU adapter: WebGPU is not tried (undefined: not known). */
  webgpuAvailable?: boolean | undefined;
}

/** The backends to try, and those an automatic choice leaves out (choose-backend.ts planChain). */
export function planTfjsChain(
  choice: BackendChoice,
  software: SoftwareGpuReasons = {},
  judging: SpeedJudging | null = null,
  wanted: readonly TfjsBackend[] = tfjsChain(choice),
): ChainPlan<TfjsBackend> {
  return planChain('tfjs', choice, wanted, software, judging);
}

export async function initTfjs(options: TfjsInitOptions, onAttempt: (backend: string) => void): Promise<RuntimeReport> {
  if (!wasmConfigured) {
    // Must happen before the wasm backend first initialises; later calls would be ignored.
    setWasmPaths(options.wasmPath);
    if (options.wasmThreads !== undefined) {
      liftTfjsThreadCap(options.wasmThreads);
      setThreadsCount(options.wasmThreads);
    }
    // One thread (the default on a 2-core device: half the cores): the single-threaded SIMD build.
    // The threaded build would start its fixed pool of 8 pthread workers anyway, idle but not free:
    // measured in Chromium 156 after a few reloads, each of those workers (and the one that owns
    // them) spun on tens of thousands of GC sweeper tasks a second and starved the page for seconds.
    if ((options.wasmThreads ?? Math.floor(deviceCores / 2)) <= 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasmConfigured = true;
  }
  // As for ORT (ort-wasm-build.ts): WebGPU without an adapter is ruled out whatever the choice, and its
  // reason is not one of the automatic choice's skips.
  const available = withoutUnavailableWebgpu(tfjsChain(options.choice), options.webgpuAvailable);
  const plan = planTfjsChain(options.choice, options.software, options.judging, available.chain);
  const walked = await walkBackendChain({
    runtime: 'tfjs',
    chain: plan.chain,
    onAttempt,
    judging: plan.judging,
    bringUp: (backend) =>
      timedSpan(`tfjs:init ${backend}`, async () => {
        if (!(await tf.setBackend(backend))) throw new Error(`${backend} backend failed to initialise`);
        await tf.ready();
        await probe();
      }),
    measure: tfjsSpeedMeasure(),
  });
  const chosen = walked.chosen ? tf.getBackend() : null;
  settleSoftwareSkips([...plan.skipped, ...walked.dropped], chosen);
  const verdicts = [...plan.verdicts, ...walked.verdicts];
  return {
    runtime: 'tfjs',
    backend: chosen,
    attempts: [...available.skipped, ...plan.skipped, ...walked.attempts],
    version: tf.version.tfjs,
    ...(chosen === 'wasm' ? { wasmThreads: getThreadsCount() } : {}),
    ...(verdicts.length ? { verdicts } : {}),
  };
}

export function tfjsMemory(): { backend: string; numTensors: number; numDataBuffers: number; numBytes: number } {
  const { numTensors, numDataBuffers, numBytes } = tf.memory();
  return { backend: tf.getBackend(), numTensors, numDataBuffers, numBytes };
}

/** The GPUDevice TF.js computes on, or null when its backend is not WebGPU. */
export function tfjsWebgpuDevice(): GPUDevice | null {
  return tf.getBackend() === 'webgpu' ? (tf.backend() as WebGPUBackend).device : null;
}

/**
 * Makes wasm TF.js's backend after the WebGPU device was lost. The WebGPU backend stays registered
 * (tensors that still live on it must be able to dispose) but is never selected again in this worker.
 */
export async function switchTfjsToWasm(): Promise<void> {
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  await tf.ready();
}
