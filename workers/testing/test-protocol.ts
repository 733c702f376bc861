/**
 * Requests only the test build of the inference worker answers (workers/testing/inference-test.worker.ts,
 * bundled by web-test-runner.config.mjs): they look inside the worker or break it on purpose. The
 * production worker (workers/inference.worker.ts) has no handler for them and answers them as it
 * answers any unknown request: `bad-request`.
 */
import type { RequestMap, RuntimeName, WorkerError } from '../../src/shared/protocol.js';
import type { OrtRequestMap } from '../ort/ort-protocol.js';

export interface MemoryResult {
  tfjs: { backend: string; numTensors: number; numDataBuffers: number; numBytes: number };
  ort: { sessions: number; liveTensors: number };
}

/**
 * Destroys the runtime's WebGPU device, either at once ('now') or just before its next inference
 * ('next-run', so that the loss hits a request in flight).
 */
export interface DeviceLossParams {
  runtime: RuntimeName;
  when: 'now' | 'next-run';
}

export interface DeviceLossResult {
  /** The backend the runtime was on; only 'webgpu' can lose a device. */
  backend: string | null;
  armed: boolean;
}

/** What the worker holds of chosen photos (workers/grading/kept-photos.ts) and how often it decoded one. */
export interface PhotoStats {
  /** Photos kept for grading by their id. */
  kept: number;
  /** Photo files decoded since the worker started. */
  decodes: number;
}

/**
 * What the worker's next inits see instead of the real GPUs and browser; the real GPUs still compute.
 * Scripting a hardware adapter over Chromium's software one lets the automatic choice judge WebGPU
 * here: it is timed against wasm for real, or a remembered verdict applies. Fields left out keep the
 * real values; an empty script ends scripting.
 */
export interface GpuScript {
  /** Taken only where the browser has a real WebGPU adapter (both runtimes then run on that one). */
  webgpuAdapter?: { vendor?: string; architecture?: string; device?: string; description?: string };
  /** Taken only where the worker has WebGL and reads its renderer (TF.js on the automatic choice). */
  webglRenderer?: string;
  browser?: string;
}

export type TestRequestMap = {
  memory: { params: Record<string, never>; result: MemoryResult; progress: never };
  'unload-models': { params: Record<string, never>; result: { released: number }; progress: never };
  'simulate-device-loss': { params: DeviceLossParams; result: DeviceLossResult; progress: never };
  /** Makes the ONNX Runtime worker throw outside any request; resolves with what its death failed the request with. */
  'crash-ort-worker': { params: Record<string, never>; result: { error: WorkerError }; progress: never };
  'photo-stats': { params: Record<string, never>; result: PhotoStats; progress: never };
  /** Forgets every kept photo, as a restarted worker has none: `grade` by their ids then answers 'photo-not-kept'. */
  'forget-photos': { params: Record<string, never>; result: { forgotten: number }; progress: never };
  /** Scripts the GPUs and browser the next inits see; `scripted`: whether a script is now in force. */
  'script-gpus': { params: GpuScript; result: { scripted: boolean }; progress: never };
};

/** What the test build of the worker answers: every production request and the test-only ones. */
export type TestingRequestMap = RequestMap & TestRequestMap;

/**
 * Requests only the test build of the ONNX Runtime worker answers (workers/testing/ort-test.worker.ts,
 * served at the ORT worker's URL by web-test-runner.config.mjs): the inference worker's test build asks
 * them for its own test-only requests (memory, simulate-device-loss, crash-ort-worker).
 */
export type OrtTestRequestMap = {
  memory: { params: Record<string, never>; result: MemoryResult['ort']; progress: never };
  'simulate-device-loss': {
    params: Pick<DeviceLossParams, 'when'>;
    result: DeviceLossResult;
    progress: never;
  };
  /** Never settles: the worker throws from a timer first, an uncaught error (its 'error' event). */
  crash: { params: Record<string, never>; result: never; progress: never };
};

/** What the test build of the ONNX Runtime worker answers. */
export type OrtTestingRequestMap = OrtRequestMap & OrtTestRequestMap;
