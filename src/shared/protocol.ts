/**
 * The one message protocol between the page and the inference worker. Both sides import this module,
 * so a change to a request's shape is a type error on both ends at once.
 *
 * Every request settles exactly once, with `result` or `error`; `progress` messages may come before.
 * A `cancel` message aborts a request between stages (it then settles with error code `aborted`).
 */
import type { FovVerdict } from './fov.js';
import type { Grade } from './grades.js';
import type { ImageQuality } from './image-quality.js';
import type { ModelManifestEntry, WeightForm } from './model-manifest.js';
import type { ScreeningOutcome } from './screening-outcome.js';

/**
 * 4: `inspect` keeps the photo under InspectResult.photoId; `grade` takes that id or the bytes ('photo-not-kept'),
 * and reports one `models` stage while both variants run at once.
 * 5: `inspect` and `grade` report the quality gate's verdict (QualityReport); each variant's result carries
 * its Grad-CAM heatmap.
 */
export const PROTOCOL_VERSION = 5;

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
  /**
   * The speed verdicts the automatic choice went by: GPU backends timed against WebAssembly now, or
   * remembered from an earlier start. Absent when nothing was judged (a forced backend, no hardware GPU).
   */
  verdicts?: AppliedVerdict[];
}

/**
 * A hardware GPU backend timed against WebAssembly on one runtime (a small convolution stack, the
 * median of a few runs each): the automatic choice keeps the GPU only when it is not slower. It holds
 * for the device and browser version it was measured on; the page remembers it across starts.
 */
export interface BackendVerdict {
  runtime: RuntimeName;
  /** The GPU backend timed: 'webgpu' or 'webgl'. */
  backend: string;
  gpuMs: number;
  wasmMs: number;
  keep: boolean;
  /** The GPU as the browser names it (the WebGPU adapter's description, the WebGL renderer string). */
  device: string;
  /** The browser and its version. */
  browser: string;
  /** When it was measured, in ms since the epoch. */
  measuredAt: number;
}

/** A verdict as an init applied it: `remembered` when it came from InitParams.verdicts, unmeasured. */
export interface AppliedVerdict extends BackendVerdict {
  remembered: boolean;
}

/** Structural check of a verdict read from storage or posted to the worker: neither is trusted. */
export function isBackendVerdict(value: unknown): value is BackendVerdict {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  return (
    (v.runtime === 'tfjs' || v.runtime === 'ort') &&
    (v.backend === 'webgpu' || v.backend === 'webgl') &&
    finite(v.gpuMs) &&
    finite(v.wasmMs) &&
    typeof v.keep === 'boolean' &&
    typeof v.device === 'string' &&
    v.device.length > 0 &&
    typeof v.browser === 'string' &&
    v.browser.length > 0 &&
    finite(v.measuredAt)
  );
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
  /**
   * Speed verdicts remembered from earlier starts (RuntimeReport.verdicts): a runtime on the automatic
   * choice applies those measured on this GPU and browser version instead of timing the GPU again, and
   * ignores the others. A forced backend ignores them all.
   */
  verdicts?: BackendVerdict[];
  /**
   * The models the page will ask `load-models` for next, when it knows them at start: the files Cache
   * Storage holds are read (and checked) while the runtimes come up, and each runtime builds and warms
   * its variant as soon as it is up; `load-models` with the same models then waits for that instead of
   * starting again. Nothing is downloaded for it: a variant with a file not stored is left to `load-models`.
   */
  preload?: LoadModelsParams;
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
  /** Whether the photo is good enough to grade, and why not; the screener may grade it anyway. */
  quality: QualityReport;
}

/** The quality gate's verdict (assessImageQuality) without its field of view: FovReport carries that. */
export type QualityReport = Omit<ImageQuality, 'fov'>;

/**
 * Grad-CAM over the last convolutional block for the grade a variant gave: ReLU(Σ_k α_k·A_k), where the
 * channel weights α are the gradient of that grade's score (before softmax) at the pooled features.
 */
export interface Heatmap {
  /** The grade the map explains: the variant's own top-1. */
  grade: Grade;
  /** The block's grid, row-major, laid over the models' square input (the retina crop). */
  width: number;
  height: number;
  /** Scaled to 0–1 by the map's maximum; all 0 when no cell is positive. */
  values: number[];
  /** Time spent on the map alone, apart from the inference. */
  ms: number;
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
  /** Where this variant looked for the grade it gave. */
  heatmap: Heatmap;
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
  /** The quality gate's verdict on the photo graded (made by `inspect` when graded by its id). */
  quality: QualityReport;
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
