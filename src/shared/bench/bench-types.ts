/**
 * The framework benchmark's data: what to measure (options), one configuration's job for the bench
 * worker, and the report the page and the CLI produce. Shared by workers/bench (measures), src/app/bench
 * (runs the plan, shows it) and src/bench (drives the page headless, adds the native reference).
 * The JSON report's schema is src/bench/bench-report.schema.json; change both together.
 */
import type { ModelManifestEntry, WeightForm } from '../model-manifest.js';

export const BENCH_REPORT_VERSION = 1;

/** Browser runtimes run in the bench worker; 'ort-node' is onnxruntime-node, run by the CLI. */
export type BrowserRuntime = 'tfjs' | 'ort';
export type BenchRuntime = BrowserRuntime | 'ort-node';
export type BrowserBackend = 'webgpu' | 'webgl' | 'wasm';
/** A wasm thread count, every logical core ('all'), or whatever the runtime picks by itself ('auto'). */
export type ThreadSetting = number | 'all' | 'auto';

/** ONNX Runtime session options worth trying (each maps 1:1 to InferenceSession.SessionOptions). */
export interface OrtSessionTuning {
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'layout' | 'all';
  executionMode?: 'sequential' | 'parallel';
  enableMemPattern?: boolean;
  enableCpuMemArena?: boolean;
  /** WebGPU only: keep outputs on the GPU until read. */
  preferredOutputLocation?: 'cpu' | 'gpu-buffer';
}

/** TF.js environment flags set before the model is built (e.g. WEBGL_PACK: false). */
export type TfjsFlags = Record<string, boolean | number | string>;

export interface BenchOptions {
  runtimes: BenchRuntime[];
  backends: BrowserBackend[];
  threads: ThreadSetting[];
  /** Timed runs per batch size, after the first inference and the warm-ups. */
  runs: number;
  warmup: number;
  batches: number[];
  /** Manifest model id; null = the manifest's default model. */
  model: string | null;
  weights: WeightForm[];
  tfjsFlags: TfjsFlags;
  ortSessionOptions: OrtSessionTuning;
  /** performance.measureUserAgentSpecificMemory around the timed runs (cross-origin isolated pages only). */
  measureMemory: boolean;
  /** A configuration still running after this long is stopped and reported as 'timeout'. */
  timeoutSeconds: number;
}

/**
 * 'measure': a configuration the user asked for. 'reference': added only to provide the wasm fp32
 * outputs the others are compared with (no warm-up, one timed run per remaining fixed image).
 */
export type ConfigRole = 'measure' | 'reference';

/** One configuration: runtime × backend × thread count × weight form. */
export interface BenchConfig {
  key: string;
  runtime: BenchRuntime;
  backend: string;
  /** Requested wasm threads (number or 'auto'); null for GPU backends. */
  threads: number | 'auto' | null;
  weights: WeightForm;
  role: ConfigRole;
}

/** What the page sends the bench worker: one configuration, run in a fresh worker. */
export interface BenchJob extends BenchConfig {
  runtime: BrowserRuntime;
  entry: ModelManifestEntry;
  /** Folder the manifest's paths are relative to, ending in '/'. */
  modelsUrl: string;
  tfjsWasmPath: string;
  ortWasmPath: string;
  batches: number[];
  runs: number;
  warmup: number;
  tfjsFlags: TfjsFlags;
  ortSessionOptions: OrtSessionTuning;
  measureMemory: boolean;
}

export interface LatencyStats {
  min: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

/** Memory at one moment; null where this runtime/backend/browser cannot tell. */
export interface MemorySnapshot {
  /** measureUserAgentSpecificMemory total: JS heaps of page and workers, ArrayBuffers, wasm memories. */
  uaBytes: number | null;
  /** Live tensors: tf.memory().numTensors, or ORT tensors the runner has not disposed. */
  tensors: number | null;
  /** TF.js webgl/webgpu: bytes of tensor data on the GPU. */
  gpuBytes: number | null;
  /** TF.js wasm: size of the wasm memory (it only grows). */
  wasmHeapBytes: number | null;
}

/** Memory before and after the timed runs of one batch size. */
export interface LeakCheck {
  runs: number;
  before: MemorySnapshot;
  after: MemorySnapshot;
  /** True when tensors did not grow and memory grew by less than LEAK_TOLERANCE_BYTES; null when nothing was measurable. */
  flat: boolean | null;
}

export interface BatchResult {
  batch: number;
  /** The first inference at this batch size (shader compilation, kernel selection, allocations). */
  firstMs: number;
  warmup: number;
  /** Every timed run in order, in ms. */
  samplesMs: number[];
  latencyMs: LatencyStats | null;
  /** batch × 1000 / mean latency. */
  imagesPerSecond: number | null;
  leak: LeakCheck;
}

export interface Agreement {
  /** Key of the configuration compared with. */
  reference: string;
  /** Fixed inputs both have outputs for. */
  images: number;
  /** Largest |Δp| over every class of every image. */
  maxAbsDiff: number;
  /** Images whose top-1 grade matches the reference's. */
  top1Agree: number;
}

export type ConfigStatus = 'ok' | 'unavailable' | 'failed' | 'timeout';

export interface ConfigResult extends BenchConfig {
  status: ConfigStatus;
  error?: string;
  /** id/version of the model. */
  model: string;
  runtimeVersion: string | null;
  /** Threads the runtime really used (wasm and native only). */
  actualThreads: number | null;
  fetchMs: number | null;
  fetchBytes: number | null;
  /** Model construction: parsing, session creation or layers build, weight upload. */
  initMs: number | null;
  batches: BatchResult[];
  /**
   * Around the whole job: before the model is built, once built, after every run, and after the
   * runner was disposed (which must bring the live tensors back to their count before the build).
   */
  memory: {
    beforeLoad: MemorySnapshot | null;
    afterLoad: MemorySnapshot | null;
    afterRuns: MemorySnapshot | null;
    afterDispose: MemorySnapshot | null;
  };
  /** Class probabilities per fixed input (index = input number), null for inputs never run. */
  outputs: Array<number[] | null>;
  agreement: Agreement | null;
  tfjsFlags: TfjsFlags;
  ortSessionOptions: OrtSessionTuning;
  /** What was left out and why (e.g. a memory measurement this configuration cannot answer). */
  notes: string[];
}

export interface BrowserEnvironment {
  userAgent: string;
  /** e.g. "Chromium 156.0.8078.108" (from userAgentData where available). */
  browser: string;
  platform: string;
  hardwareConcurrency: number;
  crossOriginIsolated: boolean;
  deviceMemoryGiB: number | null;
  webgpu: {
    available: boolean;
    adapter: {
      vendor: string;
      architecture: string;
      device: string;
      description: string;
      isFallbackAdapter: boolean;
    } | null;
    features: string[];
  };
  webgl: { vendor: string; renderer: string } | null;
}

export interface NodeEnvironment {
  node: string;
  platform: string;
  arch: string;
  cpu: string;
  cpuCount: number;
  onnxruntimeNode: string;
  /** 1-minute load average when the run started: other work on the machine skews every number. */
  loadAverage: number;
}

/** Training throughput of the pipeline's TF.js training step in Node (src/pipeline/train/bench-training-step.ts). */
export interface TrainingResult {
  backend: 'wasm' | 'cpu';
  status: 'ok' | 'failed';
  error?: string;
  resolution: number;
  microBatch: number;
  passes: number;
  warmUpSeconds: number | null;
  secondsPerPass: number[];
  imagesPerSecond: number | null;
}

export interface BenchReport {
  schemaVersion: typeof BENCH_REPORT_VERSION;
  createdAt: string;
  durationSeconds: number;
  options: BenchOptions;
  model: { id: string; version: string; name: string; demo: boolean };
  environment: { browser: BrowserEnvironment | null; node: NodeEnvironment | null };
  /** Key of the wasm fp32 configuration every agreement is measured against. */
  reference: string | null;
  results: ConfigResult[];
  training: TrainingResult[];
}
