/**
 * Benchmark options: defaults and validation. The CLI hands them to the page as
 * bench.html?autorun=<base64url JSON>, and both sides normalise them here, so they run the same plan.
 */
import type { WeightForm } from '../model-manifest.js';
import type { BenchOptions, BenchRuntime, BrowserBackend, OrtSessionTuning, ThreadSetting } from './bench-types.js';

export const BENCH_RUNTIMES: readonly BenchRuntime[] = ['tfjs', 'ort', 'ort-node'];
export const BROWSER_BACKENDS: readonly BrowserBackend[] = ['webgpu', 'webgl', 'wasm'];
export const WEIGHT_FORMS: readonly WeightForm[] = ['fp32', 'fp16'];

export const DEFAULT_BENCH_OPTIONS: Readonly<BenchOptions> = {
  runtimes: ['tfjs', 'ort', 'ort-node'],
  backends: ['webgpu', 'webgl', 'wasm'],
  threads: [1, 'all'],
  runs: 20,
  warmup: 3,
  batches: [1, 4],
  model: null,
  weights: ['fp32', 'fp16'],
  tfjsFlags: {},
  ortSessionOptions: {},
  // Without Chromium's eager flag (the CLI passes it) each measurement waits for a GC, up to ~20 s.
  measureMemory: false,
  timeoutSeconds: 600,
};

const GRAPH_LEVELS = ['disabled', 'basic', 'extended', 'layout', 'all'] as const;
const EXECUTION_MODES = ['sequential', 'parallel'] as const;
const OUTPUT_LOCATIONS = ['cpu', 'gpu-buffer'] as const;

export class BenchOptionsError extends Error {
  override name = 'BenchOptionsError';
}

function fail(message: string): never {
  throw new BenchOptionsError(message);
}

function positiveInteger(value: unknown, what: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    fail(`${what} must be an integer ≥ ${min}, got ${String(value)}`);
  return value;
}

function subsetOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T[] {
  if (!Array.isArray(value) || value.length === 0) fail(`${what} must be a non-empty list of ${allowed.join(', ')}`);
  for (const item of value)
    if (!allowed.includes(item as T)) fail(`${what}: unknown value "${String(item)}" (expected ${allowed.join(', ')})`);
  return [...new Set(value as T[])];
}

export function parseThreadSetting(text: string): ThreadSetting {
  if (text === 'all' || text === 'auto') return text;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) fail(`threads: "${text}" is not a positive integer, "all" or "auto"`);
  return n;
}

function ortTuning(value: unknown): OrtSessionTuning {
  if (typeof value !== 'object' || value === null) fail('ortSessionOptions must be an object');
  const v = value as Record<string, unknown>;
  const out: OrtSessionTuning = {};
  for (const key of Object.keys(v)) {
    const item = v[key];
    if (key === 'graphOptimizationLevel' && GRAPH_LEVELS.includes(item as never))
      out.graphOptimizationLevel = item as OrtSessionTuning['graphOptimizationLevel'];
    else if (key === 'executionMode' && EXECUTION_MODES.includes(item as never))
      out.executionMode = item as OrtSessionTuning['executionMode'];
    else if (key === 'preferredOutputLocation' && OUTPUT_LOCATIONS.includes(item as never))
      out.preferredOutputLocation = item as OrtSessionTuning['preferredOutputLocation'];
    else if ((key === 'enableMemPattern' || key === 'enableCpuMemArena') && typeof item === 'boolean') out[key] = item;
    else fail(`ortSessionOptions.${key}: unsupported option or value ${JSON.stringify(item)}`);
  }
  return out;
}

/** Defaults filled in and every field checked; throws BenchOptionsError naming the bad field. */
export function normaliseBenchOptions(partial: Partial<BenchOptions>): BenchOptions {
  const o = { ...DEFAULT_BENCH_OPTIONS, ...partial };
  const threads =
    Array.isArray(o.threads) && o.threads.length > 0 ? o.threads : fail('threads must be a non-empty list');
  for (const t of threads) if (t !== 'all' && t !== 'auto') positiveInteger(t, 'threads');
  const batches =
    Array.isArray(o.batches) && o.batches.length > 0 ? o.batches : fail('batches must be a non-empty list');
  batches.forEach((b) => positiveInteger(b, 'batch'));
  const flags =
    typeof o.tfjsFlags === 'object' && o.tfjsFlags !== null ? o.tfjsFlags : fail('tfjsFlags must be an object');
  for (const [flag, value] of Object.entries(flags)) {
    if (!['boolean', 'number', 'string'].includes(typeof value))
      fail(`tfjsFlags.${flag} must be a boolean, number or string`);
  }
  if (o.model !== null && (typeof o.model !== 'string' || o.model === '')) fail('model must be a model id');
  if (typeof o.measureMemory !== 'boolean') fail('measureMemory must be true or false');
  return {
    runtimes: subsetOf(o.runtimes, BENCH_RUNTIMES, 'runtimes'),
    backends: subsetOf(o.backends, BROWSER_BACKENDS, 'backends'),
    threads: [...new Set(threads)],
    runs: positiveInteger(o.runs, 'runs', 0),
    warmup: positiveInteger(o.warmup, 'warmup', 0),
    batches: [...new Set(batches)].sort((a, b) => a - b),
    model: o.model,
    weights: subsetOf(o.weights, WEIGHT_FORMS, 'weights'),
    tfjsFlags: { ...flags },
    ortSessionOptions: ortTuning(o.ortSessionOptions),
    measureMemory: o.measureMemory,
    timeoutSeconds: positiveInteger(o.timeoutSeconds, 'timeoutSeconds'),
  };
}
