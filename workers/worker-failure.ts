import type { FovVerdict } from '../src/shared/fov.js';
import type { ErrorCode, RuntimeName, WorkerError } from '../src/shared/protocol.js';
import { InferenceError } from '../src/shared/protocol.js';

/** Thrown inside the worker to settle a request with a specific error code. */
export class WorkerFailure extends Error {
  readonly code: ErrorCode;
  readonly verdict: FovVerdict | undefined;
  readonly runtime: RuntimeName | undefined;
  constructor(code: ErrorCode, message: string, verdict?: FovVerdict, runtime?: RuntimeName) {
    super(message);
    this.name = 'WorkerFailure';
    this.code = code;
    this.verdict = verdict;
    this.runtime = runtime;
  }
}

export function toWorkerError(error: unknown): WorkerError {
  // An InferenceError is the answer of a worker this one asked (its ONNX Runtime worker): passed on as it came.
  if (error instanceof WorkerFailure || error instanceof InferenceError) {
    const { code, message, verdict, runtime } = error;
    return { code, message, ...(verdict ? { verdict } : {}), ...(runtime ? { runtime } : {}) };
  }
  if (error instanceof DOMException && error.name === 'AbortError') return { code: 'aborted', message: 'cancelled' };
  return { code: 'internal', message: describeError(error) };
}

/** Called between stages of a request: cancellation takes effect at the next stage boundary. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new WorkerFailure('aborted', 'cancelled');
}

/** The message of anything thrown; never throws itself (a thrown object's toString may). */
export function describeError(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return 'unknown error';
  }
}
