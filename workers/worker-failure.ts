import type { ErrorCode, WorkerError } from '../src/shared/protocol.js';

/** Thrown inside the worker to settle a request with a specific error code. */
export class WorkerFailure extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'WorkerFailure';
    this.code = code;
  }
}

export function toWorkerError(error: unknown): WorkerError {
  if (error instanceof WorkerFailure) return { code: error.code, message: error.message };
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
