import type { Agreement, ConfigResult, LatencyStats, MemorySnapshot } from './bench-types.js';

/**
 * Nearest-rank percentile of sorted samples: always one of the measured values, so with few runs
 * p99 is simply the slowest run rather than an interpolation nobody measured.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('no samples');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function latencyStats(samples: readonly number[]): LatencyStats | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  return {
    min: sorted[0]!,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean,
    max: sorted[sorted.length - 1]!,
  };
}

export function imagesPerSecond(batch: number, stats: LatencyStats | null): number | null {
  return stats && stats.mean > 0 ? (batch * 1000) / stats.mean : null;
}

/**
 * Memory growth tolerated across the timed runs: garbage the collector has not reclaimed yet and
 * allocator slack. A leak of one 300×300 input per run would pass 1 MiB within a few runs.
 */
export const LEAK_TOLERANCE_BYTES = 2 * 1024 * 1024;

/** Flat when no tensor is left behind and no measured memory grew past the tolerance. */
export function isFlat(before: MemorySnapshot, after: MemorySnapshot): boolean | null {
  const verdicts: boolean[] = [];
  if (before.tensors !== null && after.tensors !== null) verdicts.push(after.tensors <= before.tensors);
  for (const key of ['uaBytes', 'gpuBytes', 'wasmHeapBytes'] as const) {
    const a = before[key];
    const b = after[key];
    if (a !== null && b !== null) verdicts.push(b - a <= LEAK_TOLERANCE_BYTES);
  }
  return verdicts.length === 0 ? null : verdicts.every(Boolean);
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Outputs compared on the fixed inputs both configurations ran; null when they share none. */
export function agreement(outputs: ConfigResult['outputs'], reference: ConfigResult): Agreement | null {
  let images = 0;
  let maxAbsDiff = 0;
  let top1Agree = 0;
  outputs.forEach((probabilities, i) => {
    const expected = reference.outputs[i];
    if (!probabilities || !expected) return;
    images++;
    probabilities.forEach((p, c) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(p - expected[c]!))));
    if (argmax(probabilities) === argmax(expected)) top1Agree++;
  });
  return images === 0 ? null : { reference: reference.key, images, maxAbsDiff, top1Agree };
}

/**
 * The reference every configuration is compared with: wasm fp32 (the most exact path), ONNX Runtime's
 * before TF.js's, the most threads first. Native onnxruntime-node is compared with it too.
 */
export function chooseReference(results: readonly ConfigResult[]): ConfigResult | null {
  const candidates = results.filter(
    (r) => r.status === 'ok' && r.backend === 'wasm' && r.weights === 'fp32' && r.outputs.some(Boolean),
  );
  const rank = (r: ConfigResult) => (r.runtime === 'ort' ? 0 : 1);
  candidates.sort((a, b) => rank(a) - rank(b) || (b.actualThreads ?? 0) - (a.actualThreads ?? 0));
  return candidates[0] ?? null;
}

/** Fills in every result's agreement with the chosen reference; returns the reference's key. */
export function applyAgreement(results: ConfigResult[]): string | null {
  const reference = chooseReference(results);
  for (const result of results)
    result.agreement = reference && result !== reference ? agreement(result.outputs, reference) : null;
  return reference?.key ?? null;
}
