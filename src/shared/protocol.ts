/**
 * The one message protocol between the page and the inference worker. Both sides import this module,
 * so a change to a request's shape is a type error on both ends at once.
 *
 * Every request settles exactly once, with `result` or `error`; `progress` messages may come before.
 * A `cancel` message aborts a request between stages (it then settles with error code `aborted`).
 */
import type { FovVerdict } from './fov.js';
import type { Grade } from './grades.js';
import type { ModelManifestEntry, WeightForm } from './model-manifest.js';
import type { ScreeningOutcome } from './screening-outcome.js';

/**
 * 4: `inspect` keeps the photo under InspectResult.photoId; `grade` takes that id or the bytes ('photo-not-kept'),
 * and reports one `models` stage while both variants run at once.
 */
export const PROTOCOL_VERSION = 4;

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
  /** `grade` by a photo id the worker does not keep (evicted, or another worker's): send the bytes instead. */
  | 'photo-not-kept'
  /** Page side only: the worker died (a script error, out of memory); a new one must be started. */
  | 'worker-crashed'
  | 'internal';

export interface WorkerError {
  code: ErrorCode;
  message: string;
  /** With 'no-retina': why the photo was not accepted as a fundus photo. */
  verdict?: FovVerdict;
  /** With 'device-lost': the runtime that must be restarted on another backend. */
  runtime?: RuntimeName;
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
  /** wasm threads the runtime really uses, when its backend is wasm. */
  wasmThreads?: number;
  /** The WebAssembly file the runtime loaded, where it has a choice of builds (ONNX Runtime's CPU-only or WebGPU build). */
  wasmFile?: string;
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
  /**
   * URL of the ONNX Runtime worker's script (same-origin, like the others): the inference worker starts
   * it as a nested worker and runs ORT there, beside TF.js, so that both variants grade at once.
   */
  ortWorkerUrl: string;
  /** wasm threads for both runtimes; omitted = each runtime's default (about half the cores). */
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

/** The two model variants a screening runs, as the page picked them from models/manifest.json. */
export interface ModelPair {
  tfjs: ModelManifestEntry;
  ort: ModelManifestEntry;
}

export interface LoadModelsParams {
  /** URL of the folder manifest paths are relative to (dist/models/), ending in '/'. */
  modelsUrl: string;
  models: ModelPair;
  /** false: no warm-up inference after loading (for callers that time the first run themselves). Default true. */
  warmUp?: boolean;
}

export type ModelLoadProgress =
  /** Bytes so far over both variants' files (the sizes the manifest lists). */
  | { stage: 'download'; runtime: RuntimeName; loadedBytes: number; totalBytes: number }
  /** Building the model on the backend, compiling its shaders and running it once on a blank image. */
  | { stage: 'warm-up'; runtime: RuntimeName; backend: string };

export interface LoadedModelReport {
  runtime: RuntimeName;
  backend: string;
  /** ModelManifestEntry folder: <id>/<version>/<variant>-<weights>. */
  model: string;
  /** False when this model was already loaded and nothing was done. */
  loaded: boolean;
  bytes: number;
  downloadMs: number;
  warmUpMs: number;
}

export interface LoadModelsResult {
  tfjs: LoadedModelReport;
  ort: LoadedModelReport;
}

export type ImageFormat = 'jpeg' | 'png' | 'webp';

export interface DecodedImageInfo {
  format: ImageFormat;
  /** As stored in the file (before EXIF orientation and downscaling). */
  sourceWidth: number;
  sourceHeight: number;
  /** Upright and, for very large photos, downscaled: the pixels that were analysed. */
  width: number;
  height: number;
}

/** The detected field of view; the circle is in fractions of the analysed image's width (cx, radius) and height (cy). */
export interface FovReport {
  found: boolean;
  verdict: FovVerdict;
  /** The verdict in words for the screener, with what to try when no retina was found. */
  message: string;
  confidence: number;
  circle: { cx: number; cy: number; radius: number };
}

/** Interleaved RGBA rows, ready for `new ImageData(new Uint8ClampedArray(data), width, height)`. */
export interface RgbaPixels {
  data: ArrayBuffer;
  width: number;
  height: number;
}

export interface EncodedImage {
  bytes: ArrayBuffer;
  mimeType: string;
  width: number;
  height: number;
}

/** The photo's bytes as read from the file (transferred, not copied). */
export interface InspectParams {
  image: ArrayBuffer;
  /** Longest side of the returned preview. */
  previewMaxSide: number;
  /** Longest side of the JPEG thumbnail kept with the record (made now, kept for `grade`). */
  thumbnailMaxSide: number;
}

export interface InspectResult {
  /**
   * What the worker prepared for grading (the models' 300×300 input, the thumbnail, the field of view) is
   * kept under this id: `grade` it with GradeParams.photoId, without sending or decoding the photo again.
   * The worker keeps a few photos, the least recently used going first, and loses them when it stops.
   */
  photoId: string;
  image: DecodedImageInfo;
  fov: FovReport;
  preview: RgbaPixels;
}

/** The longest photo id `grade` accepts (the worker's ids are UUIDs, 36 characters). */
export const MAX_PHOTO_ID_LENGTH = 64;

/** What `grade` grades: exactly one of a kept photo's id and the file's bytes. */
export type GradeSource =
  /** A photo `inspect` kept; fails with 'photo-not-kept' when the worker no longer has it. */
  | { photoId: string; image?: never; thumbnailMaxSide?: never }
  /** The photo's bytes (transferred), decoded and prepared as `inspect` does. */
  | {
      image: ArrayBuffer;
      /** Longest side of the JPEG thumbnail kept with the record. */
      thumbnailMaxSide: number;
      photoId?: never;
    };

export type GradeParams = LoadModelsParams & GradeSource;

/** `models`: both variants run, at the same time (TF.js here, ORT in its worker). */
export type GradeStage = 'decode' | 'preprocess' | 'models';
export type GradeProgress = ModelLoadProgress | { stage: GradeStage };

export interface VariantResult {
  runtime: RuntimeName;
  /** The backend that really ran this inference (after any fallback). */
  backend: string;
  /** One per grade 0..4, summing to 1. */
  probabilities: number[];
  grade: Grade;
  /** Inference time: input tensor, run and read-back. */
  ms: number;
  /**
   * When that inference started and ended, in ms since the epoch (performance.timeOrigin +
   * performance.now(), so comparable between workers): the two variants run at once, in two workers.
   */
  startedAt: number;
  endedAt: number;
  /** Why the backend differs from the one brought up at start (e.g. the GPU device was lost). */
  fallback?: string;
}

export interface ModelSummary {
  id: string;
  version: string;
  name: string;
  weights: WeightForm;
  demo: boolean;
  /** See ModelDescription.referralThreshold. */
  referralThreshold?: number;
  /** See ModelDescription.notice. */
  notice?: string;
  /** See ModelDescription.credit. */
  credit?: string;
}

export function modelSummary({
  id,
  version,
  name,
  weights,
  demo,
  referralThreshold,
  notice,
  credit,
}: ModelManifestEntry): ModelSummary {
  return {
    id,
    version,
    name,
    weights,
    demo,
    ...(referralThreshold !== undefined ? { referralThreshold } : {}),
    ...(notice !== undefined ? { notice } : {}),
    ...(credit !== undefined ? { credit } : {}),
  };
}

export interface GradeResult {
  image: DecodedImageInfo;
  fov: FovReport;
  thumbnail: EncodedImage;
  model: ModelSummary;
  variants: { tfjs: VariantResult; ort: VariantResult };
  /**
   * The referral decision, made once by the worker from both variants and the model's threshold
   * (screeningOutcome); the page shows and saves it and never decides again.
   */
  outcome: ScreeningOutcome;
  /**
   * Decoding, and finding the retina, cropping and making the thumbnail: done by `inspect` when the photo
   * was graded by its id. totalMs: those two and this request's own time.
   */
  timings: { decodeMs: number; preprocessMs: number; totalMs: number };
}

/** One request's payloads. */
export interface RequestSpec {
  params: object;
  result: unknown;
  progress: unknown;
}

/** Any request name → payloads map: the production one below, or one a test build extends it with. */
export type AnyRequestMap = Record<string, RequestSpec>;

/**
 * Request name → its params, result and progress payloads: what the app asks of the worker. Test-only
 * requests (memory, unload, simulated device loss) live in workers/testing/test-protocol.ts and are
 * handled only by the test build of the worker (workers/testing/inference-test.worker.ts).
 */
export type RequestMap = {
  init: { params: InitParams; result: InitResult; progress: InitProgress };
  'load-models': { params: LoadModelsParams; result: LoadModelsResult; progress: ModelLoadProgress };
  inspect: { params: InspectParams; result: InspectResult; progress: never };
  grade: { params: GradeParams; result: GradeResult; progress: GradeProgress };
};

export type RequestType<M extends AnyRequestMap = RequestMap> = keyof M & string;
export type ParamsOf<K extends keyof M, M extends AnyRequestMap = RequestMap> = M[K]['params'];
export type ResultOf<K extends keyof M, M extends AnyRequestMap = RequestMap> = M[K]['result'];
export type ProgressOf<K extends keyof M, M extends AnyRequestMap = RequestMap> = M[K]['progress'];

export type RequestMessage<M extends AnyRequestMap = RequestMap> = {
  [K in RequestType<M>]: { kind: 'request'; id: number; type: K; params: ParamsOf<K, M> };
}[RequestType<M>];

export interface CancelMessage {
  kind: 'cancel';
  id: number;
}

export type PageToWorker<M extends AnyRequestMap = RequestMap> = RequestMessage<M> | CancelMessage;

export type WorkerToPage<M extends AnyRequestMap = RequestMap> =
  | { kind: 'result'; id: number; result: ResultOf<RequestType<M>, M> }
  | { kind: 'error'; id: number; error: WorkerError }
  | { kind: 'progress'; id: number; progress: ProgressOf<RequestType<M>, M> };

/** Every production request, once (a request added to RequestMap and not here is a type error). */
const REQUEST_TYPE_NAMES: Record<RequestType, true> = { init: true, 'load-models': true, inspect: true, grade: true };
export const REQUEST_TYPES: ReadonlySet<string> = new Set(Object.keys(REQUEST_TYPE_NAMES));

/**
 * Structural check of an incoming message: a worker must never trust what it is posted. A request's
 * type must be one of `requestTypes` (the dispatcher passes the types it has handlers for).
 */
export function isPageToWorker<M extends AnyRequestMap = RequestMap>(
  value: unknown,
  requestTypes: ReadonlySet<string> = REQUEST_TYPES,
): value is PageToWorker<M> {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (typeof message.id !== 'number' || !Number.isInteger(message.id)) return false;
  if (message.kind === 'cancel') return true;
  return (
    message.kind === 'request' &&
    typeof message.type === 'string' &&
    requestTypes.has(message.type) &&
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
  readonly verdict: FovVerdict | undefined;
  readonly runtime: RuntimeName | undefined;
  constructor(error: WorkerError) {
    super(error.message);
    this.name = 'InferenceError';
    this.code = error.code;
    this.verdict = error.verdict;
    this.runtime = error.runtime;
  }
}
