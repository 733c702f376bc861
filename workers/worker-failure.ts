import type { FovVerdict } from '../src/shared/fov.js';
import type { ErrorCode, RuntimeName, WorkerError } from '../src/shared/protocol.js';

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
  if (error instanceof WorkerFailure) {
    const { code, message, verdict, runtime } = error;
    return { code, message, ...(verdict ? { verdict } : {}), ...(runtime ? { runtime } : {}) };
  }
  if (error instanceof DOMException && error.name === 'AbortError') return { code: 'aborted', message: 'cancelled' };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message };
}

/** Called between stages of a request: cancellation takes effect at the next stage boundary. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new WorkerFailure('aborted', 'cancelled');
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
