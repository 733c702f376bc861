import type {
  BatchResult,
  BenchReport,
  ConfigResult,
  MemorySnapshot,
} from '../../../../src/shared/bench/bench-types.js';
import { latencyStats, imagesPerSecond } from '../../../../src/shared/bench/bench-stats.js';
import { configKey } from '../../../../src/shared/bench/bench-plan.js';
import { normaliseBenchOptions } from '../../../../src/shared/bench/bench-options.js';

export const snapshot = (overrides: Partial<MemorySnapshot> = {}): MemorySnapshot => ({
  uaBytes: null,
  tensors: null,
  gpuBytes: null,
  wasmHeapBytes: null,
  ...overrides,
});

export function batch(size: number, samplesMs: number[]): BatchResult {
  const stats = latencyStats(samplesMs);
  return {
    batch: size,
    firstMs: samplesMs[0]! * 3,
    warmup: 1,
    samplesMs,
    latencyMs: stats,
    imagesPerSecond: imagesPerSecond(size, stats),
    leak: { runs: samplesMs.length, before: snapshot({ tensors: 10 }), after: snapshot({ tensors: 10 }), flat: true },
  };
}

/** A result as a worker reports it: `outputs` per fixed input. */
export function result(
  overrides: Partial<ConfigResult> & Pick<ConfigResult, 'runtime' | 'backend' | 'weights'>,
): ConfigResult {
  const threads =
    overrides.threads === undefined
      ? overrides.backend === 'wasm' || overrides.backend === 'cpu'
        ? 1
        : null
      : overrides.threads;
  return {
    key: configKey(overrides.runtime, overrides.backend, threads, overrides.weights),
    threads,
    role: 'measure',
    status: 'ok',
    model: 'tiny/1',
    runtimeVersion: '1.0.0',
    actualThreads: typeof threads === 'number' ? threads : null,
    fetchMs: 5,
    fetchBytes: 1000,
    initMs: 20,
    batches: [batch(1, [10, 12, 11]), batch(4, [40, 44, 42])],
    memory: { beforeLoad: snapshot(), afterLoad: snapshot(), afterRuns: snapshot(), afterDispose: snapshot() },
    outputs: [[0.7, 0.1, 0.1, 0.05, 0.05], [0.1, 0.6, 0.1, 0.1, 0.1], null, null],
    agreement: null,
    tfjsFlags: {},
    ortSessionOptions: {},
    notes: [],
    ...overrides,
  };
}

export function report(results: ConfigResult[]): BenchReport {
  return {
    schemaVersion: 1,
    createdAt: '2026-01-02T03:04:05.678Z',
    durationSeconds: 12.5,
    options: normaliseBenchOptions({ model: 'tiny' }),
    model: { id: 'tiny', version: '1', name: 'Tiny', demo: true },
    environment: {
      browser: {
        userAgent: 'test',
        browser: 'Chromium 156.0.0.0',
        platform: 'Linux',
        hardwareConcurrency: 2,
        crossOriginIsolated: true,
        deviceMemoryGiB: null,
        webgpu: {
          available: true,
          adapter: {
            vendor: 'google',
            architecture: 'swiftshader',
            device: '',
            description: '',
            isFallbackAdapter: true,
          },
          features: [],
        },
        webgl: { vendor: 'Google', renderer: 'SwiftShader' },
      },
      node: {
        node: 'v20.0.0',
        platform: 'linux',
        arch: 'x64',
        cpu: 'Test CPU',
        cpuCount: 2,
        onnxruntimeNode: '1.30.0',
        loadAverage: 1.5,
      },
    },
    reference: null,
    results,
    training: [
      {
        backend: 'wasm',
        status: 'ok',
        resolution: 32,
        microBatch: 2,
        passes: 1,
        warmUpSeconds: 2,
        secondsPerPass: [0.5],
        imagesPerSecond: 4,
      },
    ],
  };
}
