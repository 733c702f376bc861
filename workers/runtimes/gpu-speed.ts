import type { BackendVerdict, RuntimeName } from '../../src/shared/protocol.js';
import { isBackendVerdict } from '../../src/shared/protocol.js';
import type { GpuAdapterDescription } from './software-gpu.js';

/**
 * Automatic means fastest, not first: a hardware GPU backend that comes up is timed against
 * WebAssembly on a small convolution stack (the runtimes' speed probes), and kept only when it is not
 * slower. The verdict holds for the GPU and browser version it was measured on; the page remembers it
 * (src/app/backend-verdicts.ts), so later starts apply it without timing again.
 */

export type GpuBackend = 'webgpu' | 'webgl';

/**
 * The GPU is kept up to 20 % slower than wasm on the probe. Both variants grade at the same time, one per
 * worker, and a runtime on the GPU leaves the CPU cores to the other runtime and to the page, which the
 * probe does not see; and timings on a busy device are noisy. So a near tie goes to the GPU, and what is
 * dropped is clearly slower (SwiftShader, timed as if it were hardware, was 50–160× slower on the probe).
 */
export const GPU_KEEP_MARGIN = 1.2;

/** Timed runs per backend (after one untimed run: shader compilation, weight packing). */
export const PROBE_RUNS = 3;

/**
 * How much longer than a run that ties the untimed first run may take before the GPU is dropped on it
 * alone: compiling the probe's few kernels takes tens to hundreds of ms on hardware GPUs, so a first run
 * seconds too slow is not compilation. It bounds the cost of timing a GPU not worth it: SwiftShader,
 * timed as if it were hardware, took 5–16 s a run here, three or four runs in all without this.
 */
export const FIRST_RUN_ALLOWANCE_MS = 2000;

/** What a runtime on the automatic choice needs to judge its hardware GPU backends. */
export interface SpeedJudging {
  /** The GPU each hardware backend runs on, as the browser names it; a backend left out is not judged. */
  devices: Partial<Record<GpuBackend, string>>;
  /** The browser and its version (browserIdentity). */
  browser: string;
  /** Verdicts remembered from earlier starts, as they were posted: each is checked before use. */
  remembered?: readonly unknown[] | undefined;
}

/**
 * The browser and its version, as speed verdicts are keyed: the User-Agent Client Hints brands where
 * the browser has them ('Chromium 126, Google Chrome 126'), else the User-Agent string.
 */
export function browserIdentity(nav: { userAgent: string; userAgentData?: unknown }): string {
  const brands = (nav.userAgentData as { brands?: Array<{ brand: string; version: string }> } | undefined)?.brands;
  // Chromium lists a made-up brand among the real ones ('Not)A;Brand', "Not_A Brand"…): it says nothing.
  const real = (brands ?? []).filter(({ brand }) => !/not.?a.?brand/i.test(brand));
  return real.length ? real.map(({ brand, version }) => `${brand} ${version}`).join(', ') : nav.userAgent;
}

/** How a WebGPU adapter is named in speed verdicts: everything it says about itself. */
export function adapterName(adapter: GpuAdapterDescription): string {
  return (
    [adapter.vendor, adapter.architecture, adapter.device, adapter.description].filter(Boolean).join(' ') ||
    'unnamed WebGPU adapter'
  );
}

/** Both sides of one comparison: the medians of the probe's timed runs. */
export interface ProbeTiming {
  gpuMs: number;
  wasmMs: number;
}

const BACKEND_NAMES: Readonly<Record<GpuBackend, string>> = { webgpu: 'WebGPU', webgl: 'WebGL' };

export function isGpuBackend(backend: string): backend is GpuBackend {
  return backend === 'webgpu' || backend === 'webgl';
}

/** The GPU a backend would be judged on, or null when it is not judged. */
export function judgedDevice(judging: SpeedJudging | null | undefined, backend: string): string | null {
  return judging && isGpuBackend(backend) ? (judging.devices[backend] ?? null) : null;
}

/**
 * The remembered verdict that holds for this runtime's backend here: measured on the same GPU in the
 * same browser version (the newest such one). Verdicts from another GPU or browser version have expired.
 */
export function rememberedVerdict(
  judging: SpeedJudging | null | undefined,
  runtime: RuntimeName,
  backend: string,
): BackendVerdict | null {
  const device = judgedDevice(judging, backend);
  if (!judging || !device) return null;
  let newest: BackendVerdict | null = null;
  for (const verdict of judging.remembered ?? []) {
    if (!isBackendVerdict(verdict)) continue;
    if (verdict.runtime !== runtime || verdict.backend !== backend) continue;
    if (verdict.device !== device || verdict.browser !== judging.browser) continue;
    if (!newest || verdict.measuredAt > newest.measuredAt) newest = verdict;
  }
  return newest;
}

export function keepsGpu({ gpuMs, wasmMs }: ProbeTiming): boolean {
  return gpuMs <= wasmMs * GPU_KEEP_MARGIN;
}

/** A new verdict from a timing made now on the judged GPU. */
export function verdictOf(
  runtime: RuntimeName,
  backend: GpuBackend,
  timing: ProbeTiming,
  judging: SpeedJudging,
  measuredAt: number,
): BackendVerdict {
  return {
    runtime,
    backend,
    gpuMs: timing.gpuMs,
    wasmMs: timing.wasmMs,
    keep: keepsGpu(timing),
    device: judging.devices[backend] ?? '',
    browser: judging.browser,
    measuredAt,
  };
}

const round = (ms: number) => (ms >= 10 ? Math.round(ms) : Math.round(ms * 10) / 10);

/**
 * Why a GPU backend was left out, in words, before what runs instead is known (settleSoftwareSkips adds
 * it): 'WebGPU measured slower than WebAssembly on this device (probe 180 ms vs 40 ms)'.
 */
export function slowerGpuReason(verdict: BackendVerdict, remembered: boolean): string {
  const name = isGpuBackend(verdict.backend) ? BACKEND_NAMES[verdict.backend] : verdict.backend;
  const when = remembered ? `, remembered from ${new Date(verdict.measuredAt).toISOString().slice(0, 10)}` : '';
  return (
    `${name} measured slower than WebAssembly on this device ` +
    `(probe ${round(verdict.gpuMs)} ms vs ${round(verdict.wasmMs)} ms${when})`
  );
}

export function median(values: readonly number[]): number {
  if (!values.length) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface ProbeTimingOptions {
  runs?: number;
  /**
   * The time that decides a comparison: the runs stop as soon as more than half of them fall on the
   * same side of it, since the median of all of them then would too; and a first run slower than it by
   * more than FIRST_RUN_ALLOWANCE_MS decides alone.
   */
  decidesAt?: number | undefined;
  now?: () => number;
}

/**
 * The median time of `run` after one untimed run (shader compilation, weight packing, first
 * allocations); or, when that first run alone showed the time `decidesAt` cannot be met, its time.
 */
export async function timeProbe(run: () => Promise<void>, options: ProbeTimingOptions = {}): Promise<number> {
  const { runs = PROBE_RUNS, decidesAt, now = () => performance.now() } = options;
  const first = now();
  await run();
  const firstMs = now() - first;
  if (decidesAt !== undefined && firstMs > decidesAt + FIRST_RUN_ALLOWANCE_MS) return firstMs;
  const times: number[] = [];
  const needed = Math.floor(runs / 2) + 1;
  while (times.length < runs) {
    const started = now();
    await run();
    times.push(now() - started);
    if (decidesAt === undefined) continue;
    const above = times.filter((ms) => ms > decidesAt).length;
    if (above >= needed || times.length - above >= needed) break;
  }
  return median(times);
}

/** The GPU's probe time above which it is dropped, for timeProbe's `decidesAt`. */
export function dropThreshold(wasmMs: number): number {
  return wasmMs * GPU_KEEP_MARGIN;
}
