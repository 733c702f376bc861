import type { BenchConfig, ConfigResult, OrtSessionTuning, TfjsFlags } from './bench-types.js';
import { FIXED_INPUT_COUNT } from './synthetic-fundus.js';

/**
 * A configuration's result before anything was measured: status 'failed' until the run says
 * otherwise, so that a crash, a timeout or an exception still yields a complete, valid row.
 */
export function emptyConfigResult(
  config: BenchConfig,
  model: string,
  tuning: { tfjsFlags: TfjsFlags; ortSessionOptions: OrtSessionTuning },
): ConfigResult {
  const { key, runtime, backend, threads, weights, role } = config;
  return {
    key,
    runtime,
    backend,
    threads,
    weights,
    role,
    status: 'failed',
    model,
    runtimeVersion: null,
    actualThreads: null,
    fetchMs: null,
    fetchBytes: null,
    initMs: null,
    batches: [],
    memory: { beforeLoad: null, afterLoad: null, afterRuns: null, afterDispose: null },
    outputs: Array.from({ length: FIXED_INPUT_COUNT }, () => null),
    agreement: null,
    // Only the tuning that applies to this runtime (see tuningOf): the rest did not touch it.
    tfjsFlags: runtime === 'tfjs' ? { ...tuning.tfjsFlags } : {},
    ortSessionOptions: runtime === 'tfjs' ? {} : { ...tuning.ortSessionOptions },
    notes: [],
  };
}
