/**
 * The one message protocol between the page and the inference worker. Both sides import this module,
 * so a change to a request's shape is a type error on both ends at once.
 *
 * Every request settles exactly once, with `result` or `error`; `progress` messages may come before.
 * A `cancel` message aborts a request between stages (it then settles with error code `aborted`).
 */
export const PROTOCOL_VERSION = 1;

export type RuntimeName = 'tfjs' | 'ort';
export type TfjsBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type OrtBackend = 'webgpu' | 'wasm';
/** What the user may ask for (settings, `?backend=`); `auto` walks each runtime's fallback chain. */
export type BackendChoice = 'auto' | 'webgpu' | 'webgl' | 'wasm';

export const TFJS_FALLBACK_CHAIN: readonly TfjsBackend[] = ['webgpu', 'webgl', 'wasm'];
export const ORT_FALLBACK_CHAIN: readonly OrtBackend[] = ['webgpu', 'wasm'];

export type ErrorCode =
  | 'bad-request'
  | 'aborted'
  | 'backend-unavailable'
  | 'model-missing'
  | 'model-integrity'
  | 'bad-image'
  | 'no-retina'
  | 'device-lost'
  | 'internal';

export interface WorkerError {
  code: ErrorCode;
  message: string;
}

/** One attempt to bring a backend up, kept so the UI can say why a faster one was not used. */
export interface BackendAttempt {
  backend: string;
  ok: boolean;
  error?: string;
  ms: number;
}

export interface RuntimeReport {
  runtime: RuntimeName;
  /** The backend that really came up and ran a probe computation, or null when none did. */
  backend: string | null;
  attempts: BackendAttempt[];
  version: string;
}

export interface EnvironmentReport {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  webgpu: { available: boolean; adapter?: string; features?: string[] };
  userAgent: string;
}

export interface InitParams {
  tfjs: BackendChoice;
  ort: BackendChoice;
  /** Folder URLs the runtimes load their .wasm (and ORT's .mjs) from; always same-origin. */
  tfjsWasmPath: string;
  ortWasmPath: string;
  /** wasm threads; omitted = each runtime's default. */
  wasmThreads?: number;
}

export interface InitResult {
  protocolVersion: number;
  tfjs: RuntimeReport;
  ort: RuntimeReport;
  environment: EnvironmentReport;
}

export interface InitProgress {
  stage: 'tfjs' | 'ort';
  backend: string;
}

/** Request name → its params, result and progress payloads. */
export interface RequestMap {
  init: { params: InitParams; result: InitResult; progress: InitProgress };
}

export type RequestType = keyof RequestMap;
export type ParamsOf<K extends RequestType> = RequestMap[K]['params'];
export type ResultOf<K extends RequestType> = RequestMap[K]['result'];
export type ProgressOf<K extends RequestType> = RequestMap[K]['progress'];

export type RequestMessage = {
  [K in RequestType]: { kind: 'request'; id: number; type: K; params: ParamsOf<K> };
}[RequestType];

export interface CancelMessage {
  kind: 'cancel';
  id: number;
}

export type PageToWorker = RequestMessage | CancelMessage;

export type WorkerToPage =
  | { kind: 'result'; id: number; result: ResultOf<RequestType> }
  | { kind: 'error'; id: number; error: WorkerError }
  | { kind: 'progress'; id: number; progress: ProgressOf<RequestType> };

const REQUEST_TYPES: ReadonlySet<string> = new Set<RequestType>(['init']);

/** Structural check of an incoming message: a worker must never trust what it is posted. */
export function isPageToWorker(value: unknown): value is PageToWorker {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (typeof message.id !== 'number' || !Number.isInteger(message.id)) return false;
  if (message.kind === 'cancel') return true;
  return (
    message.kind === 'request' &&
    typeof message.type === 'string' &&
    REQUEST_TYPES.has(message.type) &&
    typeof message.params === 'object' &&
    message.params !== null
  );
}

export function isWorkerError(value: unknown): value is WorkerError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as WorkerError).code === 'string' &&
    typeof (value as WorkerError).message === 'string'
  );
}

/** The error a rejected request carries on the page side. */
export class InferenceError extends Error {
  readonly code: ErrorCode;
  constructor(error: WorkerError) {
    super(error.message);
    this.name = 'InferenceError';
    this.code = error.code;
  }
}
