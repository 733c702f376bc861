/**
 * Which configurations a benchmark run measures, in which order, and the keys that name them in
 * tables, JSON, CSV and --compare.
 */
import type { ModelManifest, WeightForm } from '../model-manifest.js';
import type {
  BenchConfig,
  BenchOptions,
  BenchRuntime,
  BrowserBackend,
  BrowserRuntime,
  OrtSessionTuning,
  TfjsFlags,
  ThreadSetting,
} from './bench-types.js';

/** ORT-web's WebGL EP is deprecated and partial: ONNX Runtime is measured on webgpu and wasm only. */
export const RUNTIME_BACKENDS: Record<BrowserRuntime, readonly BrowserBackend[]> = {
  ort: ['wasm', 'webgpu'],
  tfjs: ['wasm', 'webgpu', 'webgl'],
};

export interface ThreadContext {
  /** Logical cores (navigator.hardwareConcurrency, os.availableParallelism()). */
  cores: number;
  /** False in a page that is not cross-origin isolated: no SharedArrayBuffer, so wasm runs on 1 thread. */
  multiThreaded: boolean;
}

/** 'all' becomes the core count; without threads every count becomes 1; duplicates go. */
export function resolveThreads(settings: readonly ThreadSetting[], context: ThreadContext): Array<number | 'auto'> {
  const resolved = settings.map((s) => {
    if (s === 'auto') return s;
    const n = s === 'all' ? context.cores : s;
    return context.multiThreaded ? n : 1;
  });
  return [...new Set(resolved)];
}

function tuningSuffix(entries: Array<[string, unknown]>): string {
  return entries.length === 0 ? '' : `+${entries.map(([k, v]) => `${k}=${String(v)}`).join(',')}`;
}

/** The tuning that applies to a runtime: TF.js flags to TF.js, session options to both ONNX Runtimes. */
export function tuningOf(runtime: BenchRuntime, tfjsFlags: TfjsFlags, ortSessionOptions: OrtSessionTuning): string {
  const entries = runtime === 'tfjs' ? Object.entries(tfjsFlags) : Object.entries(ortSessionOptions);
  return tuningSuffix(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** e.g. "tfjs/wasm/2t/fp32", "ort/webgpu/fp16", "ort/wasm/1t/fp32+graphOptimizationLevel=basic". */
export function configKey(
  runtime: BenchRuntime,
  backend: string,
  threads: number | 'auto' | null,
  weights: WeightForm,
  tuning = '',
): string {
  const threadPart = threads === null ? '' : `/${threads === 'auto' ? 'auto' : `${threads}t`}`;
  return `${runtime}/${backend}${threadPart}/${weights}${tuning}`;
}

function config(
  runtime: BenchRuntime,
  backend: string,
  threads: number | 'auto' | null,
  weights: WeightForm,
  role: BenchConfig['role'],
  tuning: string,
): BenchConfig {
  return { key: configKey(runtime, backend, threads, weights, tuning), runtime, backend, threads, weights, role };
}

/**
 * The browser configurations, wasm first (the reference), then the GPU backends. When the options
 * leave out every wasm fp32 configuration, one is added with role 'reference' so that the outputs of
 * the others can still be checked.
 */
export function planBrowserConfigs(options: BenchOptions, context: ThreadContext): BenchConfig[] {
  const runtimes = (['ort', 'tfjs'] as const).filter((r) => options.runtimes.includes(r));
  const threads = resolveThreads(options.threads, context);
  const configs: BenchConfig[] = [];
  for (const weights of options.weights) {
    for (const runtime of runtimes) {
      const tuning = tuningOf(runtime, options.tfjsFlags, options.ortSessionOptions);
      for (const backend of RUNTIME_BACKENDS[runtime].filter((b) => options.backends.includes(b))) {
        for (const t of backend === 'wasm' ? threads : [null])
          configs.push(config(runtime, backend, t, weights, 'measure', tuning));
      }
    }
  }
  const hasReference = configs.some((c) => c.backend === 'wasm' && c.weights === 'fp32');
  if (configs.length > 0 && !hasReference) {
    const runtime = runtimes[0]!;
    const most = threads.filter((t): t is number => t !== 'auto').reduce((a, b) => Math.max(a, b), 1);
    configs.unshift(config(runtime, 'wasm', most, 'fp32', 'reference', ''));
  }
  return configs;
}

/** onnxruntime-node configurations (CPU execution provider), one per thread count and weight form. */
export function planNativeConfigs(options: BenchOptions, cores: number): BenchConfig[] {
  if (!options.runtimes.includes('ort-node')) return [];
  const tuning = tuningOf('ort-node', options.tfjsFlags, options.ortSessionOptions);
  const threads = resolveThreads(options.threads, { cores, multiThreaded: true });
  return options.weights.flatMap((weights) =>
    threads.map((t) => config('ort-node', 'cpu', t, weights, 'measure', tuning)),
  );
}

/** The model a run measures: the one asked for, else the manifest's default, else its first. */
export function chooseModelId(manifest: ModelManifest, wanted: string | null): string {
  const id = wanted ?? manifest.defaultModel ?? manifest.models[0]?.id;
  if (id === undefined || !manifest.models.some((m) => m.id === id)) {
    const ids = [...new Set(manifest.models.map((m) => m.id))];
    throw new Error(`model "${id ?? ''}" is not in the manifest (it lists ${ids.join(', ') || 'nothing'})`);
  }
  return id;
}
