/**
 * Requests only the test build of the inference worker answers (workers/testing/inference-test.worker.ts,
 * bundled by web-test-runner.config.mjs): they look inside the worker or break it on purpose. The
 * production worker (workers/inference.worker.ts) has no handler for them and answers them as it
 * answers any unknown request: `bad-request`.
 */
import type { RequestMap, RuntimeName } from '../../src/shared/protocol.js';

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

export type TestRequestMap = {
  memory: { params: Record<string, never>; result: MemoryResult; progress: never };
  'unload-models': { params: Record<string, never>; result: { released: number }; progress: never };
  'simulate-device-loss': { params: DeviceLossParams; result: DeviceLossResult; progress: never };
};

/** What the test build of the worker answers: every production request and the test-only ones. */
export type TestingRequestMap = RequestMap & TestRequestMap;
