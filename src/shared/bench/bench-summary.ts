/**
 * The results table, as text cells: the CLI pads it for the terminal, the bench page renders it as
 * an HTML table, so both show the same numbers the same way.
 */
import type { BatchResult, ConfigResult, ConfigStatus, LeakCheck, MemorySnapshot } from './bench-types.js';

export const SUMMARY_COLUMNS = [
  { id: 'config', label: 'configuration' },
  { id: 'batch', label: 'batch' },
  { id: 'fetch', label: 'fetch ms' },
  { id: 'init', label: 'init ms' },
  { id: 'first', label: 'first ms' },
  { id: 'min', label: 'min' },
  { id: 'p50', label: 'p50' },
  { id: 'p90', label: 'p90' },
  { id: 'p99', label: 'p99' },
  { id: 'mean', label: 'mean' },
  { id: 'ips', label: 'img/s' },
  { id: 'native', label: '× native' },
  { id: 'memory', label: 'mem MiB' },
  { id: 'gpu', label: 'GPU MiB' },
  { id: 'leak', label: 'leak check' },
  { id: 'dp', label: 'max |Δp|' },
  { id: 'top1', label: 'top-1' },
  { id: 'note', label: 'note' },
] as const;

export type SummaryColumn = (typeof SUMMARY_COLUMNS)[number]['id'];

export interface SummaryRow {
  key: string;
  status: ConfigStatus;
  cells: Record<SummaryColumn, string>;
}

/** Three significant figures, never exponent notation. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

const mib = (bytes: number | null | undefined) =>
  bytes === null || bytes === undefined ? '—' : (bytes / 2 ** 20).toFixed(1);

/** The page's measurement where there is one; otherwise TF.js's wasm heap alone, marked as such. */
function memoryText(after: MemorySnapshot): string {
  if (after.uaBytes !== null) return mib(after.uaBytes);
  return after.wasmHeapBytes === null ? '—' : `${mib(after.wasmHeapBytes)} (wasm heap)`;
}

function leakText(leak: LeakCheck): string {
  if (leak.flat === null) return '—';
  const tensors =
    leak.before.tensors !== null && leak.after.tensors !== null ? leak.after.tensors - leak.before.tensors : null;
  const bytes =
    leak.before.uaBytes !== null && leak.after.uaBytes !== null ? leak.after.uaBytes - leak.before.uaBytes : null;
  const detail = [
    tensors === null ? null : `${tensors >= 0 ? '+' : ''}${tensors} tensors`,
    bytes === null ? null : `${bytes >= 0 ? '+' : ''}${(bytes / 2 ** 20).toFixed(1)} MiB`,
  ].filter(Boolean);
  return `${leak.flat ? 'flat' : 'GROWS'} over ${leak.runs}${detail.length ? ` (${detail.join(', ')})` : ''}`;
}

/**
 * How many times slower than onnxruntime-node the configuration's median is, for the same weights and
 * batch: against native on the same number of threads where there is one (same resources), otherwise
 * (GPU backends, thread counts native did not run) against the fastest native configuration.
 */
function nativeRatio(result: ConfigResult, batch: BatchResult, results: readonly ConfigResult[]): string {
  if (result.runtime === 'ort-node' || !batch.latencyMs) return '—';
  const natives = results
    .filter((r) => r.runtime === 'ort-node' && r.status === 'ok' && r.weights === result.weights)
    .flatMap((r) =>
      r.batches
        .filter((b) => b.batch === batch.batch && b.latencyMs)
        .map((b) => ({ threads: r.actualThreads, p50: b.latencyMs!.p50 })),
    );
  const sameThreads = natives.find((n) => result.actualThreads !== null && n.threads === result.actualThreads);
  const native = sameThreads?.p50 ?? Math.min(...natives.map((n) => n.p50));
  return natives.length ? `${(batch.latencyMs.p50 / native).toFixed(1)}×` : '—';
}

function emptyCells(result: ConfigResult): Record<SummaryColumn, string> {
  const cells = Object.fromEntries(SUMMARY_COLUMNS.map((c) => [c.id, '—'])) as Record<SummaryColumn, string>;
  cells.config = result.role === 'reference' ? `${result.key} (reference only)` : result.key;
  const problem = result.status === 'ok' ? [] : [`${result.status}${result.error ? `: ${result.error}` : ''}`];
  cells.note = [...problem, ...result.notes].join('; ');
  return cells;
}

export function summaryRows(results: readonly ConfigResult[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const result of results) {
    if (result.batches.length === 0) {
      rows.push({ key: result.key, status: result.status, cells: emptyCells(result) });
      continue;
    }
    for (const batch of result.batches) {
      const cells = emptyCells(result);
      const stats = batch.latencyMs;
      Object.assign(cells, {
        batch: String(batch.batch),
        fetch: formatMs(result.fetchMs),
        init: formatMs(result.initMs),
        first: formatMs(batch.firstMs),
        min: formatMs(stats?.min),
        p50: formatMs(stats?.p50),
        p90: formatMs(stats?.p90),
        p99: formatMs(stats?.p99),
        mean: formatMs(stats?.mean),
        ips: batch.imagesPerSecond === null ? '—' : batch.imagesPerSecond.toFixed(batch.imagesPerSecond >= 10 ? 1 : 2),
        native: nativeRatio(result, batch, results),
        memory: memoryText(batch.leak.after),
        gpu: mib(batch.leak.after.gpuBytes),
        leak: leakText(batch.leak),
        dp: result.agreement ? result.agreement.maxAbsDiff.toExponential(1) : '—',
        top1: result.agreement ? `${result.agreement.top1Agree}/${result.agreement.images}` : '—',
      });
      rows.push({ key: result.key, status: result.status, cells });
    }
  }
  return rows;
}
