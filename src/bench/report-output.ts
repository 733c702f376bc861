import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { textTable } from '../pipeline/parity/text-table.js';
import { reportToCsv } from '../shared/bench/bench-csv.js';
import { SUMMARY_COLUMNS, summaryRows } from '../shared/bench/bench-summary.js';
import type { BenchReport } from '../shared/bench/bench-types.js';

export function environmentLines(report: BenchReport): string[] {
  const { browser, node } = report.environment;
  const adapter = browser?.webgpu.adapter;
  return [
    `model       ${report.model.id}/${report.model.version} (${report.model.name})`,
    browser
      ? `browser     ${browser.browser}, ${browser.hardwareConcurrency} logical cores, cross-origin isolated: ${browser.crossOriginIsolated ? 'yes' : 'no'}`
      : 'browser     not run',
    browser
      ? `webgpu      ${adapter ? [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ') + (adapter.isFallbackAdapter ? ' (fallback adapter)' : '') : 'none'}`
      : '',
    browser ? `webgl       ${browser.webgl?.renderer ?? 'none'}` : '',
    node
      ? `node        ${node.node}, ${node.cpu} ×${node.cpuCount}, onnxruntime-node ${node.onnxruntimeNode}, load average ${node.loadAverage.toFixed(2)}`
      : '',
    `reference   ${report.reference ?? 'none (no wasm fp32 configuration ran)'}`,
  ].filter(Boolean);
}

export function resultsTable(report: BenchReport): string {
  const rows = summaryRows(report.results).map((row) => SUMMARY_COLUMNS.map((c) => row.cells[c.id]));
  const numeric = SUMMARY_COLUMNS.map((c, i) => (['config', 'leak', 'note'].includes(c.id) ? -1 : i)).filter(
    (i) => i >= 0,
  );
  return textTable(
    SUMMARY_COLUMNS.map((c) => c.label),
    rows,
    numeric,
  );
}

export function trainingTable(report: BenchReport): string {
  if (report.training.length === 0) return '';
  const rows = report.training.map((t) => [
    `tfjs-node ${t.backend}`,
    `${t.resolution} px × ${t.microBatch}`,
    t.warmUpSeconds === null ? '—' : t.warmUpSeconds.toFixed(2),
    t.secondsPerPass.map((s) => s.toFixed(2)).join(', ') || '—',
    t.imagesPerSecond === null ? '—' : t.imagesPerSecond.toFixed(2),
    t.error ?? '',
  ]);
  return textTable(
    ['training (ResNet50 step)', 'input × batch', 'warm-up s', 's per pass', 'img/s', 'note'],
    rows,
    [2, 4],
  );
}

/** Writes bench-<time>.json and .csv into `dir`; returns their paths. */
export async function writeReportFiles(report: BenchReport, dir: string): Promise<{ json: string; csv: string }> {
  await mkdir(dir, { recursive: true });
  const stamp = report.createdAt.replace(/[:.]/g, '-');
  const json = join(dir, `bench-${stamp}.json`);
  const csv = join(dir, `bench-${stamp}.csv`);
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(csv, reportToCsv(report));
  return { json, csv };
}
