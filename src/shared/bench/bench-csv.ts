/**
 * The report as CSV (RFC 4180): one row per configuration and batch size, one per training
 * measurement, each carrying the environment so that a row pasted elsewhere still says where it came from.
 */
import { toCsv, type CsvValue } from '../csv.js';
import type { BatchResult, BenchReport, ConfigResult, TrainingResult } from './bench-types.js';

const COLUMNS = [
  'key',
  'runtime',
  'backend',
  'threads',
  'actual_threads',
  'weights',
  'role',
  'status',
  'model',
  'batch',
  'fetch_ms',
  'init_ms',
  'first_ms',
  'warmup',
  'runs',
  'min_ms',
  'p50_ms',
  'p90_ms',
  'p99_ms',
  'mean_ms',
  'images_per_s',
  'tensors_before',
  'tensors_after',
  'memory_before_bytes',
  'memory_after_bytes',
  'gpu_bytes_after',
  'wasm_heap_bytes_after',
  'leak_flat',
  'reference',
  'agreement_images',
  'max_abs_dp',
  'top1_agree',
  'error',
  'browser',
  'gpu_adapter',
  'hardware_concurrency',
  'cross_origin_isolated',
  'node',
  'cpu',
  'load_average',
] as const;

type Row = Partial<Record<(typeof COLUMNS)[number], string | number | boolean | null | undefined>>;

/** Fractions to four decimals at most (trailing zeros dropped). */
const rounded = (value: Row[keyof Row]): CsvValue =>
  typeof value === 'number' && !Number.isInteger(value) ? +value.toFixed(4) : value;

function environmentCells(report: BenchReport): Row {
  const { browser, node } = report.environment;
  const adapter = browser?.webgpu.adapter;
  return {
    browser: browser?.browser,
    gpu_adapter: adapter
      ? [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ')
      : (browser?.webgl?.renderer ?? null),
    hardware_concurrency: browser?.hardwareConcurrency,
    cross_origin_isolated: browser?.crossOriginIsolated,
    node: node?.node,
    cpu: node ? `${node.cpu} ×${node.cpuCount}` : null,
    load_average: node?.loadAverage,
  };
}

function configCells(r: ConfigResult): Row {
  return {
    key: r.key,
    runtime: r.runtime,
    backend: r.backend,
    threads: r.threads,
    actual_threads: r.actualThreads,
    weights: r.weights,
    role: r.role,
    status: r.status,
    model: r.model,
    fetch_ms: r.fetchMs,
    init_ms: r.initMs,
    reference: r.agreement?.reference,
    agreement_images: r.agreement?.images,
    max_abs_dp: r.agreement?.maxAbsDiff,
    top1_agree: r.agreement?.top1Agree,
    error: r.error,
  };
}

function batchCells(b: BatchResult): Row {
  const { before, after } = b.leak;
  return {
    batch: b.batch,
    first_ms: b.firstMs,
    warmup: b.warmup,
    runs: b.samplesMs.length,
    min_ms: b.latencyMs?.min,
    p50_ms: b.latencyMs?.p50,
    p90_ms: b.latencyMs?.p90,
    p99_ms: b.latencyMs?.p99,
    mean_ms: b.latencyMs?.mean,
    images_per_s: b.imagesPerSecond,
    tensors_before: before.tensors,
    tensors_after: after.tensors,
    memory_before_bytes: before.uaBytes,
    memory_after_bytes: after.uaBytes,
    gpu_bytes_after: after.gpuBytes,
    wasm_heap_bytes_after: after.wasmHeapBytes,
    leak_flat: b.leak.flat,
  };
}

function trainingCells(t: TrainingResult): Row {
  const mean = t.secondsPerPass.length ? t.secondsPerPass.reduce((a, b) => a + b, 0) / t.secondsPerPass.length : null;
  return {
    key: `train/tfjs-node/${t.backend}/${t.resolution}px`,
    runtime: 'tfjs-node (training)',
    backend: t.backend,
    status: t.status,
    batch: t.microBatch,
    runs: t.passes,
    mean_ms: mean === null ? null : mean * 1000,
    images_per_s: t.imagesPerSecond,
    error: t.error,
  };
}

export function reportToCsv(report: BenchReport): string {
  const environment = environmentCells(report);
  const rows: Row[] = [];
  for (const result of report.results) {
    const base = { ...configCells(result), ...environment };
    if (result.batches.length === 0) rows.push(base);
    for (const batch of result.batches) rows.push({ ...base, ...batchCells(batch) });
  }
  for (const training of report.training) rows.push({ ...trainingCells(training), ...environment });
  return toCsv([COLUMNS, ...rows.map((row) => COLUMNS.map((c) => rounded(row[c])))]);
}
